/**
 * The frame every notice shares: a title, a line saying what it covers, a
 * table written row by row with the streaming writer, and a closing summary
 * line under the table (the writer cannot go back up the sheet, so totals
 * gathered while streaming are written at the end).
 */
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { setColumns, tableSheetOptions, writeDataRow, writeHeaderRow, writeTitleRow, type CellInput, type SheetColumn } from './sheet-style';
import { safeCellText } from './safe-text';
import type { RowSource } from './types';
import { letZipCatchUp, newWorkbookWriter } from './workbook-output';

export interface NoticeSpec<T> {
  sheetName: string;
  title: string;
  /** what the notice covers, under the title */
  subtitle: string;
  columns: SheetColumn[];
  cells(line: T, index: number): CellInput[];
  /** fills and fonts beyond the defaults (light colours, risk) */
  style?(row: ExcelJS.Row, line: T): void;
  /** sees every line once, in order, after it is written */
  tally(line: T): void;
  /** the closing line, once every line has been tallied */
  summary(): string;
}

const TITLE_ROW = 1;
const SUBTITLE_ROW = 2;
const HEADER_ROW = 3;

export async function writeNotice<T>(lines: RowSource<T>, out: Writable, spec: NoticeSpec<T>, createdAt: Date): Promise<{ rows: number }> {
  const wb = newWorkbookWriter(out, spec.title, createdAt);
  const ws = wb.addWorksheet(spec.sheetName, tableSheetOptions(HEADER_ROW, spec.columns.length, spec.title));
  setColumns(ws, spec.columns);
  writeTitleRow(ws, TITLE_ROW, spec.title, spec.columns.length);
  writeTitleRow(ws, SUBTITLE_ROW, spec.subtitle, spec.columns.length, 11);
  writeHeaderRow(ws, HEADER_ROW, spec.columns).commit();

  let n = 0;
  for await (const line of lines) {
    n++;
    const row = writeDataRow(ws, HEADER_ROW + n, spec.cells(line, n));
    spec.style?.(row, line);
    row.commit();
    spec.tally(line);
    await letZipCatchUp(ws, n);
  }

  const summaryRow = ws.getRow(HEADER_ROW + n + 2);
  summaryRow.getCell(1).value = safeCellText(spec.summary());
  summaryRow.getCell(1).font = { bold: true };
  summaryRow.getCell(1).alignment = { wrapText: true, vertical: 'top' };
  summaryRow.height = 36;
  ws.mergeCells(HEADER_ROW + n + 2, 1, HEADER_ROW + n + 2, spec.columns.length);
  summaryRow.commit();

  ws.commit();
  await wb.commit();
  return { rows: n };
}

/** 'YYYY-MM-DD' → '2027年3月8日'. */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

export function yesNo(flag: boolean): string {
  return flag ? '是' : '否';
}
