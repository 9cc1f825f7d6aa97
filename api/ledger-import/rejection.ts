/**
 * A readable file whose content breaks the rules: every mistake, by 1-based
 * sheet row and Chinese column header, in sheet order. Answered as 422
 * LEDGER_INVALID; nothing is created.
 */
import { IMPORT_COLUMNS } from '../ledger/import-columns';
import type { ImportError } from '../ledger/types';

/** Errors listed in one answer; past this the message says how many more there are. */
export const LISTED_ERRORS = 1000;

export class LedgerRowsRejected extends Error {
  readonly errors: ImportError[];
  /** how many there were in all (only the first LISTED_ERRORS are listed) */
  readonly total: number;

  constructor(errors: ImportError[]) {
    const order = new Map(IMPORT_COLUMNS.map((c, i) => [c.header, i]));
    const sorted = [...errors].sort((a, b) => a.row - b.row || (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99));
    const more = sorted.length > LISTED_ERRORS ? `，以下列出前 ${LISTED_ERRORS} 处` : '';
    super(`导入文件有 ${sorted.length} 处错误，均未导入，请改正后重新上传${more}`);
    this.name = 'LedgerRowsRejected';
    this.errors = sorted.slice(0, LISTED_ERRORS);
    this.total = sorted.length;
  }
}
