/**
 * Turns the sheet's rows into a plan, or lists everything wrong with them.
 *
 * Grouping: rows with the same 事项编号 are one item; within an item, rows
 * with the same 问题编号 are one problem; each row with task content is one
 * task. Item- and problem-level cells (name, level, leader; description,
 * category, severity) may be repeated on every row or left blank after the
 * first — merged cells read that way — but two different values are a
 * conflict. A row with a problem and no task content only declares the
 * problem, which then needs a task on some other row.
 */
import { IMPORT_COLUMNS, headerOf, type ImportColumnKey } from './import-columns';
import { RowCells, type Cell, type CellContext } from './import-cells';
import type { LedgerSheet } from './import-parse';
import { DEFAULT_TIMEZONE } from './ledger-time';
import type {
  ImportError,
  ImportResult,
  ImportedItem,
  ImportedProblem,
  ImportedTask,
  LedgerLimits,
  LedgerSupervisionLevel,
  ResolveUnit,
} from './types';
import { DEFAULT_LIMITS } from './types';
import { LEVEL_LABELS, SEVERITY_LABELS } from './vocabulary';

export interface ValidateOptions {
  /** deadlines before this are refused */
  now: Date | number;
  /** IANA zone in which a date means "by the end of that day" */
  timezone?: string;
  resolveUnit: ResolveUnit;
  limits?: Partial<LedgerLimits>;
  /** ids become workflow and URL ids; the API's IdSchema alphabet by default */
  idPattern?: RegExp;
}

export const DEFAULT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

const TASK_COLUMNS: ImportColumnKey[] = ['taskId', 'taskDescription', 'measures', 'ownerUnit', 'ownerPerson', 'coOwners', 'deadline'];

/** A value shared by several rows, remembered with the row that first gave it. */
interface Shared<T> {
  value: T;
  row: number;
}

interface ProblemAcc {
  id: string;
  firstRow: number;
  description?: Shared<string>;
  category?: Shared<string>;
  severity?: Shared<ImportedProblem['severity']>;
  /** set when a cell had content that was invalid, so "missing" is not said too */
  seen: Set<string>;
  tasks: number;
}

interface ItemAcc {
  key: string;
  firstRow: number;
  title?: Shared<string>;
  level?: Shared<LedgerSupervisionLevel>;
  leader?: Shared<string>;
  seen: Set<string>;
  problems: Map<string, ProblemAcc>;
  taskRows: Map<string, number>;
  tasks: ImportedTask[];
}

export function validateLedgerRows(sheet: LedgerSheet, options: ValidateOptions): ImportResult {
  const errors: ImportError[] = [];
  const missing = sheet.missingColumns.filter((key) => IMPORT_COLUMNS.some((c) => c.key === key && c.required));
  if (missing.length > 0) {
    return fail(missing.map((key) => ({ row: sheet.headerRow, column: headerOf(key), message: `缺少“${headerOf(key)}”列，请使用导入模板` })));
  }
  if (sheet.rows.length === 0) {
    return fail([{ row: sheet.headerRow + 1, column: headerOf('itemKey'), message: '表中没有需要导入的数据行' }]);
  }
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const ctx: CellContext = {
    limits,
    idPattern: options.idPattern ?? DEFAULT_ID_PATTERN,
    resolveUnit: options.resolveUnit,
    deadline: {
      nowMs: typeof options.now === 'number' ? options.now : options.now.getTime(),
      timezone: options.timezone ?? DEFAULT_TIMEZONE,
      maxWorkingDays: limits.workingDays,
      date1904: sheet.date1904,
    },
  };

  const items = new Map<string, ItemAcc>();
  for (const row of sheet.rows) {
    const cells = new RowCells(row, ctx, errors);
    const itemKey = cells.id('itemKey');
    const item = itemKey.value === undefined ? undefined : itemOf(items, itemKey.value, row.row);
    if (item) {
      share(cells, item, 'title', 'itemTitle', cells.text('itemTitle', limits.title), '事项');
      share(cells, item, 'level', 'supervisionLevel', cells.choice('supervisionLevel', LEVEL_LABELS, false), '事项', LEVEL_LABELS);
      share(cells, item, 'leader', 'leader', cells.text('leader', limits.shortText), '事项');
    } else {
      // still check every cell of an ungroupable row
      cells.text('itemTitle', limits.title);
      cells.choice('supervisionLevel', LEVEL_LABELS, false);
      cells.text('leader', limits.shortText);
    }

    const problemId = cells.id('problemId');
    const problem = item && problemId.value !== undefined ? problemOf(item, problemId.value, row.row) : undefined;
    const description = cells.text('problemDescription', limits.description);
    const category = cells.text('problemCategory', limits.shortText);
    const severity = cells.choice('severity', SEVERITY_LABELS, false);
    if (problem) {
      share(cells, problem, 'description', 'problemDescription', description, '问题');
      share(cells, problem, 'category', 'problemCategory', category, '问题');
      share(cells, problem, 'severity', 'severity', severity, '问题', SEVERITY_LABELS);
    }

    if (!TASK_COLUMNS.some((key) => cells.has(key))) continue;
    const task = readTask(cells, limits, problemId.value);
    if (problem) problem.tasks++;
    if (!item || task.id === undefined) continue;
    const firstUse = item.taskRows.get(task.id);
    if (firstUse !== undefined) {
      cells.error('taskId', `整改任务编号“${task.id}”在事项“${item.key}”中重复（第 ${firstUse} 行已使用）`);
      continue;
    }
    item.taskRows.set(task.id, row.row);
    if (task.complete) item.tasks.push(task.complete);
  }

  const plan = finish(items, errors);
  return errors.length > 0 ? fail(errors) : { ok: true, plan: { items: plan } };
}

