/**
 * How each channel reads the answers the platforms document, with a fake
 * fetch standing in for the network (the integration test covers the real
 * sockets). Every case is one answer and the outcome it must give.
 */
import { createChannels } from '../../activities/delivery/channels';
import { parseRetryAfter } from '../../activities/delivery/channels/http';
import type { DeliveryMessage, EndpointConfig } from '../../activities/delivery/channels/types';

const NOW = Date.UTC(2026, 5, 1);
const message: DeliveryMessage = { deliveryId: 'd-1', title: 't', markdown: 'm', text: 't' };

function answering(status: number, body: string, headers: Record<string, string> = {}) {
  const fakeFetch = (async () => new Response(status === 204 ? null : body, { status, headers })) as typeof fetch;
  return createChannels({ now: () => NOW, fetch: fakeFetch });
}

const dingtalk: EndpointConfig = { kind: 'dingtalk', id: 'd', accessToken: 'tok-000001', secret: 'SEC-000001' };
const wecom: EndpointConfig = { kind: 'wecom', id: 'w', key: 'key-000001' };
const feishu: EndpointConfig = { kind: 'feishu', id: 'f', hookId: 'hook-000001', secret: 'sec-000001' };

it.each([
  ['DingTalk errcode 0', dingtalk, 200, '{"errcode":0,"errmsg":"ok"}', {}, { ok: true }],
  ['DingTalk sign not match', dingtalk, 200, '{"errcode":310000,"errmsg":"sign not match"}', {}, { failure: 'rejected', retryable: false }],
  ['DingTalk robot stopped', dingtalk, 200, '{"errcode":400102,"errmsg":"机器人已停用"}', {}, { failure: 'rejected', retryable: false }],
  ['DingTalk too fast', dingtalk, 200, '{"errcode":130101,"errmsg":"send too fast"}', {}, { failure: 'rateLimited', retryAfterMs: 600_000 }],
  ['DingTalk 发送速度太快', dingtalk, 200, '{"errcode":410100,"errmsg":"发送速度太快而限流"}', {}, { failure: 'rateLimited', retryable: true }],
  ['DingTalk system busy', dingtalk, 200, '{"errcode":-1,"errmsg":"系统繁忙"}', {}, { failure: 'server', retryable: true }],
  ['DingTalk HTML from a proxy', dingtalk, 200, '<html>gateway</html>', {}, { failure: 'server', retryable: true }],
  ['WeCom errcode 0', wecom, 200, '{"errcode":0,"errmsg":"ok"}', {}, { ok: true }],
  ['WeCom freq limit', wecom, 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', {}, { failure: 'rateLimited', retryAfterMs: 60_000 }],
  ['WeCom bad key', wecom, 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', {}, { failure: 'rejected', retryable: false }],
  ['WeCom too long', wecom, 200, '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}', {}, { failure: 'rejected', retryable: false }],
  ['Feishu code 0', feishu, 200, '{"code":0,"msg":"success","data":{}}', {}, { ok: true }],
  ['Feishu old StatusCode 0', feishu, 200, '{"Extra":null,"StatusCode":0,"StatusMessage":"success"}', {}, { ok: true }],
  ['Feishu 11232', feishu, 200, '{"code":11232,"msg":"frequency limited"}', {}, { failure: 'rateLimited', retryable: true }],
  ['Feishu 9499 throttling', feishu, 200, '{"code":9499,"msg":"too many request"}', {}, { failure: 'rateLimited', retryable: true }],
  ['Feishu 9499 bad request', feishu, 200, '{"code":9499,"msg":"Bad Request","data":{}}', {}, { failure: 'rejected', retryable: false }],
  ['Feishu bad sign', feishu, 200, '{"code":19021,"msg":"sign match fail"}', {}, { failure: 'rejected', retryable: false }],
  ['Feishu 429 with reset', feishu, 429, '{"code":99991400,"msg":"request trigger frequency limit"}', { 'x-ogw-ratelimit-reset': '52' }, { failure: 'rateLimited', retryAfterMs: 52_000 }],
  ['Feishu old 400 frequency', feishu, 400, '{"code":99991400,"msg":"request trigger frequency limit"}', {}, { failure: 'rateLimited', retryable: true }],
  ['Feishu 503', feishu, 503, 'unavailable', { 'retry-after': '3' }, { failure: 'server', retryAfterMs: 3_000 }],
] as const)('%s', async (_, endpoint, status, body, headers, expected) => {
  const outcome = await answering(status, body, headers).send(message, endpoint);
  expect(outcome).toMatchObject('ok' in expected ? { ok: true, receivedAt: NOW } : { ok: false, ...expected });
  if (!outcome.ok) for (const s of ['tok-000001', 'SEC-000001', 'key-000001', 'hook-000001', 'sec-000001']) expect(outcome.error).not.toContain(s);
});

it('Retry-After as seconds or as an HTTP date, against the injected clock', () => {
  expect(parseRetryAfter('120', NOW)).toBe(120_000);
  expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
  expect(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW)).toBe(1_000); // no sooner than a second
  expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  expect(parseRetryAfter(null, NOW)).toBeUndefined();
});

it('a fetch that throws is a network failure (its text redacted), an unknown kind a configuration failure: never an exception', async () => {
  const throwing = createChannels({ now: () => NOW, fetch: (() => { throw new Error('boom key=abc123'); }) as unknown as typeof fetch });
  const thrown = await throwing.send(message, wecom);
  expect(thrown).toMatchObject({ ok: false, failure: 'network', retryable: true, error: 'network error: boom key=***' });
  const none = createChannels({ now: () => NOW });
  await expect(none.send(message, { kind: 'pager', id: 'p' } as unknown as EndpointConfig)).resolves.toMatchObject({
    ok: false, failure: 'config', retryable: false,
  });
});
