/**
 * The HTTP channels against local receivers that check each platform's
 * signature as documented (test/support/delivery-receivers.ts), and the
 * classification of every kind of answer: success, the platform's rate-limit
 * code, HTTP 429, 5xx, an answer slower than the timeout, a closed port, and
 * refused credentials. No request leaves 127.0.0.1.
 */
import { createChannels } from '../../activities/delivery/channels';
import type { DeliveryMessage, EndpointConfig, SendOutcome } from '../../activities/delivery/channels/types';
import { renderMessage } from '../../activities/delivery/render';
import {
  closedPort, dingtalkReceiver, feishuReceiver, standardWebhookReceiver, wecomReceiver, type Receiver,
} from '../support/delivery-receivers';

const NOW = Date.UTC(2026, 5, 1, 1, 0, 0);
const now = () => NOW;
const TIMEOUT_MS = 400;
const channels = createChannels({ now, timeoutMs: TIMEOUT_MS });
afterAll(() => channels.close());

const rendered = renderMessage({
  kind: 'escalation', level: 2, daysOverdue: 3, itemId: 'road-7', itemTitle: '修复村道', taskId: 'T1', taskDescription: '重铺路面',
  unitName: '县交通运输局', dueAt: '2026-05-29T15:59:59Z', timezone: 'Asia/Shanghai', baseUrl: 'https://dubann.example.cn',
});
const message: DeliveryMessage = { deliveryId: 'road-7_T1_escalation_2_ownerUnit', level: 2, ...rendered, event: { kind: 'escalation', itemId: 'road-7' } };

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
const SECRETS = ['dt-access-token-0001', 'SECdingtalk-secret-0001', 'wecom-key-0001-0002', 'feishu-hook-0001', 'feishu-secret-0001', WEBHOOK_SECRET];

