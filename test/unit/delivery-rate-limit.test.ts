import type { SendOutcome } from '../../activities/delivery/channels/types';
import { createRateLimiter, PLATFORM_LIMITS, retryDelayMs, takeToken, type BucketSpec } from '../../activities/delivery/rate-limit';

const MIN = 60_000;

/** how many sends a limiter lets through in [0, windowMs) when asked every `stepMs` */
function admittedIn(spec: BucketSpec, windowMs: number, stepMs: number): number {
  let t = 0;
  const limiter = createRateLimiter(() => t);
  let n = 0;
  for (t = 0; t < windowMs; t += stepMs) if (limiter.take('e', spec).allowed) n += 1;
  return n;
}

describe('token bucket', () => {
  it('starts full, then says exactly how long until the next token', () => {
    const spec = { capacity: 2, perMinute: 6 }; // a token every 10 s
    let s = takeToken(undefined, spec, 0);
    expect(s.waitMs).toBe(0);
    s = takeToken(s.state, spec, 0);
    expect(s.waitMs).toBe(0);
    s = takeToken(s.state, spec, 4_000);
    expect(s.waitMs).toBe(6_000);
    s = takeToken(s.state, spec, 10_000);
    expect(s.waitMs).toBe(0);
  });

  it('does not consume when it refuses, and never holds more than the capacity', () => {
    const spec = { capacity: 3, perMinute: 60 };
    let s = takeToken(undefined, spec, 0);
    s = takeToken(s.state, spec, 10 * MIN);
    expect(s.state.tokens).toBe(2);
  });

  it.each([
    ['dingtalk', 20],
    ['wecom', 20],
    ['feishu', 100],
  ] as const)('keeps %s within its published %i a minute in any minute, even when hammered', (kind, perMinute) => {
    const spec = PLATFORM_LIMITS[kind]!;
    expect(admittedIn(spec, MIN, 100)).toBeLessThanOrEqual(perMinute);
    // and still lets most of it through over a long run
    expect(admittedIn(spec, 10 * MIN, 100)).toBeGreaterThanOrEqual(perMinute * 10 * 0.75);
  });

  it('keeps Feishu within 5 a second', () => {
    expect(admittedIn(PLATFORM_LIMITS.feishu!, 1_000, 10)).toBeLessThanOrEqual(5);
  });

  it('buckets are per endpoint, and endpoints without a limit are always allowed', () => {
    let t = 0;
    const limiter = createRateLimiter(() => t);
    const spec = { capacity: 1, perMinute: 1 };
    expect(limiter.take('a', spec)).toEqual({ allowed: true });
    expect(limiter.take('a', spec)).toEqual({ allowed: false, waitMs: MIN });
    expect(limiter.take('b', spec)).toEqual({ allowed: true });
    for (let i = 0; i < 100; i += 1) expect(limiter.take('c', undefined)).toEqual({ allowed: true });
    t = MIN;
    expect(limiter.take('a', spec)).toEqual({ allowed: true });
  });

  it('after a penalty nothing passes until it ends, then the bucket refills from one token', () => {
    let t = 0;
    const limiter = createRateLimiter(() => t);
    const spec = PLATFORM_LIMITS.dingtalk!;
    limiter.penalize('d', spec, 10 * MIN);
    t = 9 * MIN;
    expect(limiter.take('d', spec)).toEqual({ allowed: false, waitMs: MIN });
    t = 10 * MIN;
    expect(limiter.take('d', spec)).toEqual({ allowed: true });
    expect(limiter.take('d', spec)).toEqual({ allowed: false, waitMs: 4_000 }); // 15 a minute
  });
});

describe('retryDelayMs', () => {
  const fail = (o: Partial<Extract<SendOutcome, { ok: false }>>): SendOutcome => ({
    ok: false, failure: 'server', retryable: true, rateLimited: false, error: 'x', ...o,
  });

  it('gives no delay for success or a failure a retry would not fix', () => {
    expect(retryDelayMs({ ok: true, receivedAt: 1 }, 1)).toBeUndefined();
    expect(retryDelayMs(fail({ retryable: false, failure: 'rejected' }), 1)).toBeUndefined();
  });

  it('honours the wait the receiver asked for, plus at most 10 %', () => {
    expect(retryDelayMs(fail({ rateLimited: true, retryAfterMs: 600_000 }), 1, { random: () => 0 })).toBe(600_000);
    expect(retryDelayMs(fail({ rateLimited: true, retryAfterMs: 600_000 }), 1, { random: () => 0.999 })).toBeLessThanOrEqual(660_000);
    expect(retryDelayMs(fail({ retryAfterMs: 30 * 3_600_000 }), 1, { random: () => 0 })).toBe(6 * 3_600_000);
  });

  it('backs off rate limiting from a minute and other failures from 5 s, doubling, with jitter in [half, full]', () => {
    expect(retryDelayMs(fail({ rateLimited: true, failure: 'rateLimited' }), 1, { random: () => 0 })).toBe(30_000);
    expect(retryDelayMs(fail({ rateLimited: true, failure: 'rateLimited' }), 3, { random: () => 1 })).toBe(240_000);
    expect(retryDelayMs(fail({}), 1, { random: () => 1 })).toBe(5_000);
    expect(retryDelayMs(fail({}), 4, { random: () => 0 })).toBe(20_000);
    expect(retryDelayMs(fail({}), 60, { random: () => 1 })).toBe(6 * 3_600_000);
  });
});
