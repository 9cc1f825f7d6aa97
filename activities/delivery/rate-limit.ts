/**
 * Per-endpoint token buckets, and backoff for failed sends. Nothing here
 * sleeps: the limiter says how long to wait and the dispatcher decides what to
 * do meanwhile (send to another endpoint, schedule a retry). Time comes from
 * the injected clock.
 *
 * A bucket of `capacity` tokens refilled at `perMinute` lets through at most
 * capacity + perMinute × (window / 1 min) messages in any window. The platform
 * defaults below keep that under each platform's published limit:
 * - DingTalk and WeCom: 20 a minute per robot (DingTalk then blocks the robot for
 *   10 minutes). 5 + 15 = 20 in any minute.
 * - Feishu: 100 a minute and 5 a second per custom bot. 3 + 95 = 98 in any
 *   minute, 3 + 95/60 ≈ 4.6 in any second.
 */
import type { ChannelKind, SendOutcome } from './channels/types';

export interface BucketSpec {
  capacity: number;
  perMinute: number;
}

export const PLATFORM_LIMITS: Readonly<Record<ChannelKind, BucketSpec | undefined>> = {
  dingtalk: { capacity: 5, perMinute: 15 },
  wecom: { capacity: 5, perMinute: 15 },
  feishu: { capacity: 3, perMinute: 95 },
  webhook: undefined, // the receiver's own business; it answers 429 when it must
  email: undefined,
};

export interface BucketState {
  tokens: number;
  at: number;
  /** no token before this instant (the platform told us to back off) */
  blockedUntil: number;
}

/** Pure: refills the bucket up to `nowMs`, then takes a token if one is there. waitMs 0 means taken. */
export function takeToken(state: BucketState | undefined, spec: BucketSpec, nowMs: number): { state: BucketState; waitMs: number } {
  const refillPerMs = spec.perMinute / 60_000;
  const prev = state ?? { tokens: spec.capacity, at: nowMs, blockedUntil: 0 };
  const tokens = Math.min(spec.capacity, prev.tokens + Math.max(0, nowMs - prev.at) * refillPerMs);
  const current = { tokens, at: Math.max(prev.at, nowMs), blockedUntil: prev.blockedUntil };
  if (nowMs < current.blockedUntil) return { state: current, waitMs: current.blockedUntil - nowMs };
  if (tokens >= 1) return { state: { ...current, tokens: tokens - 1 }, waitMs: 0 };
  return { state: current, waitMs: Math.ceil((1 - tokens) / refillPerMs) };
}

export interface RateLimiter {
  /** Takes a token for the endpoint, or says how many ms until one is due (and takes nothing). */
  take(endpointId: string, spec: BucketSpec | undefined): { allowed: true } | { allowed: false; waitMs: number };
  /** The platform said "too fast": no tokens until `waitMs` from now, then a bucket that refills from empty. */
  penalize(endpointId: string, spec: BucketSpec | undefined, waitMs: number): void;
}

export function createRateLimiter(now: () => number): RateLimiter {
  const buckets = new Map<string, BucketState>();
  return {
    take(endpointId, spec) {
      if (!spec) return { allowed: true };
      const { state, waitMs } = takeToken(buckets.get(endpointId), spec, now());
      buckets.set(endpointId, state);
      return waitMs === 0 ? { allowed: true } : { allowed: false, waitMs };
    },
    penalize(endpointId, spec, waitMs) {
      const at = now();
      const blockedUntil = Math.max(buckets.get(endpointId)?.blockedUntil ?? 0, at + Math.max(0, waitMs));
      // the bucket starts filling when the block ends, so the first burst after it stays small
      buckets.set(endpointId, { tokens: spec ? Math.min(1, spec.capacity) : 0, at: blockedUntil, blockedUntil });
    },
  };
}

export interface BackoffOptions {
  /** first delay of a plain retryable failure; default 5 s */
  baseMs?: number;
  /** first delay after rate limiting without a Retry-After; default 60 s (the platforms count per minute) */
  rateLimitBaseMs?: number;
  /** default 6 h */
  maxMs?: number;
  /** in [0, 1); default Math.random. Injected for tests */
  random?: () => number;
}

/**
 * How long to wait before attempt `attempt + 1` after a failed attempt `attempt`
 * (1-based), or undefined when the failure is not worth retrying. A wait the
 * receiver asked for (retryAfterMs) is honoured, plus up to 10 % so that many
 * endpoints told the same thing do not all come back at once; otherwise the
 * delay doubles per attempt from its base, with "equal jitter" (half fixed, half random).
 */
export function retryDelayMs(outcome: SendOutcome, attempt: number, o: BackoffOptions = {}): number | undefined {
  if (outcome.ok || !outcome.retryable) return undefined;
  const random = o.random ?? Math.random;
  const maxMs = o.maxMs ?? 6 * 3_600_000;
  // never sooner than a second, whatever the receiver said (channels clamp too; this is the last word)
  if (outcome.retryAfterMs !== undefined) return Math.min(maxMs, Math.max(1_000, Math.round(outcome.retryAfterMs * (1 + 0.1 * random()))));
  const base = outcome.rateLimited ? (o.rateLimitBaseMs ?? 60_000) : (o.baseMs ?? 5_000);
  const exp = Math.min(maxMs, base * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
