/**
 * The whole import of an uploaded file: refuse what must not be parsed,
 * stream the sheet in, validate it. A refusal of the file throws a
 * LedgerFileError (status for the route included); a readable file with
 * wrong content resolves to { ok: false, errors } listing every mistake.
 */
import { guardUpload, type UploadLimits } from './file-guard';
import { readLedgerSheet } from './import-parse';
import { validateLedgerRows, type ValidateOptions } from './import-validate';
import type { ImportResult } from './types';

export interface ImportOptions extends ValidateOptions {
  upload?: Partial<UploadLimits>;
  /** data rows accepted; DEFAULT_MAX_ROWS (20,000) by default */
  maxRows?: number;
}

export async function importLedger(buffer: Buffer, options: ImportOptions): Promise<ImportResult> {
  await guardUpload(buffer, options.upload);
  const sheet = await readLedgerSheet(buffer, {
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    ...(options.upload?.maxUncompressedBytes === undefined ? {} : { maxInflatedBytes: options.upload.maxUncompressedBytes }),
    ...(options.upload?.maxEntries === undefined ? {} : { maxEntries: options.upload.maxEntries }),
  });
  return validateLedgerRows(sheet, options);
}
