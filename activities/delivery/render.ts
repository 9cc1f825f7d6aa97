/**
 * Renders notifications as messages: facts in, `{ title, markdown, text }` out,
 * the same facts always giving the same words (snapshot tests hold them). Pure.
 * The words are in render-wording.ts; this file lays out one notification,
 * render-digest.ts several. User text (titles, descriptions, unit names,
 * reasons) is Markdown-escaped in `markdown`, plain in `text` and `title`. The
 * title is not repeated in the body: channels show it in their own slot.
 */
import { renderDigest } from './render-digest';
import { days, dueText, escalationLabel, FIELD, itemLink, leadSentence, NAME_SEPARATOR, titleTag, type NotificationFacts } from './render-wording';
import { escapeMarkdown, oneLine, truncateChars } from './text';

export type { NotificationFacts } from './render-wording';
export { escalationLabel, itemLink } from './render-wording';

export type MessageContext =
  | (NotificationFacts & { baseUrl: string })
  | {
      kind: 'digest';
      baseUrl: string;
      /** several notifications for one endpoint */
      notifications: readonly NotificationFacts[];
      /** default 20 */
      maxEntries?: number;
      /** bytes of the markdown; default 3500 (fits WeCom's 4096 with the title) */
      maxBytes?: number;
    };

export interface RenderedMessage {
  /** one line, plain text, at most about 50 characters */
  title: string;
  markdown: string;
  text: string;
  /** digests only: the notifications that did not fit (entries or bytes); they are not in this message */
  left?: readonly NotificationFacts[];
}

export function renderMessage(ctx: MessageContext): RenderedMessage {
  if (ctx.kind === 'digest') return renderDigest(ctx);
  const title = `【${titleTag(ctx)}】${truncateChars(oneLine(ctx.itemTitle), 40)}`;
  const link = itemLink(ctx.baseUrl, ctx.itemId);
  const task = ctx.taskId ? [ctx.taskId, ctx.taskDescription].filter((s) => s).map((s) => oneLine(s!)).join(' ') : undefined;
  const rows: Array<[string, string | undefined]> = [
    [FIELD.item, `${oneLine(ctx.itemTitle)}（${oneLine(ctx.itemId)}）`],
    [FIELD.task, task],
    [FIELD.unit, ctx.unitName && oneLine(ctx.unitName)],
    // after an approved extension the deadline in force is the new one
    [FIELD.due, ctx.dueAt ? dueText(ctx, ctx.kind === 'extensionDecided' && ctx.approved ? (ctx.newDueAt ?? ctx.dueAt) : ctx.dueAt) : undefined],
    [FIELD.overdue, ctx.daysOverdue !== undefined && ctx.daysOverdue > 0 ? days(ctx.daysOverdue) : undefined],
    [FIELD.level, ctx.kind === 'escalation' ? escalationLabel(ctx.level ?? 1) : undefined],
    [FIELD.alsoNotified, ctx.alsoNotified?.length ? ctx.alsoNotified.map(oneLine).join(NAME_SEPARATOR) : undefined],
  ];
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const markdown = [
    leadSentence(ctx, true),
    ...present.map(([k, v]) => `**${k}**：${escapeMarkdown(v)}`),
    `[${FIELD.details}](${link})`,
  ].join('\n\n');
  const text = [leadSentence(ctx, false), ...present.map(([k, v]) => `${k}：${v}`), `${FIELD.details}：${link}`].join('\n');
  return { title, markdown, text };
}
