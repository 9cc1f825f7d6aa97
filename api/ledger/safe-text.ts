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

/**
 * What XML 1.0 has no character for: C0 controls but tab, LF and CR, the
 * noncharacters U+FFFE and U+FFFF, and a surrogate without its other half.
 * The database lets them into text; one of them in a part makes a file that
 * Excel refuses to open, so every text that reaches a file goes through here.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without the characters XML cannot carry (they are invisible, or not characters at all). */
export function xmlSafeText(text: string): string {
  return text.replace(NOT_XML, '');
}

/** The text as it is safe to put in a cell: XML-safe, and never taken for a formula. */
export function safeCellText(text: string): string {
  const clean = xmlSafeText(text);
  return isFormulaLike(clean) ? `'${clean}` : clean;
}

/**
 * Undoes safeCellText on import, so a sheet we exported reads back as it was
 * written. Only an apostrophe in front of a trigger character is removed: an
 * apostrophe before anything else is the user's own text.
 */
export function unescapeCellText(text: string): string {
  return text.startsWith("'") && isFormulaLike(text.slice(1)) ? text.slice(1) : text;
}