function expectFailure(outcome: SendOutcome, expected: Partial<Extract<SendOutcome, { ok: false }>>): void {
  expect(outcome).toMatchObject({ ok: false, ...expected });
  const error = (outcome as { error: string }).error;
  for (const s of [...SECRETS, WEBHOOK_SECRET.slice(6)]) expect(error).not.toContain(s);
  expect(error).not.toMatch(/https?:\/\//);
}

interface Platform {
  name: string;
  start: () => Promise<Receiver>;
  endpoint: (baseUrl: string) => EndpointConfig;
  /** the same endpoint with a wrong credential */
  wrong: (baseUrl: string) => EndpointConfig;
  /** what the platform's own rate-limit answer asks us to wait */
  rateLimitWaitMs: number | undefined;
}

const platforms: Platform[] = [
  {
    name: 'DingTalk',
    start: () => dingtalkReceiver({ accessToken: 'dt-access-token-0001', secret: 'SECdingtalk-secret-0001', now }),
    endpoint: (baseUrl) => ({ kind: 'dingtalk', id: 'dt', accessToken: 'dt-access-token-0001', secret: 'SECdingtalk-secret-0001', baseUrl }),
    wrong: (baseUrl) => ({ kind: 'dingtalk', id: 'dt', accessToken: 'dt-access-token-0001', secret: 'SECdingtalk-secret-0002', baseUrl }),
    rateLimitWaitMs: 600_000,
  },
  {
    name: 'WeCom',
    start: () => wecomReceiver({ key: 'wecom-key-0001-0002' }),
    endpoint: (baseUrl) => ({ kind: 'wecom', id: 'wc', key: 'wecom-key-0001-0002', baseUrl }),
    wrong: (baseUrl) => ({ kind: 'wecom', id: 'wc', key: 'wecom-key-0001-9999', baseUrl }),
    rateLimitWaitMs: 60_000,
  },
  {
    name: 'Feishu',
    start: () => feishuReceiver({ hookId: 'feishu-hook-0001', secret: 'feishu-secret-0001', now }),
    endpoint: (baseUrl) => ({ kind: 'feishu', id: 'fs', hookId: 'feishu-hook-0001', secret: 'feishu-secret-0001', baseUrl }),
    wrong: (baseUrl) => ({ kind: 'feishu', id: 'fs', hookId: 'feishu-hook-0001', secret: 'feishu-secret-0002', baseUrl }),
    rateLimitWaitMs: undefined,
  },
  {
    name: 'Standard Webhooks',
    start: () => standardWebhookReceiver({ secret: WEBHOOK_SECRET, now }),
    endpoint: (baseUrl) => ({ kind: 'webhook', id: 'wh', url: `${baseUrl}/receive`, secret: WEBHOOK_SECRET }),
    wrong: (baseUrl) => ({ kind: 'webhook', id: 'wh', url: `${baseUrl}/receive`, secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` }),
    rateLimitWaitMs: undefined,
  },
];

describe.each(platforms)('$name', (p) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await p.start();
  });
  afterEach(() => receiver.close());

  it('delivers a request the platform accepts, signature checked', async () => {
    expect(await channels.send(message, p.endpoint(receiver.baseUrl))).toEqual({ ok: true, receivedAt: NOW });
    expect(receiver.received.map((r) => r.verdict)).toEqual(['ok']);
    expect(receiver.received[0]!.body).toContain('二级督办');
  });

  it('a wrong credential is refused, for good', async () => {
    expectFailure(await channels.send(message, p.wrong(receiver.baseUrl)), { failure: 'rejected', retryable: false, rateLimited: false });
    expect(receiver.received[0]!.verdict).not.toBe('ok');
  });

  it("the platform's rate limiting is retryable, with the wait it documents", async () => {
    receiver.mode = 'rateLimited';
    const outcome = await channels.send(message, p.endpoint(receiver.baseUrl));
    expectFailure(outcome, { failure: 'rateLimited', retryable: true, rateLimited: true });
    expect((outcome as { retryAfterMs?: number }).retryAfterMs).toBe(p.rateLimitWaitMs);
  });

  it('HTTP 429 is rate limiting and its Retry-After is honoured', async () => {
    receiver.mode = 'http429';
    expectFailure(await channels.send(message, p.endpoint(receiver.baseUrl)), { failure: 'rateLimited', retryable: true, rateLimited: true, retryAfterMs: 7_000 });
  });

  it('HTTP 500 is retryable', async () => {
    receiver.mode = 'http500';
    expectFailure(await channels.send(message, p.endpoint(receiver.baseUrl)), { failure: 'server', retryable: true, rateLimited: false });
  });

  it('an answer slower than the timeout is a retryable timeout, and the caller gets control back at the timeout', async () => {
    receiver.mode = 'slow';
    const started = Date.now();
    const outcome = await channels.send(message, p.endpoint(receiver.baseUrl));
    expectFailure(outcome, { failure: 'timeout', retryable: true, error: `no answer within ${TIMEOUT_MS} ms` });
    expect(Date.now() - started).toBeLessThan(receiver.slowMs - 500);
  });

  it("the caller's signal ends the request early, retryable", async () => {
    receiver.mode = 'slow';
    const outcome = await channels.send(message, p.endpoint(receiver.baseUrl), AbortSignal.timeout(50));
    expectFailure(outcome, { failure: 'timeout', retryable: true, error: 'aborted by the caller' });
  });

  it('a closed port is a retryable network error', async () => {
    const endpoint = p.endpoint(`http://127.0.0.1:${await closedPort()}`);
    expectFailure(await channels.send(message, endpoint), { failure: 'network', retryable: true, error: 'network error: ECONNREFUSED' });
  });
});

describe('platform specifics', () => {
  let receiver: Receiver | undefined;
  afterEach(() => receiver?.close());

  it('DingTalk refuses a timestamp more than an hour off its clock: our clock is wrong, retrying will not help', async () => {
    receiver = await dingtalkReceiver({ accessToken: 'dt-access-token-0001', secret: 'SECdingtalk-secret-0001', now: () => NOW + 2 * 3_600_000 });
    expectFailure(await channels.send(message, platforms[0]!.endpoint(receiver.baseUrl)), { failure: 'rejected', retryable: false });
    expect(receiver.received[0]!.verdict).toBe('invalid timestamp');
  });

  it('WeCom receives an over-long message cut to 4096 bytes, and accepts it', async () => {
    receiver = await wecomReceiver({ key: 'wecom-key-0001-0002' });
    const long = { ...message, markdown: `${message.markdown}\n\n${'超长内容'.repeat(1000)}` };
    expect(await channels.send(long, platforms[1]!.endpoint(receiver.baseUrl))).toEqual({ ok: true, receivedAt: NOW });
    const content: string = JSON.parse(receiver.received[0]!.body).markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain('内容过长，已截断');
  });

  it('Feishu receives an over-long card within 20 KB, and accepts it', async () => {
    receiver = await feishuReceiver({ hookId: 'feishu-hook-0001', secret: 'feishu-secret-0001', now });
    const long = { ...message, markdown: '"超长"\n'.repeat(4000) };
    expect(await channels.send(long, platforms[2]!.endpoint(receiver.baseUrl))).toEqual({ ok: true, receivedAt: NOW });
    expect(receiver.received[0]!.verdict).toBe('ok');
  });

  it('a webhook gets the deliveryId as webhook-id and the caller event in the body', async () => {
    receiver = await standardWebhookReceiver({ secret: WEBHOOK_SECRET, now });
    expect(await channels.send(message, platforms[3]!.endpoint(receiver.baseUrl))).toEqual({ ok: true, receivedAt: NOW });
    const got = receiver.received[0]!;
    expect(got.headers['webhook-id']).toBe(message.deliveryId);
    expect(got.headers['webhook-timestamp']).toBe(String(NOW / 1000));
    expect(JSON.parse(got.body).data).toMatchObject({ deliveryId: message.deliveryId, level: 2, event: { kind: 'escalation', itemId: 'road-7' } });
  });

  it('a webhook answering 410 Gone is not retried; a redirect is not followed', async () => {
    receiver = await standardWebhookReceiver({ secret: WEBHOOK_SECRET, now });
    receiver.mode = 'gone';
    expectFailure(await channels.send(message, platforms[3]!.endpoint(receiver.baseUrl)), { failure: 'gone', retryable: false });
    receiver.mode = 'redirect';
    expectFailure(await channels.send(message, platforms[3]!.endpoint(receiver.baseUrl)), { failure: 'config', retryable: false });
    expect(receiver.received).toHaveLength(2);
  });

  it('an unusable webhook secret is a configuration failure and sends nothing', async () => {
    receiver = await standardWebhookReceiver({ secret: WEBHOOK_SECRET, now });
    const endpoint = { kind: 'webhook' as const, id: 'wh', url: `${receiver.baseUrl}/receive`, secret: 'plain-secret-0001' };
    expectFailure(await channels.send(message, endpoint), { failure: 'config', retryable: false });
    expect(receiver.received).toHaveLength(0);
  });
});
