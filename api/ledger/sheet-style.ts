/**
 * The look shared by every ledger sheet: a bold shaded header, thin borders,
 * wrapped text, coloured status cells, and print settings for A4 landscape
 * with the header repeated on each page.
 */
import type ExcelJS from 'exceljs';
import { safeCellText, xmlSafeText } from './safe-text';

export interface SheetColumn {
  header: string;
  width: number;
  /** a number format for the column, e.g. '0%' */
  numFmt?: string;
}

const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF999999' } };
export const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };

export function solidFill(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/** The streaming writer also takes an autofilter at creation; exceljs' types leave it out. */
export type TableSheetOptions = Partial<ExcelJS.AddWorksheetOptions> & { autoFilter?: ExcelJS.AutoFilter };

/**
 * Worksheet options for a printable table whose header is on `headerRow`:
 * frozen above and left of the first data cell, repeated when printed, fitted
 * to the page width of A4 landscape (paperSize 9).
 */
export function tableSheetOptions(headerRow: number, columnCount: number, title: string): TableSheetOptions {
  return {
    views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow, activeCell: `A${headerRow + 1}` }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      oddHeader: `&C&"宋体,Bold"${escapeHeaderFooter(title)}`,
      oddFooter: '&C第 &P 页，共 &N 页',
    },
    autoFilter: { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: columnCount } },
  };
}

/** & starts a code in Excel's header/footer language. */
function escapeHeaderFooter(text: string): string {
  return xmlSafeText(text).replace(/&/g, '&&');
}

export function setColumns(ws: ExcelJS.Worksheet, columns: SheetColumn[]): void {
  ws.columns = columns.map((c) => ({ width: c.width, ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}) }));
}

export function writeHeaderRow(ws: ExcelJS.Worksheet, rowNumber: number, columns: SheetColumn[]): ExcelJS.Row {
  const row = ws.getRow(rowNumber);
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  row.height = 30;
  return row;
}

/** A bold title across the table's width (rows above the header). */
export function writeTitleRow(ws: ExcelJS.Worksheet, rowNumber: number, text: string, columnCount: number, size = 16): void {
  const row = ws.getRow(rowNumber);
  row.getCell(1).value = safeCellText(text);
  row.getCell(1).font = { bold: true, size };
  row.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  row.height = size * 1.8;
  ws.mergeCells(rowNumber, 1, rowNumber, columnCount);
  row.commit();
}

export type CellInput = string | number | Date | undefined;

/**
 * Writes a data row: every string through safeCellText (formula injection),
 * borders and wrapping on every cell. Returns the row for extra styling
 * before the caller commits it.
 */
export function writeDataRow(ws: ExcelJS.Worksheet, rowNumber: number, values: CellInput[]): ExcelJS.Row {
  const row = ws.getRow(rowNumber);
  values.forEach((v, i) => {
    const cell = row.getCell(i + 1);
    cell.value = typeof v === 'string' ? safeCellText(v) : (v ?? null);
    cell.border = BORDER;
    cell.alignment = { vertical: 'top', wrapText: true };
  });
  return row;
}
