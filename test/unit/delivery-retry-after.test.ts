/**
 * What a receiver says about waiting (Retry-After, Feishu's reset header, a
 * platform's penalty) is taken within 1 s … 1 h: a zero, negative, absurd or
 * unreadable answer neither makes the sender hammer the receiver nor parks an
 * endpoint for centuries.
 */
import { createChannels } from '../../activities/delivery/channels';
import { failure, parseRetryAfter, RETRY_AFTER_MAX_MS, RETRY_AFTER_MIN_MS } from '../../activities/delivery/channels/http';
import type { DeliveryMessage, EndpointConfig } from '../../activities/delivery/channels/types';
import { retryDelayMs } from '../../activities/delivery/rate-limit';

const NOW = Date.UTC(2026, 5, 1);
const message: DeliveryMessage = { deliveryId: 'd-1', title: 't', markdown: 'm', text: 't' };

it('the range is one second to one hour', () => {
  expect([RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS]).toEqual([1_000, 3_600_000]);
});

it.each([
  ['10^12 seconds', 3_600_000, '1000000000000'],
  ['400 digits', 3_600_000, '9'.repeat(400)],
  ['zero', 1_000, '0'],
  ['a date long past', 1_000, new Date(NOW - 86_400_000).toUTCString()],
  ['a date in ten years', 3_600_000, new Date(NOW + 10 * 365 * 86_400_000).toUTCString()],
  ['a date 90 s ahead', 90_000, new Date(NOW + 90_000).toUTCString()],
  ['two minutes', 120_000, ' 120 '],
])('Retry-After %s → %p ms', (_, expected, value) => {
  expect(parseRetryAfter(value, NOW)).toBe(expected);
});

it.each([['-5'], ['-1'], ['1.5'], ['1e3'], ['soon'], ['5 minutes'], ['Infinity'], ['NaN'], ['']])(
  'Retry-After %p is not understood: the ordinary backoff applies',
  (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  },
);

it('a failure never carries a wait outside the range, and a backoff never asks for less than a second', () => {
  expect(failure('rateLimited', true, 'x', [], 1e15).retryAfterMs).toBe(3_600_000);
  expect(failure('rateLimited', true, 'x', [], 0).retryAfterMs).toBe(1_000);
  expect(failure('rateLimited', true, 'x', [], -30_000).retryAfterMs).toBe(1_000);
  const zero = { ok: false as const, failure: 'rateLimited' as const, retryable: true, rateLimited: true, retryAfterMs: 0, error: '' };
  expect(retryDelayMs(zero, 1, { random: () => 0 })).toBeGreaterThanOrEqual(1_000);
});

it.each([
  ['a 429 with Retry-After 0', 429, { 'retry-after': '0' }, 1_000],
  ['a 503 with Retry-After -5', 503, { 'retry-after': '-5' }, undefined],
  ['a 429 with Retry-After 10^12', 429, { 'retry-after': '1000000000000' }, 3_600_000],
  ['a Feishu 429 with a reset of 10^12 s', 429, { 'x-ogw-ratelimit-reset': '1000000000000' }, 3_600_000],
  ['a Feishu 429 with a reset of 0', 429, { 'x-ogw-ratelimit-reset': '0' }, 1_000],
])('%s', async (_, status, headers, expected) => {
  const fakeFetch = (async () => new Response('{"code":99991400}', { status, headers })) as typeof fetch;
  const channels = createChannels({ now: () => NOW, fetch: fakeFetch });
  const endpoints: EndpointConfig[] = [
    { kind: 'webhook', id: 'w', url: 'http://127.0.0.1:9/hook', secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` },
    { kind: 'feishu', id: 'f', hookId: 'hook-000001' },
  ];
  const feishu = 'x-ogw-ratelimit-reset' in headers;
  const outcome = await channels.send(message, endpoints[feishu ? 1 : 0]!);
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) expect(outcome.retryAfterMs).toBe(expected);
});
