/**
 * The import template (整改台账导入模板): the 整改台账 sheet with the Chinese
 * headers, a note on each header saying what goes in the column, dropdowns on
 * the fixed-vocabulary columns, text format on the id columns (so "001" stays
 * "001"), a frozen header row; then the 说明 sheet; and, when a unit
 * directory is given, a hidden 单位名录 sheet feeding a dropdown on 责任单位.
 *
 * Given a plan, the sheet comes filled in with it, one row per task: the
 * same file the import reads, so a plan can be downloaded, edited and
 * uploaded again (and a round trip is testable).
 */
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { IMPORT_COLUMNS, IMPORT_SHEET_NAME, type ImportColumnKey } from './import-columns';
import { DEFAULT_MAX_ROWS } from './import-parse';
import { DEFAULT_TIMEZONE, localDateText } from './ledger-time';
import { DEFAULT_UPLOAD_LIMITS } from './file-guard';
import { BORDER, writeDataRow, writeHeaderRow } from './sheet-style';
import { writeGuideSheet } from './template-guide';
import type { ImportedPlan, LedgerDeadline, UnitRef } from './types';
import { LEVEL_LABELS, SEVERITY_LABELS } from './vocabulary';
import { collectBuffer, letZipCatchUp, newWorkbookWriter } from './workbook-output';

export interface TemplateOptions {
  /** fills the sheet with this plan, one row per task */
  plan?: ImportedPlan;
  /** the unit directory: a hidden sheet and a dropdown of names on 责任单位 */
  units?: UnitRef[];
  /** the zone in which instant deadlines are written as dates */
  timezone?: string;
  /** rows that get the dropdowns; the import's row limit by default */
  maxRows?: number;
  /** the upload limit quoted on the 说明 sheet */
  maxBytes?: number;
  createdAt?: Date;
}

const UNIT_SHEET_NAME = '单位名录';
const TEXT_COLUMNS: ImportColumnKey[] = ['itemKey', 'problemId', 'taskId'];

export async function writeImportTemplate(out: Writable, options: TemplateOptions = {}): Promise<void> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const wb = newWorkbookWriter(out, '整改台账导入模板', options.createdAt ?? new Date());
  const ws = wb.addWorksheet(IMPORT_SHEET_NAME, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
  });
  ws.columns = IMPORT_COLUMNS.map((c) => ({ width: c.width, ...(TEXT_COLUMNS.includes(c.key) ? { style: { numFmt: '@' } } : {}) }));

  const header = writeHeaderRow(ws, 1, IMPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width })));
  IMPORT_COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.note = c.note;
    if (c.required) cell.font = { bold: true, color: { argb: 'FFC00000' } };
  });
  header.commit();

  addDropdowns(ws, maxRows + 1, options.units);
  let r = 1;
  for (const values of planRows(options.plan, options.timezone ?? DEFAULT_TIMEZONE)) {
    r++;
    writeDataRow(ws, r, IMPORT_COLUMNS.map((c) => values[c.key])).commit();
    await letZipCatchUp(ws, r);
  }
  ws.commit();

  writeGuideSheet(wb, { maxRows, maxMiB: Math.round((options.maxBytes ?? DEFAULT_UPLOAD_LIMITS.maxBytes) / 1024 / 1024) });
  if (options.units && options.units.length > 0) writeUnitSheet(wb, options.units);
  await wb.commit();
}

export function buildImportTemplate(options: TemplateOptions = {}): Promise<Buffer> {
  return collectBuffer((out) => writeImportTemplate(out, options));
}

function columnLetter(key: ImportColumnKey): string {
  return String.fromCharCode(65 + IMPORT_COLUMNS.findIndex((c) => c.key === key));
}

/** exceljs has worksheet.dataValidations (streaming writer included) but leaves it out of its types. */
type WithValidations = { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } };

function addDropdowns(sheet: ExcelJS.Worksheet, lastRow: number, units: UnitRef[] | undefined): void {
  const ws = sheet as unknown as WithValidations;
  for (const c of IMPORT_COLUMNS) {
    if (!c.list) continue;
    const col = columnLetter(c.key);
    ws.dataValidations.add(`${col}2:${col}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${c.list.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: `${c.header}无效`,
      error: `请从下拉列表中选择：${c.list.join('、')}`,
    });
  }
  if (units && units.length > 0) {
    const col = columnLetter('ownerUnit');
    ws.dataValidations.add(`${col}2:${col}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`'${UNIT_SHEET_NAME}'!$B$2:$B$${units.length + 1}`],
      showErrorMessage: true,
      // a warning, not a stop: the column also takes unit codes, which are not in the list
      errorStyle: 'warning',
      errorTitle: '单位不在名录中',
      error: '请从下拉列表选择单位，或填写单位编码',
    });
  }
}

function writeUnitSheet(wb: ReturnType<typeof newWorkbookWriter>, units: UnitRef[]): void {
  const ws = wb.addWorksheet(UNIT_SHEET_NAME, { state: 'hidden' });
  ws.columns = [{ width: 16 }, { width: 30 }];
  writeHeaderRow(ws, 1, [
    { header: '单位编码', width: 16 },
    { header: '单位名称', width: 30 },
  ]).commit();
  units.forEach((u, i) => {
    const row = writeDataRow(ws, i + 2, [u.code, u.name]);
    row.getCell(1).border = BORDER;
    row.commit();
  });
  ws.commit();
}

function deadlineText(d: LedgerDeadline, tz: string): string {
  return d.kind === 'workingDays' ? `${d.days}个工作日` : localDateText(d.at, tz);
}

function* planRows(plan: ImportedPlan | undefined, tz: string): Generator<Partial<Record<ImportColumnKey, string | number>>> {
  if (!plan) return;
  let seq = 0;
  for (const item of plan.items) {
    const problems = new Map(item.problems.map((p) => [p.id, p]));
    for (const task of item.tasks) {
      const problem = problems.get(task.problemIds[0] ?? '');
      yield {
        seq: ++seq,
        itemKey: item.key,
        itemTitle: item.title,
        problemId: problem?.id,
        problemDescription: problem?.description,
        problemCategory: item.category,
        severity: problem ? SEVERITY_LABELS[problem.severity] : undefined,
        taskId: task.id,
        taskDescription: task.description,
        measures: task.measures,
        ownerUnit: task.ownerUnit.name,
        ownerPerson: task.ownerPerson,
        coOwners: task.coOwners.map((u) => u.name).join('、'),
        deadline: deadlineText(task.deadline, tz),
        supervisionLevel: LEVEL_LABELS[item.supervisionLevel],
        leader: item.leaderName,
      };
    }
  }
}
