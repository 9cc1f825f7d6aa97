/**
 * The Excel ledger: the import template and a plan's import (raw .xlsx body,
 * answered with a job to poll). Thin fetch wrappers: binary bodies and
 * downloads, which the generated client does not model.
 */
import { getToken, type Schemas } from './client';
import { ApiError } from './problem';

export type LedgerImport = Schemas['LedgerImport'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function importLedger(planId: string, file: File): Promise<Schemas['LedgerImportAnswer']> {
  const res = await fetch(`/plans/${encodeURIComponent(planId)}/ledger-imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${getToken() ?? ''}`, 'Content-Type': XLSX },
    body: file,
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw ApiError.from(res.status, body);
  return body as Schemas['LedgerImportAnswer'];
}

/** Downloads a spreadsheet the API answers (template, ledger, notices) under `name`. */
export async function download(path: string, name: string): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) throw ApiError.from(res.status, await res.json().catch(() => undefined));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
