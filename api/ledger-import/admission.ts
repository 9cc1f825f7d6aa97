/**
 * The checks an imported plan passes after the sheet's own (api/ledger): each
 * item is turned into the body POST /items takes and held to the very rules
 * POST /items applies — the request schema (text rule, limits), then the
 * domain's creation rule with its size budget — plus what only an import
 * needs: a 牵头领导 the system knows, and an item id no other item has. The
 * item is checked as the gateway starts it (new-item-rules.ts: the office
 * rules) with the calendar a new item takes now. Every
 * failure is reported in the sheet's terms, row and Chinese column, all at
 * once; an item is admitted only when the whole file is.
 */
import type { z } from 'zod';
import { createItemState } from '../../domain/create-item';
import { DomainError } from '../../domain/errors';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import type { Actor, HolidayCalendar, ItemInput } from '../../domain/types';
import { asStarted } from '../new-item-rules';
import { headerOf, type ImportColumnKey } from '../ledger/import-columns';
import { fingerprintPlan } from '../ledger/import-fingerprint';
import type { ImportError, ImportedItem, ImportedPlan, ImportedRows } from '../ledger/types';
import { ItemInputSchema } from '../schemas/item-input';
import { toItemInput, type PlanFacts } from './item-input';
import type { LeaderResolution } from './leaders';

export interface AdmittedItem {
  itemId: string;
  key: string;
  position: number;
  row: number;
  content: ImportedItem;
  contentFingerprint: string;
  input: ItemInput;
}

export interface AdmissionContext {
  plan: PlanFacts;
  uploader: Actor;
  nowMs: number;
  /** the calendar a new item takes now (the API's calendar source); the statutory one when not given */
  calendar?: HolidayCalendar;
  resolveLeader(text: string): LeaderResolution;
  /** of these item ids, the ones another item already has (an earlier import of this plan does not count) */
  takenIds(ids: string[]): Promise<Set<string>>;
}

export type Admission = { ok: true; items: AdmittedItem[] } | { ok: false; errors: ImportError[] };

type ItemRows = ImportedRows['items'] extends Map<string, infer R> ? R : never;

const TASK_FIELDS: Record<string, ImportColumnKey> = {
  id: 'taskId', problemIds: 'problemId', description: 'taskDescription', measures: 'measures', ownerUnit: 'ownerUnit',
  ownerPerson: 'ownerPerson', coOwners: 'coOwners', deadline: 'deadline',
};
const PROBLEM_FIELDS: Record<string, ImportColumnKey> = { id: 'problemId', description: 'problemDescription', severity: 'severity' };
const ITEM_FIELDS: Record<string, ImportColumnKey> = {
  id: 'itemKey', title: 'itemTitle', category: 'problemCategory', supervisionLevel: 'supervisionLevel', leader: 'leader',
  problems: 'problemId', tasks: 'taskId', source: 'itemTitle',
};

interface Place {
  row: number;
  key: ImportColumnKey;
  /** the path points at a whole list (too many problems or tasks) */
  list?: 'problems' | 'tasks';
}

/** Where in the sheet a path of the item's body (tasks.3.deadline.at) was written. */
function placeOf(path: ReadonlyArray<PropertyKey>, item: ImportedItem, rows: ItemRows): Place {
  const [head, index, field] = path.map(String);
  if (head === 'tasks' && index !== undefined && /^\d+$/.test(index)) {
    const task = item.tasks[Number(index)];
    return { row: (task && rows.tasks.get(task.id)) ?? rows.row, key: TASK_FIELDS[field ?? ''] ?? 'taskId' };
  }
  if (head === 'problems' && index !== undefined && /^\d+$/.test(index)) {
    const problem = item.problems[Number(index)];
    return { row: (problem && rows.problems.get(problem.id)) ?? rows.row, key: PROBLEM_FIELDS[field ?? ''] ?? 'problemId' };
  }
  const list = head === 'problems' || head === 'tasks' ? head : undefined;
  return { row: rows.row, key: ITEM_FIELDS[head ?? ''] ?? 'itemKey', ...(list ? { list } : {}) };
}

/** zod's refusal in the sheet's words. */
function schemaMessage(issue: z.core.$ZodIssue, place: Place): string {
  const column = headerOf(place.key);
  if (place.list) {
    const what = place.list === 'problems' ? '问题' : '整改任务';
    if (issue.code === 'too_big') return `一个事项最多 ${String(issue.maximum)} 个${what}，请拆分为多个事项`;
    return `事项的${what}无效`;
  }
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array' ? `“${column}”最多 ${String(issue.maximum)} 个` : `“${column}”不能超过 ${String(issue.maximum)} 个字`;
    case 'too_small':
      return `“${column}”不能为空`;
    case 'custom':
      // the deadline's one rule past the sheet's is its century; every other custom rule is the text rule
      if (place.key === 'deadline') return '完成时限须在 2000 年至 2099 年之间';
      return `“${column}”含有不允许的字符（换行、制表符、控制字符、文字方向控制符或不完整的 Unicode 字符），请删除后重新填写`;
    case 'invalid_format':
      return `“${column}”格式无效`;
    default:
      return `“${column}”无效（${issue.message}）`;
  }
}

/** The domain's refusal in the sheet's words. */
function ruleMessage(err: DomainError, item: ImportedItem): string {
  if (err.code === 'ITEM_TOO_LARGE') return `事项“${item.key}”过大（问题、任务或文字过多），请拆分为多个事项`;
  return `不符合系统规则：${err.message}`;
}

export async function admitPlan(plan: ImportedPlan, rows: ImportedRows, ctx: AdmissionContext): Promise<Admission> {
  const errors: ImportError[] = [];
  const admitted: AdmittedItem[] = [];
  const calendar = ctx.calendar ?? calendarForNewItem(ctx.nowMs);
  const fail = (place: Place, message: string) => errors.push({ row: place.row, column: headerOf(place.key), message });

  plan.items.forEach((item, position) => {
    const itemRows = rows.items.get(item.key) ?? { row: 0, problems: new Map(), tasks: new Map() };
    const leader = ctx.resolveLeader(item.leaderName);
    if (!leader.ok) {
      fail({ row: itemRows.row, key: 'leader' }, leader.message);
      return;
    }
    const parsed = ItemInputSchema.safeParse(toItemInput(ctx.plan, item, leader.leader));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const place = placeOf(issue.path, item, itemRows);
        fail(place, schemaMessage(issue, place));
      }
      return;
    }
    const input: ItemInput = { ...parsed.data, id: parsed.data.id ?? '' };
    try {
      // as the gateway starts it: with the office rules, whose calendar allowance counts in the size budget
      createItemState(asStarted(input), ctx.uploader, ctx.nowMs, calendar);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const path = typeof err.details?.path === 'string' ? err.details.path.split('.') : [];
      fail(placeOf(path, item, itemRows), ruleMessage(err, item));
      return;
    }
    admitted.push({
      itemId: input.id,
      key: item.key,
      position,
      row: itemRows.row,
      content: item,
      contentFingerprint: fingerprintPlan({ items: [item] }),
      input,
    });
  });

  const taken = await ctx.takenIds(admitted.map((a) => a.itemId));
  for (const a of admitted) {
    if (taken.has(a.itemId)) {
      fail({ row: a.row, key: 'itemKey' }, `事项编号“${a.key}”在本方案中对应的事项（${a.itemId}）已由其他途径创建，请换一个事项编号`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, items: admitted };
}
