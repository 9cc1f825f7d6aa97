/**
 * 企业微信群机器人 (WeCom group robot).
 *
 * POST {baseUrl}/cgi-bin/webhook/send?key=… with {"msgtype":"markdown",
 * "markdown":{"content":…}}. The key in the URL is the only credential (no
 * signing). Content is at most 4096 bytes of UTF-8; longer content is refused
 * (errcode 40058), so it is cut here on a character boundary with a note saying
 * so, the link to the item kept at its end. Success is errcode 0; 45009 means the robot's 20 messages a minute are used up.
 */
import { escapeMarkdown, truncateMarkdownKeepingLink } from '../text';
import { failure, isFailure, jsonObject, joinUrl, postJson, statusFailure, type Failure } from './http';
import { DEFAULT_TIMEOUT_MS, type Channel, type ChannelOptions, type DeliveryMessage, type WeComEndpoint } from './types';

export const WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_TRUNCATION_NOTE = '\n\n…（内容过长，已截断，请打开链接查看全文）';

export function wecomUrl(endpoint: WeComEndpoint): string {
  return joinUrl(endpoint.baseUrl ?? WECOM_BASE_URL, `/cgi-bin/webhook/send?key=${encodeURIComponent(endpoint.key)}`);
}

export function wecomContent(message: DeliveryMessage): string {
  const full = `### ${escapeMarkdown(message.title)}\n${message.markdown}`;
  return truncateMarkdownKeepingLink(full, WECOM_MARKDOWN_MAX_BYTES, WECOM_TRUNCATION_NOTE);
}

export function wecomBody(message: DeliveryMessage): string {
  return JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomContent(message) } });
}

/** the limit is per minute; waiting one out is enough */
const RATE_LIMIT_WAIT_MS = 60_000;

export function createWeComChannel(options: ChannelOptions = {}): Channel<WeComEndpoint> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return {
    kind: 'wecom',
    async close() {},
    async send(message, endpoint, signal) {
      const secrets = [endpoint.key];
      if (!endpoint.key) return failure('config', false, 'WeCom endpoint has no key', secrets);
      const answer = await postJson(wecomUrl(endpoint), wecomBody(message), { fetch: doFetch, timeoutMs, signal, secrets });
      if (isFailure(answer)) return answer;
      if (answer.status !== 200) return statusFailure(answer, now(), secrets);
      return classify(jsonObject(answer.body), secrets) ?? { ok: true, receivedAt: now() };
    },
  };
}

function classify(json: Record<string, unknown> | undefined, secrets: ReadonlyArray<string | undefined>): Failure | undefined {
  if (!json || typeof json.errcode !== 'number') return failure('server', true, 'WeCom: unexpected answer without errcode', secrets);
  const code = json.errcode;
  if (code === 0) return undefined;
  // WeCom's errmsg quotes a hint and the caller's IP; the key never, but redact anyway
  const text = `WeCom errcode ${code}: ${typeof json.errmsg === 'string' ? json.errmsg : ''}`;
  if (code === 45009) return failure('rateLimited', true, text, secrets, RATE_LIMIT_WAIT_MS);
  if (code === -1) return failure('server', true, text, secrets); // 系统繁忙
  // 93000 invalid webhook url (key), 40058 content too long…: the same again gets the same
  return failure('rejected', false, text, secrets);
}
