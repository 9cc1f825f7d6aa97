/**
 * Reads the import sheet out of an .xlsx with exceljs' streaming reader: the
 * XML is parsed as it inflates and no workbook model is built, so memory
 * grows with the rows we keep, not with the file. While reading it refuses
 * what must not be imported at all: a formula in any cell of any sheet
 * (listed by address, never evaluated) and more rows than allowed (rows
 * past the limit are read but not kept).
 *
 * Call guardUpload first. The parser reads a copy of the ZIP rebuilt from its
 * central directory (zip-repack.ts), so it inflates what the guard judged,
 * and it counts what it inflates all the same (a ZIP_BOMB past the limit).
 */
import { Readable } from 'node:stream';
import { rawCellOf, type RawCell } from './cell-values';
import { GUIDE_SHEET_NAME, IMPORT_COLUMNS, IMPORT_SHEET_NAME, normalizeHeader, type ImportColumnKey } from './import-columns';
import { LedgerFileError } from './ledger-file-error';
import { DEFAULT_UPLOAD_LIMITS } from './file-guard';
import { OVERSIZED_MARK } from './markup-limits';
import { createWorkbookReader, InflateBudget } from './utf8-workbook-reader';
import { readZipDirectory } from './zip-directory';
import { repackForParser } from './zip-repack';

export interface LedgerRow {
  /** 1-based row number in the sheet */
  row: number;
  cells: Partial<Record<ImportColumnKey, RawCell>>;
}

export interface LedgerSheet {
  sheetName: string;
  headerRow: number;
  /** template columns whose header is not in the sheet */
  missingColumns: ImportColumnKey[];
  /** non-empty rows below the header */
  rows: LedgerRow[];
  /** serial numbers count from 1904 (old Mac Excel) */
  date1904: boolean;
}

export interface ParseOptions {
  /** data rows of any one sheet */
  maxRows: number;
  /** bytes the parser may inflate, all parts together */
  maxInflatedBytes: number;
  /** files inside the ZIP */
  maxEntries: number;
  /** characters in one cell (Excel's own limit) */
  maxCellChars: number;
  /** characters of text one part of the workbook (a sheet, the shared strings) may hold */
  maxTextChars: number;
}

export const DEFAULT_MAX_ROWS = 20_000;
/** Excel's own limit: no cell Excel or WPS writes is longer */
export const DEFAULT_MAX_CELL_CHARS = 32_767;
export const DEFAULT_MAX_TEXT_CHARS = 64 * 1024 * 1024;
/** in the XML a character may take up to 6 (`&amp;`, `&#x1F600;` for two) */
const RAW_CHARS_PER_CHAR = 6;
const LISTED_FORMULAS = 50;
const LISTED_LONG_CELLS = 20;

interface SheetState {
  name: string;
  headerRow?: number;
  columns?: Map<ImportColumnKey, number>;
  isLedger: boolean;
  rows: LedgerRow[];
  dataRows: number;
}

/**
 * Our refusals pass through; anything else exceljs or its XML parser throws
 * means the workbook's XML is broken, which is the uploader's problem (422),
 * not a server fault (500).
 */
