/**
 * Evidence files go to the API's evidence route as a raw body (the file name
 * percent-encoded in X-File-Name); the answer's `ref` ("evidence:<id>") is what
 * progress reports and submissions list. A thin fetch wrapper: the route takes
 * a raw body, which the generated client does not model.
 */
import { api, getToken } from './client';
import { ApiError } from './problem';

export interface StoredEvidence {
  id: string;
  sha256: string;
  name: string;
  contentType: string;
  size: number;
  ref: string;
}

export async function uploadEvidence(itemId: string, taskId: string, file: File): Promise<StoredEvidence> {
  const res = await fetch(`/items/${encodeURIComponent(itemId)}/tasks/${encodeURIComponent(taskId)}/evidence`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${getToken() ?? ''}`,
      'Content-Type': file.type || 'application/octet-stream',
      'X-File-Name': encodeURIComponent(file.name),
    },
    body: file,
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw ApiError.from(res.status, body);
  return body as StoredEvidence;
}

/** "evidence:<id>" refers to a stored file; anything else is a plain reference the API took as text. */
export function evidenceId(ref: string): string | undefined {
  return ref.startsWith('evidence:') ? ref.slice('evidence:'.length) : undefined;
}

/** Opens a stored file with the bearer token (a plain link could not carry it). */
export async function openEvidence(id: string): Promise<void> {
  const res = await fetch(`/evidence/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) throw ApiError.from(res.status, await res.json().catch(() => undefined));
  const url = URL.createObjectURL(await res.blob());
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The files stored for a task (names for the refs a report lists); empty when they cannot be read. */
export async function listEvidence(itemId: string, taskId: string): Promise<StoredEvidence[]> {
  const { data } = await api.GET('/items/{id}/tasks/{taskId}/evidence', { params: { path: { id: itemId, taskId } } });
  return data?.files ?? [];
}
