/**
 * One JSON POST with a timeout, and the classification every HTTP channel
 * shares: network faults and timeouts are retryable, 429 is rate limiting,
 * 5xx is the server's trouble, redirects are not followed (a moved webhook is
 * a configuration problem, and following it could carry a token elsewhere).
 */
import { redact } from '../redact';
import type { SendOutcome } from './types';

export type Failure = Extract<SendOutcome, { ok: false }>;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** the body, cut at 64 KiB */
  body: string;
}

export interface PostOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** masked in any error text */
  secrets: ReadonlyArray<string | undefined>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function postJson(url: string, body: string, o: PostOptions): Promise<HttpAnswer | Failure> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  try {
    const res = await o.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...o.headers },
      body,
      redirect: 'manual',
      signal,
    });
    return { status: res.status, headers: res.headers, body: await readCapped(res) };
  } catch (err) {
    if (timeout.aborted) return failure('timeout', true, `no answer within ${o.timeoutMs} ms`, o.secrets);
    if (o.signal?.aborted) return failure('timeout', true, 'aborted by the caller', o.secrets);
    return failure('network', true, `network error: ${describeNetworkError(err)}`, o.secrets);
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/** undici wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }) */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = cause?.code ?? (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export function failure(
  kind: Failure['failure'],
  retryable: boolean,
  error: string,
  secrets: ReadonlyArray<string | undefined>,
  retryAfterMs?: number,
): Failure {
  const out: Failure = { ok: false, failure: kind, retryable, rateLimited: kind === 'rateLimited', error: redact(error, secrets) };
  if (retryAfterMs !== undefined && !Number.isNaN(retryAfterMs)) out.retryAfterMs = clampRetryAfter(retryAfterMs);
  return out;
}

/**
 * The waits a receiver may ask for are taken within these bounds: below a
 * second the sender would hammer it (a "0" or a date in the past), above an
 * hour a typo or a hostile answer (10^12 s) would park the endpoint for ever.
 */
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 3_600_000;

export function clampRetryAfter(ms: number): number {
  if (Number.isNaN(ms)) return RETRY_AFTER_MIN_MS;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, Math.round(ms)));
}

/** An HTTP date as RFC 9110 §5.6.7 writes it (IMF-fixdate, or the obsolete RFC 850 and asctime forms), nothing looser. */
const HTTP_DATE = /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3), relative to
 * the injected clock, within 1 s … 1 h; anything else (negative, fractional,
 * words, a date Date.parse would guess at) is not understood: undefined, and
 * the ordinary backoff applies.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return clampRetryAfter(Number(v) * 1000);
  if (!HTTP_DATE.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : clampRetryAfter(at - nowMs);
}

/** The classification of an HTTP status that is not a success, shared by every HTTP channel. */
export function statusFailure(a: HttpAnswer, nowMs: number, secrets: ReadonlyArray<string | undefined>): Failure {
  const retryAfter = parseRetryAfter(a.headers.get('retry-after'), nowMs);
  const what = `HTTP ${a.status}`;
  if (a.status === 429) return failure('rateLimited', true, `${what}: too many requests`, secrets, retryAfter);
  if (a.status === 408) return failure('timeout', true, `${what}: request timeout`, secrets, retryAfter);
  if (a.status >= 500) return failure('server', true, `${what}${snippet(a.body)}`, secrets, retryAfter);
  if (a.status === 410) return failure('gone', false, `${what}: the receiver no longer accepts deliveries`, secrets);
  if (a.status >= 300 && a.status < 400) return failure('config', false, `${what}: redirect not followed; update the endpoint`, secrets);
  return failure('rejected', false, `${what}${snippet(a.body)}`, secrets);
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return s ? `: ${s}` : '';
}

/** Parses a JSON object answer; undefined when the body is not one. */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function isFailure(x: HttpAnswer | Failure): x is Failure {
  return 'ok' in x;
}

/** Joins a configured base URL and a path without doubling or losing the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
