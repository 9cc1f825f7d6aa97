/**
 * Local stand-ins for the platforms, on 127.0.0.1 and a free port. Each one
 * checks requests the way its platform documents it, re-implemented here from
 * the documentation (never by calling the code under test), and answers the
 * way the test tells it to: success, the platform's rate-limit code, HTTP 429,
 * 5xx, a redirect, 410, or an answer slower than the client's timeout.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Mode = 'ok' | 'rateLimited' | 'http429' | 'http500' | 'slow' | 'gone' | 'redirect';

export interface Received {
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  /** 'ok', or why the platform would refuse the request (signature, key…) */
  verdict: string;
  /** when it arrived (ms since epoch) */
  at: number;
  /** the HTTP status it was answered with, and whether that answer said "accepted" */
  status: number;
  accepted: boolean;
}

export interface Receiver {
  baseUrl: string;
  mode: Mode;
  /** how long 'slow' waits before answering */
  slowMs: number;
  received: Received[];
  /** the requests it accepted (signature fine, answered with success) */
  accepted(): Received[];
  /** stops listening: connections are refused until up() */
  down(): Promise<void>;
  /** listens again on the same port */
  up(): Promise<void>;
  close(): Promise<void>;
}

type Answer = { status: number; json?: unknown; headers?: Record<string, string> };
/** checks one request; returns why it is refused (and the platform's answer), or undefined when acceptable */
type Check = (r: Pick<Received, 'url' | 'headers' | 'body'>) => { verdict: string; answer: Answer } | undefined;

/** What the platforms answer when they accept: HTTP 2xx, and errcode/code 0 where they send one. */
function acceptedAnswer(a: Answer): boolean {
  const json = a.json as { errcode?: unknown; code?: unknown } | undefined;
  return a.status >= 200 && a.status < 300 && (json?.errcode ?? json?.code ?? 0) === 0;
}

