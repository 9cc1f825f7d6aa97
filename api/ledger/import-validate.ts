/**
 * Turns the sheet's rows into a plan, or lists everything wrong with them.
 *
 * Grouping: rows with the same 事项编号 are one item; within an item, rows
 * with the same 问题编号 are one problem; each row with task content is one
 * task. Item- and problem-level cells (name, level, leader; description,
 * severity) may be repeated on every row or left blank after the
 * first — merged cells read that way — but two different values are a
 * conflict. A row with a problem and no task content only declares the
 * problem, which then needs a task on some other row.
 */
import { IMPORT_COLUMNS, headerOf, type ImportColumnKey } from './import-columns';
import { finishItems, itemOf, problemOf, share, type ItemAcc } from './import-assemble';
import { RowCells, type CellContext } from './import-cells';
import type { LedgerSheet } from './import-parse';
import { DEFAULT_TIMEZONE } from './ledger-time';
import type { ImportError, ImportResult, ImportedRows, ImportedTask, LedgerLimits, ResolveUnit } from './types';
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
  /**
   * Items (by 事项编号) whose days already gone are no mistake: the items an
   * earlier import of the plan brought, which this file will not start again
   * (or every item, to read a file for what it is before judging its dates).
   */
  pastDeadlinesAllowed?: (itemKey: string) => boolean;
}

export const DEFAULT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

const TASK_COLUMNS: ImportColumnKey[] = ['taskId', 'taskDescription', 'measures', 'ownerUnit', 'ownerPerson', 'coOwners', 'deadline'];

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
      // the engine files an item under one category: the 问题类别 of its rows must agree
      share(cells, item, 'category', 'problemCategory', cells.text('problemCategory', limits.shortText), '事项');
      share(cells, item, 'level', 'supervisionLevel', cells.choice('supervisionLevel', LEVEL_LABELS, false), '事项', LEVEL_LABELS);
      share(cells, item, 'leader', 'leader', cells.text('leader', limits.shortText), '事项');
    } else {
      // still check every cell of an ungroupable row
      cells.text('itemTitle', limits.title);
      cells.text('problemCategory', limits.shortText);
      cells.choice('supervisionLevel', LEVEL_LABELS, false);
      cells.text('leader', limits.shortText);
    }

    const problemId = cells.id('problemId');
    const problem = item && problemId.value !== undefined ? problemOf(item, problemId.value, row.row) : undefined;
    const description = cells.text('problemDescription', limits.description);
    const severity = cells.choice('severity', SEVERITY_LABELS, false);
    if (problem) {
      share(cells, problem, 'description', 'problemDescription', description, '问题');
      share(cells, problem, 'severity', 'severity', severity, '问题', SEVERITY_LABELS);
    }

    if (!TASK_COLUMNS.some((key) => cells.has(key))) continue;
    const pastAllowed = itemKey.value !== undefined && (options.pastDeadlinesAllowed?.(itemKey.value) ?? false);
    const task = readTask(cells, limits, problemId.value, pastAllowed);
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

  const plan = finishItems(items, errors);
  if (errors.length === 0) return { ok: true, plan: { items: plan }, rows: rowsOf(items) };
  const wrongRows = new Set(errors.map((e) => e.row));
  const clean = plan.filter((i) => ![...(items.get(i.key)?.rowNumbers ?? [])].some((r) => wrongRows.has(r)));
  return { ...fail(errors), clean: { plan: { items: clean }, rows: rowsOf(items) } };
}

function readTask(cells: RowCells, limits: LedgerLimits, problemId: string | undefined, pastAllowed: boolean): { id?: string; complete?: ImportedTask } {
  const id = cells.id('taskId').value;
  const description = cells.text('taskDescription', limits.description, true).value;
  const measures = cells.text('measures', limits.measures, true).value;
  const ownerUnit = cells.unit('ownerUnit', true).value;
  const ownerPerson = cells.text('ownerPerson', limits.shortText, true).value;
  const coOwners = cells.units('coOwners');
  const deadline = cells.deadline('deadline', pastAllowed).value;
  if (ownerUnit && coOwners.value?.some((u) => u.code === ownerUnit.code)) {
    cells.error('coOwners', `配合单位中不能包含责任单位“${ownerUnit.name}”`);
    return { id };
  }
  if (id === undefined || problemId === undefined || description === undefined || measures === undefined || !ownerUnit || ownerPerson === undefined || !deadline) {
    return { id };
  }
  if (coOwners.present && coOwners.value === undefined) return { id };
  return {
    id,
    complete: {
      id,
      problemIds: [problemId],
      description,
      measures,
      ownerUnit,
      ownerPerson,
      coOwners: coOwners.value ?? [],
      deadline,
    },
  };
}

function rowsOf(items: Map<string, ItemAcc>): ImportedRows {
  return {
    items: new Map(
      [...items.values()].map((item) => [
        item.key,
        { row: item.firstRow, problems: new Map([...item.problems.values()].map((p) => [p.id, p.firstRow])), tasks: new Map(item.taskRows) },
      ]),
    ),
  };
}

function fail(errors: ImportError[]): { ok: false; errors: ImportError[] } {
  const order = new Map(IMPORT_COLUMNS.map((c, i) => [c.header, i]));
  const sorted = [...errors].sort((a, b) => a.row - b.row || (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99));
  return { ok: false, errors: sorted };
}
