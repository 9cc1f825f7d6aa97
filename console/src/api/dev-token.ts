/**
 * POST /dev/token: local tokens for a chosen role and unit, served by the API in
 * development only (absent in production, where it answers 404).
 */
import { ApiError } from './problem';

export interface DevTokenRequest { role: string; unit?: string; sub?: string; name?: string }

export async function requestDevToken(body: DevTokenRequest): Promise<string> {
  const res = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => undefined);
  if (!res.ok) throw ApiError.from(res.status, answer);
  return (answer as { token: string }).token;
}

/** The active units, read with a supervisor's development token (reading the directory needs one). */
export async function devUnits(): Promise<Array<{ code: string; name: string }>> {
  const token = await requestDevToken({ role: 'supervisor', sub: 'console-sign-in', name: 'sign-in' });
  const res = await fetch('/units', { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw ApiError.from(res.status, await res.json().catch(() => undefined));
  const { units } = (await res.json()) as { units: Array<{ code: string; name: string; active: boolean; kind: string }> };
  return units.filter((u) => u.active).map((u) => ({ code: u.code, name: u.name }));
}
