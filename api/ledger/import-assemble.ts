/**
 * Gathers validated rows into items and problems: values several rows share
 * (remembered with the row that first gave them, so a conflict can name it),
 * then the finished items, with a message for whatever an item or problem
 * still lacks once every row has been seen.
 */
import { headerOf, type ImportColumnKey } from './import-columns';
import type { Cell, RowCells } from './import-cells';
import type { ImportError, ImportedItem, ImportedProblem, ImportedTask, LedgerSupervisionLevel } from './types';

/** A value shared by several rows, remembered with the row that first gave it. */
export interface Shared<T> {
  value: T;
  row: number;
}

export interface ProblemAcc {
  id: string;
  firstRow: number;
  description?: Shared<string>;
  severity?: Shared<ImportedProblem['severity']>;
  /** set when a cell had content that was invalid, so "missing" is not said too */
  seen: Set<string>;
  tasks: number;
}

export interface ItemAcc {
  key: string;
  firstRow: number;
  title?: Shared<string>;
  category?: Shared<string>;
  level?: Shared<LedgerSupervisionLevel>;
  leader?: Shared<string>;
  seen: Set<string>;
  problems: Map<string, ProblemAcc>;
  taskRows: Map<string, number>;
  tasks: ImportedTask[];
  /** every row that belongs to the item, to tell an item with mistakes from one without */
  rowNumbers: Set<number>;
}

export function itemOf(items: Map<string, ItemAcc>, key: string, row: number): ItemAcc {
  let item = items.get(key);
  if (!item) {
    item = { key, firstRow: row, seen: new Set(), problems: new Map(), taskRows: new Map(), tasks: [], rowNumbers: new Set() };
    items.set(key, item);
  }
  item.rowNumbers.add(row);
  return item;
}

export function problemOf(item: ItemAcc, id: string, row: number): ProblemAcc {
  let problem = item.problems.get(id);
  if (!problem) {
    problem = { id, firstRow: row, seen: new Set(), tasks: 0 };
    item.problems.set(id, problem);
  }
  return problem;
}

/** Records a shared cell, or reports it when it differs from the row that first gave it. */
export function share<F extends string, T>(
  cells: RowCells,
  acc: { seen: Set<string> } & Partial<Record<F, Shared<T>>>,
  field: F,
  key: ImportColumnKey,
  cell: Cell<T>,
  scope: '事项' | '问题',
  labels?: Record<string, string>,
): void {
  if (cell.present) acc.seen.add(field);
  if (cell.value === undefined) return;
  const first = acc[field] as Shared<T> | undefined;
  if (!first) {
    (acc as Record<F, Shared<T>>)[field] = { value: cell.value, row: cells.rowNumber };
  } else if (first.value !== cell.value) {
    const show = (v: T) => (labels ? (labels[String(v)] ?? String(v)) : String(v));
    cells.error(key, `与第 ${first.row} 行的${headerOf(key)}“${show(first.value)}”不一致（同一${scope}的各行须一致）`);
  }
}

export function finishItems(items: Map<string, ItemAcc>, errors: ImportError[]): ImportedItem[] {
  const out: ImportedItem[] = [];
  const missing = (row: number, key: ImportColumnKey, message: string) => errors.push({ row, column: headerOf(key), message });
  for (const item of items.values()) {
    if (!item.title && !item.seen.has('title')) missing(item.firstRow, 'itemTitle', `事项“${item.key}”未填写事项名称`);
    if (!item.leader && !item.seen.has('leader')) missing(item.firstRow, 'leader', `事项“${item.key}”未填写牵头领导`);
    const problems: ImportedProblem[] = [];
    for (const p of item.problems.values()) {
      if (!p.description && !p.seen.has('description')) missing(p.firstRow, 'problemDescription', `问题“${p.id}”未填写问题描述`);
      if (!p.severity && !p.seen.has('severity')) missing(p.firstRow, 'severity', `问题“${p.id}”未填写严重程度`);
      if (p.tasks === 0) missing(p.firstRow, 'taskId', `问题“${p.id}”没有整改任务，每个问题至少需要一项整改任务`);
      if (p.description && p.severity) {
        problems.push({
          id: p.id,
          description: p.description.value,
          severity: p.severity.value,
        });
      }
    }
    if (item.title && item.leader) {
      out.push({
        key: item.key,
        title: item.title.value,
        ...(item.category ? { category: item.category.value } : {}),
        supervisionLevel: item.level?.value ?? 'none',
        leaderName: item.leader.value,
        problems,
        tasks: item.tasks,
      });
    }
  }
  return out;
}

