/**
 * Every Chinese phrase of the notification messages, in one place: tags,
 * lead sentences, field labels and the digest's words (and the item link). The layouts live in
 * render.ts (one notification) and render-digest.ts (several); they take all
 * their words from here. Pure.
 */
import type { NotificationKind } from '../../domain/types';
import { chineseNumeral, escapeMarkdown, formatLocalDateTime, oneLine } from './text';

export interface NotificationFacts {
  kind: NotificationKind;
  itemId: string;
  itemTitle: string;
  taskId?: string;
  taskDescription?: string;
  /** the responsible unit (after a reassignment: the new one) */
  unitName?: string;
  /** ISO-8601 instant of the task's deadline */
  dueAt?: string;
  /** IANA zone of the item's policy; deadlines are shown in its wall time */
  timezone: string;
  daysOverdue?: number;
  /** escalation level 1..n */
  level?: number;
  /** who else receives this notification (names), shown as 同时告知 */
  alsoNotified?: readonly string[];
  /** the reason given: extension request, send-back, decision note */
  reason?: string;
  /** extensionRequested: the deadline asked for; extensionDecided: the new deadline when approved */
  newDueAt?: string;
  /** extensionDecided only */
  approved?: boolean;
}

/** 一级督办, 二级督办, 三级督办, 四级督办… */
export function escalationLabel(level: number): string {
  return `${chineseNumeral(level)}级督办`;
}

