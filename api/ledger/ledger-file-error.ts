/**
 * Why an uploaded file is refused before its content is looked at. Each code
 * carries the HTTP status the route should answer with, and a Chinese message
 * fit to show the person who uploaded the file.
 */

export type LedgerFileErrorCode =
  | 'FILE_TOO_LARGE' // 413: the upload is over the byte limit
  | 'NOT_A_WORKBOOK' // 415: not an .xlsx (legacy .xls, CSV, another OOXML document, random bytes)
  | 'ENCRYPTED_WORKBOOK' // 422: a password-protected workbook (OLE2 EncryptedPackage, or encrypted ZIP entries)
  | 'CORRUPT_WORKBOOK' // 422: a ZIP whose structure does not hold together
  | 'ZIP_BOMB' // 413 (too much when inflated) or 422 (suspicious ratio, entry count, lying sizes)
  | 'FORMULA_CELLS' // 422: cells hold formulas; refused, never evaluated
  | 'TOO_MANY_ROWS' // 413: more data rows than the import accepts
  | 'NO_LEDGER_SHEET' // 422: no worksheet with the import headers
  | 'CELL_TOO_LONG' // 422: a cell holds more text than Excel allows (32,767 characters)
  | 'TEXT_TOO_LARGE'; // 413: more text in one part of the workbook than the import reads

export class LedgerFileError extends Error {
  readonly code: LedgerFileErrorCode;
  /** the HTTP status the upload route should answer with */
  readonly status: 413 | 415 | 422;
  readonly details: Record<string, unknown>;

  constructor(code: LedgerFileErrorCode, status: 413 | 415 | 422, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'LedgerFileError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function isLedgerFileError(value: unknown): value is LedgerFileError {
  return value instanceof LedgerFileError;
}