function readTask(cells: RowCells, limits: LedgerLimits, problemId: string | undefined): { id?: string; complete?: ImportedTask } {
  const id = cells.id('taskId').value;
  const description = cells.text('taskDescription', limits.description, true).value;
  const measures = cells.text('measures', limits.measures);
  const ownerUnit = cells.unit('ownerUnit', true).value;
  const ownerPerson = cells.text('ownerPerson', limits.shortText, true).value;
  const coOwners = cells.units('coOwners');
  const deadline = cells.deadline('deadline').value;
  if (ownerUnit && coOwners.value?.some((u) => u.code === ownerUnit.code)) {
    cells.error('coOwners', `配合单位中不能包含责任单位“${ownerUnit.name}”`);
    return { id };
  }
  if (id === undefined || problemId === undefined || description === undefined || !ownerUnit || ownerPerson === undefined || !deadline) {
    return { id };
  }
  if (measures.present && measures.value === undefined) return { id };
  if (coOwners.present && coOwners.value === undefined) return { id };
  return {
    id,
    complete: {
      id,
      problemIds: [problemId],
      description,
      ...(measures.value !== undefined ? { measures: measures.value } : {}),
      ownerUnit,
      ownerPerson,
      coOwners: coOwners.value ?? [],
      deadline,
    },
  };
}

function itemOf(items: Map<string, ItemAcc>, key: string, row: number): ItemAcc {
  let item = items.get(key);
  if (!item) {
    item = { key, firstRow: row, seen: new Set(), problems: new Map(), taskRows: new Map(), tasks: [] };
    items.set(key, item);
  }
  return item;
}

function problemOf(item: ItemAcc, id: string, row: number): ProblemAcc {
  let problem = item.problems.get(id);
  if (!problem) {
    problem = { id, firstRow: row, seen: new Set(), tasks: 0 };
    item.problems.set(id, problem);
  }
  return problem;
}

/** Records a shared cell, or reports it when it differs from the row that first gave it. */
function share<F extends string, T>(
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

function finish(items: Map<string, ItemAcc>, errors: ImportError[]): ImportedItem[] {
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
          ...(p.category ? { category: p.category.value } : {}),
          severity: p.severity.value,
        });
      }
    }
    if (item.title && item.leader) {
      out.push({
        key: item.key,
        title: item.title.value,
        supervisionLevel: item.level?.value ?? 'none',
        leaderName: item.leader.value,
        problems,
        tasks: item.tasks,
      });
    }
  }
  return out;
}

function fail(errors: ImportError[]): ImportResult {
  const order = new Map(IMPORT_COLUMNS.map((c, i) => [c.header, i]));
  const sorted = [...errors].sort((a, b) => a.row - b.row || (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99));
  return { ok: false, errors: sorted };
}
