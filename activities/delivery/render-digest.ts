/**
 * The digest template: several notifications for one endpoint as one message
 * (the robots allow 20 a minute; a Monday dispatch can chase fifty tasks).
 * Grouped by kind, most urgent first, with a count, and capped in entries and
 * bytes with "…还有 N 条" so that it fits every platform (WeCom: 4096 bytes).
 * What did not fit is named in `left`: the sender sends it in another message
 * and never counts it as delivered with this one.
 */
import type { NotificationKind } from '../../domain/types';
import type { MessageContext, RenderedMessage } from './render';
import { DIGEST, itemLink, titleTag, type NotificationFacts } from './render-wording';
import { escapeMarkdown, oneLine, truncateChars, utf8Length } from './text';

type DigestContext = Extract<MessageContext, { kind: 'digest' }>;

/** the order groups appear in: what needs action soonest first */
export const DIGEST_ORDER: readonly NotificationKind[] = [
  'escalation', 'overdue', 'warning', 'chase', 'sentBack', 'extensionRequested', 'extensionDecided', 'submitted', 'reassigned', 'accepted',
];

export const DIGEST_MAX_ENTRIES = 20;
export const DIGEST_MAX_BYTES = 3500;

/** one entry's facts, plain; escaped per medium by the caller */
function entryParts(f: NotificationFacts): string[] {
  const task = f.taskId ? [oneLine(f.taskId), f.taskDescription && truncateChars(oneLine(f.taskDescription), 30)].filter(Boolean).join(' ') : '';
  const withDue = f.kind === 'warning' || f.kind === 'reassigned' || f.kind === 'chase';
  const extra = f.kind === 'overdue' || f.kind === 'escalation' ? DIGEST.overdue(f) : withDue && f.dueAt ? DIGEST.due(f) : '';
  return [truncateChars(oneLine(f.itemTitle), 30), task, f.unitName ? oneLine(f.unitName) : '', extra].filter((s) => s !== '');
}

function sortKey(f: NotificationFacts): [number, number, string] {
  return [-(f.level ?? 0), f.dueAt ? Date.parse(f.dueAt) : Number.MAX_SAFE_INTEGER, f.itemId];
}

function byUrgency(a: NotificationFacts, b: NotificationFacts): number {
  const [la, da, ia] = sortKey(a);
  const [lb, db, ib] = sortKey(b);
  return la - lb || da - db || (ia < ib ? -1 : ia > ib ? 1 : 0);
}

export function renderDigest(ctx: DigestContext): RenderedMessage {
  const all = ctx.notifications;
  const maxEntries = ctx.maxEntries ?? DIGEST_MAX_ENTRIES;
  const maxBytes = ctx.maxBytes ?? DIGEST_MAX_BYTES;
  const topLevel = Math.max(0, ...all.filter((f) => f.kind === 'escalation').map((f) => f.level ?? 1));
  const title = DIGEST.title(all.length, topLevel);
  const md: string[] = [DIGEST.intro(`**${all.length}**`)];
  const txt: string[] = [DIGEST.intro(String(all.length))];
  let bytes = utf8Length(md[0]!);
  let shown = 0;
  const included = new Set<NotificationFacts>();
  let full = false;
  for (const kind of DIGEST_ORDER) {
    const group = all.filter((f) => f.kind === kind).sort(byUrgency);
    if (group.length === 0 || full) continue;
    const heading = `#### ${DIGEST.group(kind, group.length)}`;
    let headed = false;
    for (const f of group) {
      const link = itemLink(ctx.baseUrl, f.itemId);
      const parts = entryParts(f);
      const line = `- 【${titleTag(f)}】${parts.map(escapeMarkdown).join(' · ')} [${DIGEST.view}](${link})`;
      const cost = utf8Length(line) + 2 + (headed ? 0 : utf8Length(heading) + 2);
      if (shown >= maxEntries || bytes + cost > maxBytes) {
        full = true;
        break;
      }
      if (!headed) {
        md.push(heading);
        txt.push(DIGEST.group(kind, group.length));
        headed = true;
      }
      md.push(line);
      txt.push(`- 【${titleTag(f)}】${parts.join(' · ')} ${link}`);
      bytes += cost;
      shown += 1;
      included.add(f);
    }
  }
  if (shown < all.length) {
    md.push(DIGEST.more(all.length - shown));
    txt.push(DIGEST.more(all.length - shown));
  }
  // entries of one group are a list: one line each; groups and the rest are paragraphs
  const rendered: RenderedMessage = { title, markdown: joinBlocks(md), text: txt.join('\n') };
  if (shown < all.length) rendered.left = all.filter((f) => !included.has(f));
  return rendered;
}

function joinBlocks(lines: readonly string[]): string {
  return lines.reduce((acc, line, i) => {
    if (i === 0) return line;
    const sameList = line.startsWith('- ') && lines[i - 1]!.startsWith('- ');
    return `${acc}${sameList ? '\n' : '\n\n'}${line}`;
  }, '');
}
