/**
 * A readable file whose content breaks the rules: every mistake, by 1-based
 * sheet row and Chinese column header, in sheet order. Answered as 422
 * LEDGER_INVALID; nothing is created.
 */
import { IMPORT_COLUMNS } from '../ledger/import-columns';
import type { ImportError } from '../ledger/types';

/** Errors listed in one answer; past this the message (and `errorsTotal`) says how many more there are. */
export const LISTED_ERRORS = 200;
/** Characters of a cell's text quoted in a message: a message names the mistake, it does not echo a whole cell. */
export const QUOTED_CHARS = 40;

/** “…” quotes in a message cut to QUOTED_CHARS, so a file of long wrong cells does not make a long answer. */
export function clipQuotes(message: string): string {
  return message.replace(/“([^”]*)”/g, (whole, quoted: string) => {
    const chars = Array.from(quoted);
    return chars.length <= QUOTED_CHARS ? whole : `“${chars.slice(0, QUOTED_CHARS).join('')}…”（共 ${chars.length} 字）`;
  });
}

export class LedgerRowsRejected extends Error {
  readonly errors: ImportError[];
  /** how many there were in all (only the first LISTED_ERRORS are listed) */
  readonly total: number;

  constructor(errors: ImportError[]) {
    const order = new Map(IMPORT_COLUMNS.map((c, i) => [c.header, i]));
    const sorted = [...errors].sort((a, b) => a.row - b.row || (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99));
    const more = sorted.length > LISTED_ERRORS ? `，以下列出前 ${LISTED_ERRORS} 处，另有 ${sorted.length - LISTED_ERRORS} 处未列出` : '';
    super(`导入文件有 ${sorted.length} 处错误，均未导入，请改正后重新上传${more}`);
    this.name = 'LedgerRowsRejected';
    this.errors = sorted.slice(0, LISTED_ERRORS).map((e) => ({ ...e, message: clipQuotes(e.message) }));
    this.total = sorted.length;
  }
}
