/**
 * The plan ledger (整改台账, the four lists in one sheet): one row per task,
 * written row by row with exceljs' streaming writer, so 10,000 tasks cost
 * about as much memory as 100. Rows are taken once, in the order given
 * (a database cursor can feed it directly).
 */
import type { Writable } from 'node:stream';
import { DEFAULT_TIMEZONE, daysToDeadline, localDateText, localDateTimeText } from './ledger-time';
import { setColumns, solidFill, tableSheetOptions, writeDataRow, writeHeaderRow, writeTitleRow, type SheetColumn } from './sheet-style';
import type { LedgerTaskRow, RowSource } from './types';
import { LIGHT_FILLS, LIGHT_LABELS, STATUS_LABELS } from './vocabulary';
import { collectBuffer, letZipCatchUp, newWorkbookWriter } from './workbook-output';

export interface LedgerExportOptions {
  /** the moment the figures are as of: days to deadline count from it */
  now: Date;
  timezone?: string;
  /** defaults to 整改台账（四项清单） */
  title?: string;
}

export const LEDGER_SHEET_NAME = '整改台账';

export const LEDGER_COLUMNS: readonly SheetColumn[] = [
  { header: '序号', width: 6 },
  { header: '事项编号', width: 12 },
  { header: '事项名称', width: 24 },
  { header: '问题编号', width: 9 },
  { header: '问题描述', width: 30 },
  { header: '整改任务编号', width: 10 },
  { header: '整改任务', width: 30 },
  { header: '整改措施', width: 30 },
  { header: '责任单位', width: 16 },
  { header: '责任人', width: 9 },
  { header: '配合单位', width: 18 },
  { header: '状态', width: 8 },
  { header: '灯色', width: 7 },
  { header: '最新进展', width: 30 },
  { header: '进展时间', width: 16 },
  { header: '距时限天数（负数为超期）', width: 11 },
  { header: '完成时限', width: 12 },
  { header: '原定时限', width: 12 },
  { header: '最高升级级别', width: 9 },
  { header: '延期次数', width: 7 },
  { header: '退回整改次数', width: 8 },
];

const LIGHT_COLUMN = 13;
const DAYS_COLUMN = 16;
const TITLE_ROW = 1;
const HEADER_ROW = 2;

/** 0 → 无, n → n级: the level the escalation ladder reached. */
export function escalationLabel(level: number): string {
  return level > 0 ? `${level}级` : '无';
}

export async function exportLedger(rows: RowSource<LedgerTaskRow>, out: Writable, options: LedgerExportOptions): Promise<{ rows: number }> {
  const tz = options.timezone ?? DEFAULT_TIMEZONE;
  const nowMs = options.now.getTime();
  const title = options.title ?? '整改台账（四项清单）';
  const wb = newWorkbookWriter(out, title, options.now);
  const ws = wb.addWorksheet(LEDGER_SHEET_NAME, tableSheetOptions(HEADER_ROW, LEDGER_COLUMNS.length, title));
  setColumns(ws, [...LEDGER_COLUMNS]);
  writeTitleRow(ws, TITLE_ROW, `${title}（截至 ${localDateTimeText(options.now.toISOString(), tz)}）`, LEDGER_COLUMNS.length);
  writeHeaderRow(ws, HEADER_ROW, [...LEDGER_COLUMNS]).commit();

  let n = 0;
  for await (const r of rows) {
    n++;
    const days = r.status === 'accepted' || r.status === 'cancelled' ? undefined : daysToDeadline(r.dueAt, nowMs);
    const row = writeDataRow(ws, HEADER_ROW + n, [
      n,
      r.itemKey,
      r.itemTitle,
      r.problemId,
      r.problemDescription,
      r.taskId,
      r.taskDescription,
      r.measures,
      r.ownerUnit,
      r.ownerPerson,
      r.coOwners.join('、'),
      STATUS_LABELS[r.status],
      LIGHT_LABELS[r.light],
      r.lastProgressText,
      r.lastProgressAt ? localDateTimeText(r.lastProgressAt, tz) : undefined,
      days,
      localDateText(r.dueAt, tz),
      localDateText(r.originalDueAt, tz),
      escalationLabel(r.escalationLevel),
      r.extensionCount,
      r.reworkCount,
    ]);
    const fill = LIGHT_FILLS[r.light];
    if (fill) row.getCell(LIGHT_COLUMN).fill = solidFill(fill);
    if (days !== undefined && days < 0) row.getCell(DAYS_COLUMN).font = { color: { argb: 'FFC00000' }, bold: true };
    row.commit();
    await letZipCatchUp(ws, n);
  }
  ws.commit();
  await wb.commit();
  return { rows: n };
}

export function exportLedgerToBuffer(rows: RowSource<LedgerTaskRow>, options: LedgerExportOptions): Promise<Buffer> {
  return collectBuffer(async (out) => {
    await exportLedger(rows, out, options);
  });
}
