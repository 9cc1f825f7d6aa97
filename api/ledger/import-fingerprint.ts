/**
 * Recognising an import again, and saying how two imports differ.
 *
 * The fingerprint hashes the plan's content, not the file: the same rows in
 * another order, another file name, a different 序号 column or a re-save in
 * WPS give the same fingerprint; any change to what would be created gives
 * another. The diff is keyed by 事项编号 and, inside an item, by problem and
 * task ids, with field names and values in the words of the sheet.
 */
import { createHash } from 'node:crypto';
import type { ImportedItem, ImportedPlan, ImportedProblem, ImportedTask, LedgerDeadline, UnitRef } from './types';
import { LEVEL_LABELS, SEVERITY_LABELS } from './vocabulary';

/** Bumped whenever the canonical form changes, so old and new fingerprints never collide by accident. */
const FINGERPRINT_VERSION = 'ledger-plan-v2';

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byCode = (a: UnitRef, b: UnitRef) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The plan with every list in a defined order and every object's keys sorted. */
export function canonicalPlan(plan: ImportedPlan): unknown {
  const items = [...plan.items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sortKeys({
    items: items.map((item) => ({
      ...item,
      problems: [...item.problems].sort(byId),
      tasks: [...item.tasks].sort(byId).map((t) => ({ ...t, problemIds: [...t.problemIds].sort(), coOwners: [...t.coOwners].sort(byCode) })),
    })),
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/** 'sha256:' + 64 hex digits. */
export function fingerprintPlan(plan: ImportedPlan): string {
  const hash = createHash('sha256').update(FINGERPRINT_VERSION).update('\n').update(JSON.stringify(canonicalPlan(plan)));
  return `sha256:${hash.digest('hex')}`;
}

// ---------------------------------------------------------------- diff

export interface FieldChange {
  /** the sheet's header for the field, e.g. 完成时限 */
  field: string;
  before: string;
  after: string;
}

export interface EntityChange {
  id: string;
  changes: FieldChange[];
}

export interface ItemDiff {
  key: string;
  title: string;
  changes: FieldChange[];
  problemsAdded: string[];
  problemsRemoved: string[];
  problemsChanged: EntityChange[];
  tasksAdded: string[];
  tasksRemoved: string[];
  tasksChanged: EntityChange[];
}

export interface ImportDiff {
  same: boolean;
  itemsAdded: Array<{ key: string; title: string }>;
  itemsRemoved: Array<{ key: string; title: string }>;
  itemsChanged: ItemDiff[];
  /** one sentence for people, e.g. 新增事项 1 个；删除事项 0 个；修改事项 2 个（新增任务 3 项…） */
  summary: string;
}

const deadlineText = (d: LedgerDeadline) => (d.kind === 'workingDays' ? `${d.days}个工作日` : d.at.slice(0, 10));
const unitText = (u: UnitRef) => (u.code === u.name ? u.name : `${u.name}（${u.code}）`);
const unitsText = (units: UnitRef[]) => [...units].sort(byCode).map(unitText).join('、');

type Fields<T> = Array<[string, (x: T) => string]>;

const ITEM_FIELDS: Fields<ImportedItem> = [
  ['事项名称', (i) => i.title],
  ['问题类别', (i) => i.category ?? ''],
  ['督战级别', (i) => LEVEL_LABELS[i.supervisionLevel]],
  ['牵头领导', (i) => i.leaderName],
];
const PROBLEM_FIELDS: Fields<ImportedProblem> = [
  ['问题描述', (p) => p.description],
  ['严重程度', (p) => SEVERITY_LABELS[p.severity]],
];
const TASK_FIELDS: Fields<ImportedTask> = [
  ['问题编号', (t) => [...t.problemIds].sort().join('、')],
  ['整改任务', (t) => t.description],
  ['整改措施', (t) => t.measures],
  ['责任单位', (t) => unitText(t.ownerUnit)],
  ['责任人', (t) => t.ownerPerson],
  ['配合单位', (t) => unitsText(t.coOwners)],
  ['完成时限', (t) => deadlineText(t.deadline)],
];

function fieldChanges<T>(fields: Fields<T>, a: T, b: T): FieldChange[] {
  return fields.flatMap(([field, show]) => (show(a) === show(b) ? [] : [{ field, before: show(a), after: show(b) }]));
}

function compare<T extends { id: string }>(before: T[], after: T[], fields: Fields<T>) {
  const old = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  return {
    added: after.filter((x) => !old.has(x.id)).map((x) => x.id),
    removed: before.filter((x) => !now.has(x.id)).map((x) => x.id),
    changed: after.flatMap((x) => {
      const prev = old.get(x.id);
      const changes = prev ? fieldChanges(fields, prev, x) : [];
      return changes.length > 0 ? [{ id: x.id, changes }] : [];
    }),
  };
}

export function diffImports(previous: ImportedPlan, next: ImportedPlan): ImportDiff {
  const old = new Map(previous.items.map((i) => [i.key, i]));
  const now = new Map(next.items.map((i) => [i.key, i]));
  const itemsChanged: ItemDiff[] = [];
  for (const item of next.items) {
    const prev = old.get(item.key);
    if (!prev) continue;
    const problems = compare(prev.problems, item.problems, PROBLEM_FIELDS);
    const tasks = compare(prev.tasks, item.tasks, TASK_FIELDS);
    const diff: ItemDiff = {
      key: item.key,
      title: item.title,
      changes: fieldChanges(ITEM_FIELDS, prev, item),
      problemsAdded: problems.added,
      problemsRemoved: problems.removed,
      problemsChanged: problems.changed,
      tasksAdded: tasks.added,
      tasksRemoved: tasks.removed,
      tasksChanged: tasks.changed,
    };
    const counts = [diff.changes, diff.problemsAdded, diff.problemsRemoved, diff.problemsChanged, diff.tasksAdded, diff.tasksRemoved, diff.tasksChanged];
    if (counts.some((list) => list.length > 0)) itemsChanged.push(diff);
  }
  const itemsAdded = next.items.filter((i) => !old.has(i.key)).map((i) => ({ key: i.key, title: i.title }));
  const itemsRemoved = previous.items.filter((i) => !now.has(i.key)).map((i) => ({ key: i.key, title: i.title }));
  const same = itemsAdded.length === 0 && itemsRemoved.length === 0 && itemsChanged.length === 0;
  return { same, itemsAdded, itemsRemoved, itemsChanged, summary: summarize(same, itemsAdded.length, itemsRemoved.length, itemsChanged) };
}

function summarize(same: boolean, added: number, removed: number, changed: ItemDiff[]): string {
  if (same) return '与上次导入的内容相同';
  const sum = (f: (d: ItemDiff) => number) => changed.reduce((n, d) => n + f(d), 0);
  const detail = [
    ['新增问题', sum((d) => d.problemsAdded.length), '个'],
    ['删除问题', sum((d) => d.problemsRemoved.length), '个'],
    ['修改问题', sum((d) => d.problemsChanged.length), '个'],
    ['新增任务', sum((d) => d.tasksAdded.length), '项'],
    ['删除任务', sum((d) => d.tasksRemoved.length), '项'],
    ['修改任务', sum((d) => d.tasksChanged.length), '项'],
  ]
    .filter(([, n]) => (n as number) > 0)
    .map(([label, n, unit]) => `${label} ${n} ${unit}`);
  const itemPart = `新增事项 ${added} 个；删除事项 ${removed} 个；修改事项 ${changed.length} 个`;
  return detail.length > 0 ? `${itemPart}（${detail.join('，')}）` : itemPart;
}
