/**
 * POST /dev/token: local tokens for a chosen role and unit, served by the API
 * with its development secret outside production only (404 elsewhere).
 */
import { api, unwrap } from './client';
import { ApiError } from './problem';

export interface DevTokenRequest { role: 'leader' | 'owner' | 'supervisor' | 'admin'; unit?: string; sub?: string; name?: string }

export async function requestDevToken(body: DevTokenRequest): Promise<string> {
  return (await unwrap(api.POST('/dev/token', { body }))).token;
}

/** The active units, read with a supervisor's development token (reading the directory needs one). */
export async function devUnits(): Promise<Array<{ code: string; name: string }>> {
  const token = await requestDevToken({ role: 'supervisor', sub: 'console-sign-in', name: 'sign-in' });
  const res = await fetch('/units', { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw ApiError.from(res.status, await res.json().catch(() => undefined));
  const { units } = (await res.json()) as { units: Array<{ code: string; name: string; active: boolean }> };
  return units.filter((u) => u.active).map((u) => ({ code: u.code, name: u.name }));
}