/** `${baseUrl}/items/${encodeURIComponent(itemId)}`, with ( ) ! ' * encoded too: a ")" would end a Markdown link */
export function itemLink(baseUrl: string, itemId: string): string {
  const id = encodeURIComponent(itemId).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${baseUrl.replace(/\/+$/, '')}/items/${id}`;
}

/** pieces of a lead sentence, already formatted for its medium (Markdown or plain) */
interface Parts {
  f: NotificationFacts;
  unit: string;
  due: string;
  newDue: string;
  /** the reason, or （未说明） */
  reason: string;
  /** "审批意见：…。", or nothing when no note was given */
  note: string;
  bold: (s: string) => string;
}

const overdueDays = (f: NotificationFacts) => (f.daysOverdue !== undefined && f.daysOverdue > 0 ? ` ${f.daysOverdue} 天` : '');

/** per kind: the group name (and title tag) and the sentence saying what happened and what is asked */
export const WORDING: Readonly<Record<NotificationKind, { tag: string; lead: (p: Parts) => string }>> = {
  warning: { tag: '临期预警', lead: (p) => `整改任务将于 ${p.bold(p.due)} 到期，请${p.unit}抓紧办理，按期完成整改。` },
  overdue: { tag: '逾期提醒', lead: (p) => `整改任务已超过期限（${p.due}），请${p.unit}立即整改并说明逾期原因。` },
  escalation: {
    tag: '督办升级',
    lead: (p) => `整改任务已逾期${overdueDays(p.f)}，现启动${p.bold(escalationLabel(p.f.level ?? 1))}，请${p.unit}在限期内整改到位。`,
  },
  chase: { tag: '督促催办', lead: (p) => `本周调度中该任务无新进展，请${p.unit}及时报送整改进展。` },
  submitted: { tag: '待验收', lead: (p) => `${p.unit}已提交整改结果，请及时组织验收。` },
  extensionRequested: {
    tag: '延期申请',
    lead: (p) => `${p.unit}申请将整改期限由 ${p.due} 延至 ${p.bold(p.newDue)}，理由：${p.reason}。请及时审批。`,
  },
  extensionDecided: {
    tag: '延期审批',
    lead: (p) =>
      p.f.approved
        ? `延期申请已批准，新的整改期限为 ${p.bold(p.newDue)}。${p.note}`
        : `延期申请未获批准，请按原期限 ${p.bold(p.due)} 完成整改。${p.note}`,
  },
  sentBack: { tag: '退回整改', lead: (p) => `整改结果未通过验收，已退回重新整改。退回原因：${p.reason}。` },
  accepted: { tag: '验收通过', lead: () => '整改任务已通过验收，予以销号。' },
  reassigned: { tag: '任务转办', lead: (p) => `整改任务已转由${p.unit}负责，整改期限 ${p.bold(p.due)}。` },
  reviewReminder: { tag: '验收提醒', lead: (p) => `${p.unit}已按期提交整改结果，尚待验收，请及时组织验收。` },
  paused: { tag: '中止计时', lead: (p) => `该整改任务已中止计时，期间不计逾期。中止原因：${p.reason}。` },
  resumed: { tag: '恢复计时', lead: (p) => `该整改任务已恢复计时，整改期限顺延至 ${p.bold(p.newDue)}。${p.note}` },
  followUpDue: { tag: '回头看', lead: () => '该事项整改任务已全部验收销号，请组织回头看，确认问题未反弹。' },
  deadlineMoved: { tag: '期限调整', lead: (p) => `因节假日安排调整，整改期限调整为 ${p.bold(p.newDue)}。` },
};

/** the bracketed tag of a title or a digest entry */
export function titleTag(f: NotificationFacts): string {
  if (f.kind === 'escalation') return escalationLabel(f.level ?? 1);
  if (f.kind === 'extensionDecided') return f.approved ? '延期已批准' : '延期未批准';
  return WORDING[f.kind].tag;
}

export function dueText(f: NotificationFacts, at = f.dueAt): string {
  if (!at) return '（未设定）';
  const local = formatLocalDateTime(at, f.timezone);
  return f.timezone === 'Asia/Shanghai' ? local : `${local}（${f.timezone}）`;
}

/** The one-sentence lead of a notification, in Markdown (user text escaped) or plain text. */
export function leadSentence(f: NotificationFacts, markdown: boolean): string {
  const esc = (s: string) => (markdown ? escapeMarkdown(s) : s);
  const given = f.reason?.trim() ? esc(oneLine(f.reason)) : undefined;
  return WORDING[f.kind].lead({
    f,
    unit: f.unitName ? esc(oneLine(f.unitName)) : '责任单位',
    due: esc(dueText(f)),
    newDue: esc(dueText(f, f.newDueAt ?? f.dueAt)),
    reason: given ?? '（未说明）',
    note: given ? `审批意见：${given}。` : '',
    bold: (s) => (markdown ? `**${s}**` : s),
  });
}

export const FIELD = {
  item: '督办事项',
  task: '整改任务',
  unit: '责任单位',
  due: '整改期限',
  overdue: '逾期天数',
  level: '督办级别',
  alsoNotified: '同时告知',
  details: '查看详情',
} as const;

export const days = (n: number) => `${n} 天`;

const LEVEL_NAMES: Readonly<Record<string, string>> = { province: '省级', city: '市级', county: '县级' };

/**
 * Who else a notification went to, as 同时告知 names them: a unit by its name,
 * its leaders as that unit's 负责人, the item's leader by name, the supervision
 * office by its name in the directory (or its level when it has none).
 */
export const RECIPIENT = {
  ownerUnit: (unitName: string) => unitName,
  unitLeader: (unitName: string) => `${unitName}负责人`,
  itemLeader: (personName: string) => personName,
  supervisionOffice: (officeName: string | undefined, level: string) => officeName ?? `${LEVEL_NAMES[level] ?? level}督查室`,
} as const;
/** separator of names in 同时告知 */
export const NAME_SEPARATOR = '、';

export const DIGEST = {
  title: (count: number, topLevel: number) => `【督办消息汇总】共 ${count} 条${topLevel > 0 ? `，含${escalationLabel(topLevel)}` : ''}`,
  intro: (count: string) => `共 ${count} 条督办消息：`,
  group: (kind: NotificationKind, count: number) => `${WORDING[kind].tag}（${count} 条）`,
  overdue: (f: NotificationFacts) => (f.daysOverdue !== undefined && f.daysOverdue > 0 ? `已逾期 ${f.daysOverdue} 天` : '已逾期'),
  due: (f: NotificationFacts) => `期限 ${dueText(f)}`,
  view: '查看',
  more: (n: number) => `…还有 ${n} 条`,
} as const;
