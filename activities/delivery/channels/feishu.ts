/**
 * 飞书 / Lark 自定义机器人 (custom bot).
 *
 * POST {baseUrl}/open-apis/bot/v2/hook/{hookId} with an interactive card whose
 * body is one markdown element. With 签名校验 the body also carries `timestamp`
 * (seconds, as a string, within an hour of Feishu's clock) and
 * sign = base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = empty)):
 * unlike DingTalk the secret is in the KEY and the message is empty.
 * The request body may be at most 20 KB, so the card text is cut to fit.
 * Success is `code` 0 (older answers: `StatusCode` 0). A custom bot may send
 * 100 messages a minute and 5 a second; over that, or under load at full and
 * half hours, Feishu answers code 11232, or HTTP 429 with x-ogw-ratelimit-reset.
 */
import { createHmac } from 'node:crypto';
import { truncateMarkdownKeepingLink, utf8Length } from '../text';
import { failure, isFailure, jsonObject, joinUrl, parseRetryAfter, postJson, statusFailure, type Failure, type HttpAnswer } from './http';
import { DEFAULT_TIMEOUT_MS, type Channel, type ChannelOptions, type DeliveryMessage, type FeishuEndpoint } from './types';

export const FEISHU_BASE_URL = 'https://open.feishu.cn';
export const FEISHU_MAX_BODY_BYTES = 20_000;
export const FEISHU_TRUNCATION_NOTE = '\n\n…（内容过长，已截断）';

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', Buffer.from(`${timestampSeconds}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
}

export function feishuUrl(endpoint: FeishuEndpoint): string {
  return joinUrl(endpoint.baseUrl ?? FEISHU_BASE_URL, `/open-apis/bot/v2/hook/${encodeURIComponent(endpoint.hookId)}`);
}

/** card header colour by escalation level: the higher, the hotter */
function template(level: number | undefined): string {
  if (level === undefined) return 'blue';
  return level >= 3 ? 'red' : level === 2 ? 'orange' : 'yellow';
}

export function feishuBody(message: DeliveryMessage, endpoint: FeishuEndpoint, nowMs: number): string {
  const signed: Record<string, string> = {};
  if (endpoint.secret) {
    const ts = Math.floor(nowMs / 1000);
    signed.timestamp = String(ts);
    signed.sign = feishuSign(endpoint.secret, ts);
  }
  const build = (content: string) =>
    JSON.stringify({
      ...signed,
      msg_type: 'interactive',
      card: {
        config: { wide_screen_mode: true },
        header: { title: { tag: 'plain_text', content: message.title }, template: template(message.level) },
        elements: [{ tag: 'markdown', content }],
      },
    });
  const body = build(message.markdown);
  if (utf8Length(body) <= FEISHU_MAX_BODY_BYTES) return body;
  // JSON escaping makes the body longer than the text by an amount that depends on the
  // text: search for the longest cut that fits (rare, and at most ~20 tries)
  // the link to the item survives the cut: it is where the rest can be read
  const cut = (bytes: number) => build(truncateMarkdownKeepingLink(message.markdown, bytes, FEISHU_TRUNCATION_NOTE));
  let lo = 0;
  let hi = utf8Length(message.markdown);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf8Length(cut(mid)) <= FEISHU_MAX_BODY_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

export function createFeishuChannel(options: ChannelOptions = {}): Channel<FeishuEndpoint> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return {
    kind: 'feishu',
    async close() {},
    async send(message, endpoint, signal) {
      const secrets = [endpoint.hookId, endpoint.secret];
      if (!endpoint.hookId) return failure('config', false, 'Feishu endpoint has no hook id', secrets);
      const body = feishuBody(message, endpoint, now());
      const answer = await postJson(feishuUrl(endpoint), body, { fetch: doFetch, timeoutMs, signal, secrets });
      if (isFailure(answer)) return answer;
      return classify(answer, now(), secrets) ?? { ok: true, receivedAt: now() };
    },
  };
}

const RATE_LIMIT_CODES = new Set([11232, 99991400]);

function classify(a: HttpAnswer, nowMs: number, secrets: ReadonlyArray<string | undefined>): Failure | undefined {
  const json = jsonObject(a.body);
  const code = typeof json?.code === 'number' ? json.code : typeof json?.StatusCode === 'number' ? json.StatusCode : undefined;
  const msg = typeof json?.msg === 'string' ? json.msg : typeof json?.StatusMessage === 'string' ? json.StatusMessage : '';
  if (a.status === 200 && code === 0) return undefined;
  const wait = parseRetryAfter(a.headers.get('retry-after'), nowMs) ?? resetHeader(a.headers.get('x-ogw-ratelimit-reset'));
  const text = `Feishu HTTP ${a.status}${code === undefined ? '' : ` code ${code}`}: ${msg}`;
  // 9499 is documented as "Bad Request" (malformed or over 20 KB), but Feishu also answers it when throttling
  const throttled = code === 9499 && /too many|frequen|limit/i.test(msg);
  if (a.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code)) || throttled) {
    return failure('rateLimited', true, text, secrets, wait);
  }
  if (a.status >= 500 || a.status === 408) return statusFailure(a, nowMs, secrets);
  if (code === undefined) {
    return a.status === 200 ? failure('server', true, 'Feishu: unexpected answer without code', secrets) : statusFailure(a, nowMs, secrets);
  }
  // 19021 bad signature or stale timestamp, 19022 IP not allowed, 19024 keyword missing, 9499 bad request…
  return failure('rejected', false, text, secrets);
}

/** x-ogw-ratelimit-reset: seconds until the window resets */
function resetHeader(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}
