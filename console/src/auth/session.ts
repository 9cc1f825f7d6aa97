/**
 * Who is signed in: the bearer token and the claims the console reads from it
 * (role, unit, name). The API verifies the token on every request; the claims
 * here only decide what the console shows.
 */
import { setToken } from '../api/client';

export type Role = 'leader' | 'owner' | 'supervisor' | 'admin';

export interface Session {
  token: string;
  sub: string;
  name: string;
  role: Role;
  unit?: string;
  exp?: number;
}

const KEY = 'rect-console-token';

function base64UrlDecode(part: string): string {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The claims of a JWT, or undefined when it is not one the console can use. */
export function sessionFromToken(token: string): Session | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1]!)) as Record<string, unknown>;
    const role = claims.role;
    if (role !== 'leader' && role !== 'owner' && role !== 'supervisor' && role !== 'admin') return undefined;
    if (typeof claims.sub !== 'string') return undefined;
    return {
      token: token.trim(),
      sub: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : claims.sub,
      role,
      unit: typeof claims.unit === 'string' ? claims.unit : undefined,
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return undefined;
  }
}

export function loadSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  const session = token ? sessionFromToken(token) : undefined;
  if (session?.exp && session.exp * 1000 < Date.now()) return undefined;
  setToken(session?.token);
  return session;
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
  setToken(session?.token);
}

/** What a role may do in the console; the API enforces the same, this only hides controls. */
export const can = {
  decide: (s: Session) => s.role === 'leader' || s.role === 'admin',
  create: (s: Session) => s.role === 'leader' || s.role === 'admin',
  report: (s: Session) => s.role === 'owner' || s.role === 'admin',
};
