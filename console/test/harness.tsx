/**
 * Renders the console at a path with a signed-in role and a fake API: `routes`
 * answers "METHOD /path" (query ignored) with a status and JSON body; every
 * request is recorded with its body.
 */
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { App } from '../src/App';
import { SessionProvider } from '../src/auth/SessionContext';
import { sessionFromToken, type Role } from '../src/auth/session';
import { I18nProvider, type Lang } from '../src/i18n/I18n';

export function fakeToken(claims: { role: Role; sub?: string; name?: string; unit?: string }): string {
  const b64 = (o: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'HS256' })}.${b64({ sub: 'u-1', name: '测试', exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.sig`;
}

export type Answer = { status: number; body?: unknown } | ((body: unknown) => { status: number; body?: unknown });
export interface Sent { method: string; path: string; search: string; body: unknown; headers: Headers }

export function fakeApi(routes: Record<string, Answer>) {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text().catch(() => '');
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* raw body */ }
    const path = decodeURIComponent(url.pathname);
    sent.push({ method: request.method, path, search: url.search, body, headers: request.headers });
    const answer = routes[`${request.method} ${path}`];
    const { status, body: out } = typeof answer === 'function' ? answer(body) : answer ?? { status: 404, body: { title: 'Not found', status: 404, code: 'NOT_FOUND', detail: `no route ${path}` } };
    const problem = status >= 400;
    return new Response(out === undefined ? null : JSON.stringify(out), {
      status, headers: { 'Content-Type': problem ? 'application/problem+json' : 'application/json' },
    });
  });
  return sent;
}

export function renderAt(path: string, role?: { role: Role; unit?: string; sub?: string; name?: string }, lang: Lang = 'zh') {
  const session = role ? sessionFromToken(fakeToken(role)) : undefined;
  return render(
    <I18nProvider initial={lang}>
      <SessionProvider initial={session}>
        <MemoryRouter initialEntries={[path]}>
          <App />
        </MemoryRouter>
      </SessionProvider>
    </I18nProvider>,
  );
}

export const problem = (status: number, code: string, title: string, detail: string, errors?: Array<{ path: string; message: string }>) =>
  ({ status, body: { type: `urn:rectification:problem:${code.toLowerCase()}`, title, status, detail, code, requestId: 'req-1', errors } });
