/**
 * Formula injection (CSV/spreadsheet injection, OWASP). exceljs writes every
 * JavaScript string as a string cell, so no spreadsheet evaluates it as
 * written. But a user who clicks into such a cell and presses Enter, or saves
 * the sheet as CSV and opens that, turns "=HYPERLINK(...)" into a live
 * formula. OWASP's remedy: text that starts with = + - @, a tab or a carriage
 * return gets a leading apostrophe, which every spreadsheet reads as "this is
 * text".
 */

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

export function isFormulaLike(text: string): boolean {
  return text.length > 0 && TRIGGERS.has(text[0] as string);
}

/** The text as it is safe to put in a cell. */
export function safeCellText(text: string): string {
  return isFormulaLike(text) ? `'${text}` : text;
}

/**
 * Undoes safeCellText on import, so a sheet we exported reads back as it was
 * written. Only an apostrophe in front of a trigger character is removed: an
 * apostrophe before anything else is the user's own text.
 */
export function unescapeCellText(text: string): string {
  return text.startsWith("'") && isFormulaLike(text.slice(1)) ? text.slice(1) : text;
}
