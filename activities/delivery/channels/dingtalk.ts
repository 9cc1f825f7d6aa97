/**
 * 钉钉自定义机器人 (DingTalk custom group robot).
 *
 * POST {baseUrl}/robot/send?access_token=…&timestamp=…&sign=… with a markdown
 * message. With 加签 security, sign = urlEncode(base64(HMAC-SHA256(key = secret,
 * message = `${timestampMs}\n${secret}`))), the timestamp in milliseconds and
 * within an hour of DingTalk's clock. Success is HTTP 200 with errcode 0; every
 * other answer is HTTP 200 too, with an errcode.
 */
import { createHmac } from 'node:crypto';
import { escapeMarkdown } from '../text';
import { failure, isFailure, jsonObject, joinUrl, postJson, statusFailure, type Failure } from './http';
import { DEFAULT_TIMEOUT_MS, type Channel, type ChannelOptions, type DeliveryMessage, type DingTalkEndpoint } from './types';

export const DINGTALK_BASE_URL = 'https://oapi.dingtalk.com';

/** The `sign` query value, already URL-encoded as the robot expects it. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

export function dingtalkUrl(endpoint: DingTalkEndpoint, timestampMs: number): string {
  let query = `access_token=${encodeURIComponent(endpoint.accessToken)}`;
  if (endpoint.secret) query += `&timestamp=${timestampMs}&sign=${dingtalkSign(endpoint.secret, timestampMs)}`;
  return joinUrl(endpoint.baseUrl ?? DINGTALK_BASE_URL, `/robot/send?${query}`);
}

export function dingtalkBody(message: DeliveryMessage, endpoint: DingTalkEndpoint): string {
  const mobiles = endpoint.atMobiles ?? [];
  // the robot only notifies a mobile that also appears in the text as @mobile
  const mentions = mobiles.length > 0 ? `\n\n${mobiles.map((m) => `@${m}`).join(' ')}` : '';
  return JSON.stringify({
    msgtype: 'markdown',
    markdown: { title: message.title, text: `### ${escapeMarkdown(message.title)}\n\n${message.markdown}${mentions}` },
    at: { atMobiles: mobiles, isAtAll: endpoint.isAtAll ?? false },
  });
}

/** "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟" */
const PENALTY_MS = 10 * 60_000;

/** errcodes of the robot send API that mean something other than "rejected for good" */
const RATE_LIMITED = new Set([130101, 410100]); // send too fast (exceed 20 times per minute) / 发送速度太快而限流
const BUSY = new Set([-1]); // 系统繁忙

export function createDingTalkChannel(options: ChannelOptions = {}): Channel<DingTalkEndpoint> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return {
    kind: 'dingtalk',
    async close() {},
    async send(message, endpoint, signal) {
      const secrets = [endpoint.accessToken, endpoint.secret];
      if (!endpoint.accessToken) return failure('config', false, 'DingTalk endpoint has no access token', secrets);
      const at = now();
      const answer = await postJson(dingtalkUrl(endpoint, at), dingtalkBody(message, endpoint), {
        fetch: doFetch, timeoutMs, signal, secrets,
      });
      if (isFailure(answer)) return answer;
      if (answer.status !== 200) return statusFailure(answer, now(), secrets);
      return classify(jsonObject(answer.body), secrets) ?? { ok: true, receivedAt: now() };
    },
  };
}

function classify(json: Record<string, unknown> | undefined, secrets: ReadonlyArray<string | undefined>): Failure | undefined {
  if (!json || typeof json.errcode !== 'number') return failure('server', true, 'DingTalk: unexpected answer without errcode', secrets);
  const code = json.errcode;
  if (code === 0) return undefined;
  const text = `DingTalk errcode ${code}: ${typeof json.errmsg === 'string' ? json.errmsg : ''}`;
  if (RATE_LIMITED.has(code)) return failure('rateLimited', true, text, secrets, PENALTY_MS);
  if (BUSY.has(code)) return failure('server', true, text, secrets);
  // 310000 (sign not match, invalid timestamp, keywords not in content, ip not in whitelist),
  // 400101 token missing, 400102 robot stopped, 400106 robot missing, 400013 group dissolved, 430101…
  // content checks: retrying the same message to the same robot gets the same answer
  return failure('rejected', false, text, secrets);
}
