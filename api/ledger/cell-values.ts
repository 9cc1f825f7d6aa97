/**
 * What a cell holds, reduced from exceljs' many value shapes to the four the
 * import cares about. Formulas never get here: the parser refuses the file.
 */
import { dateOfCellDate, dateString } from './ledger-time';
import { unescapeCellText } from './safe-text';

export type RawCell =
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; date: Date }
  | { kind: 'error'; code: string };

/** exceljs cell value → RawCell; undefined for an empty cell (or one holding only spaces). */
export function rawCellOf(value: unknown): RawCell | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return textCell(value);
  if (typeof value === 'number') return Number.isFinite(value) ? { kind: 'number', value } : undefined;
  if (typeof value === 'boolean') return { kind: 'text', text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { kind: 'date', date: value };
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return textCell(v.richText.map((run: { text?: unknown }) => (typeof run.text === 'string' ? run.text : '')).join(''));
    }
    if (typeof v.error === 'string') return { kind: 'error', code: v.error };
    // a hyperlink cell shows its text
    if (typeof v.text === 'string') return textCell(v.text);
    if (v.text !== undefined) return rawCellOf(v.text);
  }
  return undefined;
}

function textCell(text: string): RawCell | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : { kind: 'text', text: unescapeCellText(trimmed) };
}

/** A cell read as text: numbers as written (1 → "1"), dates as YYYY-MM-DD. */
export function cellText(cell: RawCell | undefined): string | undefined {
  if (!cell) return undefined;
  switch (cell.kind) {
    case 'text':
      return cell.text;
    case 'number':
      return String(cell.value);
    case 'date': {
      const d = dateOfCellDate(cell.date);
      return d ? dateString(d) : undefined;
    }
    case 'error':
      return undefined;
  }
}