export async function readLedgerSheet(buffer: Buffer, options: Partial<ParseOptions> = {}): Promise<LedgerSheet> {
  try {
    return await readSheet(buffer, options);
  } catch (err) {
    if (err instanceof LedgerFileError) throw err;
    throw new LedgerFileError('CORRUPT_WORKBOOK', 422, '文件已损坏或不是有效的 Excel 工作簿（.xlsx），无法读取其中的表格', {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
}

async function readSheet(buffer: Buffer, options: Partial<ParseOptions>): Promise<LedgerSheet> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxCellChars = options.maxCellChars ?? DEFAULT_MAX_CELL_CHARS;
  const guards = {
    budget: new InflateBudget(options.maxInflatedBytes ?? DEFAULT_UPLOAD_LIMITS.maxUncompressedBytes),
    markup: { maxRawChars: maxCellChars * RAW_CHARS_PER_CHAR, maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS },
  };
  const canonical = repackForParser(buffer, readZipDirectory(buffer, options.maxEntries ?? DEFAULT_UPLOAD_LIMITS.maxEntries));
  const reader = createWorkbookReader(Readable.from([canonical]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // styles tell a date-formatted number from a plain one
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }, guards);
  const formulas: string[] = [];
  let formulaCount = 0;
  const longCells: string[] = [];
  let longCount = 0;
  let chosen: SheetState | undefined;
  let overflow: SheetState | undefined;

  for await (const worksheet of reader) {
    const sheet: SheetState = { name: (worksheet as { name?: string }).name ?? '', isLedger: false, rows: [], dataRows: 0 };
    for await (const row of worksheet) {
      const values = row.values as unknown[];
      let empty = true;
      values.forEach((value, col) => {
        if (isFormula(value)) {
          formulaCount++;
          if (formulas.length < LISTED_FORMULAS) formulas.push(`${sheet.name}!${columnLetters(col)}${row.number}`);
        }
        if (isTooLong(value, maxCellChars)) {
          longCount++;
          if (longCells.length < LISTED_LONG_CELLS) longCells.push(`${sheet.name}!${columnLetters(col)}${row.number}`);
          values[col] = null;
          return;
        }
        if (rawCellOf(value) !== undefined) empty = false;
      });
      if (empty) continue;
      if (sheet.headerRow === undefined) {
        readHeader(sheet, row.number, values);
        continue;
      }
      if (++sheet.dataRows > maxRows) {
        // Stop keeping rows but read on, so that formulas and overlong cells
        // further down are named too. The guard and the reader's own budget
        // bound how much there is to read.
        overflow ??= sheet;
        sheet.rows = [];
        continue;
      }
      if (sheet.isLedger && sheet.columns && !overflow) sheet.rows.push(toLedgerRow(row.number, values, sheet.columns));
    }
    // the sheet named 整改台账 wins; otherwise the first sheet with the import headers
    if (sheet.isLedger && (!chosen || (sheet.name === IMPORT_SHEET_NAME && chosen.name !== IMPORT_SHEET_NAME))) chosen = sheet;
  }

  if (overflow) {
    throw new LedgerFileError('TOO_MANY_ROWS', 413, `“${overflow.name}”表的数据行超过上限 ${maxRows} 行，请分批导入`, {
      sheet: overflow.name,
      maxRows,
    });
  }
  if (longCount > 0) {
    const more = longCount > longCells.length ? ` 等（共 ${longCount} 处）` : '';
    throw new LedgerFileError('CELL_TOO_LONG', 422, `单元格文字过长（超过 ${maxCellChars} 个字符），请精简后重新上传：${longCells.join('、')}${more}`, {
      cells: longCells,
      count: longCount,
      maxCellChars,
    });
  }
  if (formulaCount > 0) {
    const more = formulaCount > formulas.length ? ` 等（共 ${formulaCount} 处）` : '';
    throw new LedgerFileError('FORMULA_CELLS', 422, `工作簿包含公式，出于安全考虑不予导入，请将公式转为数值后重新上传：${formulas.join('、')}${more}`, {
      cells: formulas,
      count: formulaCount,
    });
  }
  if (!chosen || chosen.headerRow === undefined || !chosen.columns) {
    throw new LedgerFileError('NO_LEDGER_SHEET', 422, `工作簿中找不到导入表（首行须为模板表头，含“事项编号”列），请使用导入模板填写`);
  }
  const columns = chosen.columns;
  return {
    sheetName: chosen.name,
    headerRow: chosen.headerRow,
    missingColumns: IMPORT_COLUMNS.filter((c) => !columns.has(c.key)).map((c) => c.key),
    rows: chosen.rows,
    date1904: workbookUses1904(reader),
  };
}

function readHeader(sheet: SheetState, rowNumber: number, values: unknown[]): void {
  sheet.headerRow = rowNumber;
  const byHeader = new Map(IMPORT_COLUMNS.map((c) => [c.header, c.key]));
  const columns = new Map<ImportColumnKey, number>();
  values.forEach((value, col) => {
    const cell = rawCellOf(value);
    const key = cell?.kind === 'text' ? byHeader.get(normalizeHeader(cell.text)) : undefined;
    if (key && !columns.has(key)) columns.set(key, col);
  });
  sheet.columns = columns;
  // the guide sheet shows the headers above its example row: never data
  sheet.isLedger = columns.has('itemKey') && sheet.name !== GUIDE_SHEET_NAME;
}

function toLedgerRow(row: number, values: unknown[], columns: Map<ImportColumnKey, number>): LedgerRow {
  const cells: LedgerRow['cells'] = {};
  for (const [key, col] of columns) {
    const cell = rawCellOf(values[col]);
    if (cell) cells[key] = cell;
  }
  return { row, cells };
}

/** Longer than a cell may be, or cut short by the markup scanner on its way in. */
function isTooLong(value: unknown, maxChars: number): boolean {
  const text = typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null && Array.isArray((value as { richText?: unknown }).richText)
      ? (value as { richText: { text?: unknown }[] }).richText.map((r) => (typeof r.text === 'string' ? r.text : '')).join('')
      : typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string'
        ? (value as { text: string }).text
        : undefined;
  return text !== undefined && (text.length > maxChars || text.includes(OVERSIZED_MARK));
}

function isFormula(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('formula' in value || 'sharedFormula' in value);
}

/** 1 → A, 27 → AA. */
export function columnLetters(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** exceljs' reader keeps workbookPr but does not type it. */
function workbookUses1904(reader: unknown): boolean {
  const props = (reader as { properties?: { model?: { date1904?: boolean } } }).properties;
  return props?.model?.date1904 === true;
}
