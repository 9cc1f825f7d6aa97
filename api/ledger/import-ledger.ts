/**
 * The whole import of an uploaded file: refuse what must not be parsed,
 * stream the sheet in, validate it. A refusal of the file throws a
 * LedgerFileError (status for the route included); a readable file with
 * wrong content resolves to { ok: false, errors } listing every mistake.
 */
import { guardUpload, type UploadLimits } from './file-guard';
import { readLedgerSheet, type LedgerSheet } from './import-parse';
import { validateLedgerRows, type ValidateOptions } from './import-validate';
import type { ImportResult } from './types';

export interface ImportOptions extends ValidateOptions {
  upload?: Partial<UploadLimits>;
  /** data rows accepted; DEFAULT_MAX_ROWS (20,000) by default */
  maxRows?: number;
}

export async function importLedger(buffer: Buffer, options: ImportOptions): Promise<ImportResult> {
  return validateLedgerRows(await readLedgerFile(buffer, options), options);
}

/** The refusals of the file and its sheet, read: what importLedger validates (a caller may validate it more than once). */
export async function readLedgerFile(buffer: Buffer, options: Pick<ImportOptions, 'upload' | 'maxRows'>): Promise<LedgerSheet> {
  await guardUpload(buffer, options.upload);
  return readLedgerSheet(buffer, {
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    ...(options.upload?.maxUncompressedBytes === undefined ? {} : { maxInflatedBytes: options.upload.maxUncompressedBytes }),
    ...(options.upload?.maxEntries === undefined ? {} : { maxEntries: options.upload.maxEntries }),
  });
}