async function startReceiver(check: Check, modeAnswer: (m: Exclude<Mode, 'slow'>) => Answer): Promise<Receiver> {
  const receiver: Receiver = {
    baseUrl: '', mode: 'ok', slowMs: 2_000, received: [],
    accepted: () => receiver.received.filter((r) => r.accepted),
    down: async () => {}, up: async () => {}, close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = { url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    const refused = check(r);
    const answer = refused?.answer ?? modeAnswer(receiver.mode === 'slow' ? 'ok' : receiver.mode);
    receiver.received.push({ ...r, verdict: refused?.verdict ?? 'ok', at: Date.now(), status: answer.status, accepted: !refused && acceptedAnswer(answer) });
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    };
    if (receiver.mode === 'slow') setTimeout(send, receiver.slowMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.baseUrl = `http://127.0.0.1:${port}`;
  receiver.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  receiver.down = () => (server.listening ? receiver.close() : Promise.resolve());
  receiver.up = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return receiver;
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hmac = (key: Buffer | string, message: Buffer | string) => createHmac('sha256', key).update(message).digest();
/** constant-time comparison of a received base64 signature with the expected digest */
const sameBase64 = (given: string, expected: Buffer) => {
  const e = Buffer.from(expected.toString('base64'));
  const g = Buffer.from(given);
  return g.length === e.length && timingSafeEqual(g, e);
};
const HOUR_MS = 3_600_000;
const jsonOf = (body: string): Record<string, any> | undefined => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};
const httpModes = (m: Mode): Answer | undefined =>
  m === 'http429' ? { status: 429, headers: { 'retry-after': '7' }, json: {} }
    : m === 'http500' ? { status: 500, json: {} }
      : m === 'gone' ? { status: 410 }
        : m === 'redirect' ? { status: 301, headers: { location: 'http://127.0.0.1:1/elsewhere' } }
          : undefined;

/** 钉钉: access_token in the query; with 加签, timestamp (ms, within an hour) and sign = base64(HMAC(secret, ts\nsecret)) */
export function dingtalkReceiver(o: { accessToken: string; secret: string; now: () => number }): Promise<Receiver> {
  return startReceiver((r) => {
    const refuse = (errcode: number, errmsg: string) => ({ verdict: errmsg, answer: { status: 200, json: { errcode, errmsg } } });
    const q = r.url.searchParams;
    if (r.url.pathname !== '/robot/send' || q.get('access_token') !== o.accessToken) return refuse(400101, 'access_token不存在');
    const ts = Number(q.get('timestamp'));
    if (!Number.isInteger(ts) || Math.abs(o.now() - ts) > HOUR_MS) return refuse(310000, 'invalid timestamp');
    if (!sameBase64(q.get('sign') ?? '', hmac(o.secret, `${ts}\n${o.secret}`))) return refuse(310000, 'sign not match');
    const body = jsonOf(r.body);
    if (body?.msgtype !== 'markdown' || typeof body.markdown?.title !== 'string' || typeof body.markdown?.text !== 'string') {
      return refuse(400105, '不支持的消息类型');
    }
    return undefined;
  }, (m) => httpModes(m) ?? (m === 'rateLimited'
    ? { status: 200, json: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } }
    : { status: 200, json: { errcode: 0, errmsg: 'ok' } }));
}

/** 企业微信: key in the query, markdown content of at most 4096 bytes */
export function wecomReceiver(o: { key: string }): Promise<Receiver> {
  return startReceiver((r) => {
    const refuse = (errcode: number, errmsg: string) => ({ verdict: errmsg, answer: { status: 200, json: { errcode, errmsg } } });
    if (r.url.pathname !== '/cgi-bin/webhook/send' || r.url.searchParams.get('key') !== o.key) return refuse(93000, 'invalid webhook url');
    const body = jsonOf(r.body);
    if (body?.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string') return refuse(40008, 'invalid message type');
    if (Buffer.byteLength(body.markdown.content, 'utf8') > 4096) return refuse(40058, 'markdown.content exceed max length 4096');
    return undefined;
  }, (m) => httpModes(m) ?? (m === 'rateLimited'
    ? { status: 200, json: { errcode: 45009, errmsg: 'api freq out of limit' } }
    : { status: 200, json: { errcode: 0, errmsg: 'ok' } }));
}

/** 飞书: hook id in the path; timestamp (s, string, within an hour) and sign = base64(HMAC(key = ts\nsecret, empty)) in the body; ≤ 20 KB */
export function feishuReceiver(o: { hookId: string; secret: string; now: () => number }): Promise<Receiver> {
  return startReceiver((r) => {
    const refuse = (code: number, msg: string) => ({ verdict: msg, answer: { status: 200, json: { code, msg, data: {} } } });
    if (r.url.pathname !== `/open-apis/bot/v2/hook/${o.hookId}`) return { verdict: 'no such hook', answer: { status: 404, json: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } } };
    if (Buffer.byteLength(r.body, 'utf8') > 20_000) return refuse(9499, 'Bad Request');
    const body = jsonOf(r.body);
    const ts = typeof body?.timestamp === 'string' && /^\d+$/.test(body.timestamp) ? Number(body.timestamp) : NaN;
    const fresh = Math.abs(o.now() / 1000 - ts) <= 3600;
    if (!fresh || !sameBase64(String(body?.sign ?? ''), hmac(`${ts}\n${o.secret}`, ''))) {
      return refuse(19021, 'sign match fail or timestamp is not within one hour from current time');
    }
    if (body?.msg_type !== 'interactive' || !Array.isArray(body.card?.elements)) return refuse(9499, 'Bad Request');
    return undefined;
  }, (m) => httpModes(m) ?? (m === 'rateLimited'
    ? { status: 200, json: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]', data: {} } }
    : { status: 200, json: { StatusCode: 0, StatusMessage: 'success', code: 0, msg: 'success', data: {} } }));
}

/** Standard Webhooks consumer: webhook-id, webhook-timestamp (within 5 minutes), any matching "v1,<base64>" of id.ts.body */
export function standardWebhookReceiver(o: { secret: string; now: () => number }): Promise<Receiver> {
  const key = Buffer.from(o.secret.replace(/^whsec_/, ''), 'base64');
  return startReceiver((r) => {
    const id = String(r.headers['webhook-id'] ?? '');
    const ts = String(r.headers['webhook-timestamp'] ?? '');
    const refuse = (why: string) => ({ verdict: why, answer: { status: 401, json: { error: why } } });
    if (!id || !/^\d+$/.test(ts)) return refuse('missing headers');
    if (Math.abs(o.now() / 1000 - Number(ts)) > 300) return refuse('timestamp out of tolerance');
    const expected = hmac(key, `${id}.${ts}.${r.body}`);
    const signatures = String(r.headers['webhook-signature'] ?? '').split(' ');
    if (!signatures.some((s) => s.startsWith('v1,') && sameBase64(s.slice(3), expected))) return refuse('no matching signature');
    return undefined;
  }, (m) => httpModes(m) ?? (m === 'rateLimited' ? { status: 429, json: {} } : { status: 204 }));
}

/** The ids of the deliveries a Standard Webhooks request carried (the engine's event: data.event.deliveries). */
export function webhookDeliveries(r: Received): string[] {
  return (jsonOf(r.body)?.data?.event?.deliveries as string[] | undefined) ?? [];
}
