/**
 * Generic webhook signed per the Standard Webhooks specification (1.0, symmetric).
 *
 * Headers: webhook-id = deliveryId, or a hash of it when it has characters other
 * than [A-Za-z0-9_-] (the same on every retry either way, so receivers use it as
 * an idempotency key; data.deliveryId is always the original), webhook-timestamp = seconds of this attempt,
 * webhook-signature = "v1," + base64(HMAC-SHA256(key = base64-decoded secret
 * after "whsec_", message = `${id}.${timestamp}.${body}`)), over the exact bytes
 * sent. 2xx is success; 429, 408 and 5xx are retried (Retry-After honoured);
 * 410 Gone means "stop sending"; other statuses, redirects included, are failures
 * that a retry would not fix.
 *
 * Body: { type, timestamp (ISO, of this attempt), data: { deliveryId, title,
 * text, markdown, level, event } } where `event` is passed through from the caller.
 */
import { createHmac } from 'node:crypto';
import { urlSecrets } from '../redact';
import { webhookIdFor } from './delivery-id';
import { failure, isFailure, postJson, statusFailure } from './http';
import { DEFAULT_TIMEOUT_MS, type Channel, type ChannelOptions, type DeliveryMessage, type WebhookEndpoint } from './types';

export const WEBHOOK_EVENT_TYPE = 'rectification.notification';
/** the specification asks for at least 24 random bytes */
const MIN_SECRET_BYTES = 24;

/** The HMAC key of a `whsec_…` secret, or undefined when the secret is malformed. */
export function webhookKey(secret: string): Buffer | undefined {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!m) return undefined;
  const key = Buffer.from(m[1]!, 'base64');
  return key.length >= MIN_SECRET_BYTES ? key : undefined;
}

/** "v1,<base64 signature>" of one delivery attempt */
export function webhookSignature(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

export function webhookBody(message: DeliveryMessage, nowMs: number): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    timestamp: new Date(nowMs).toISOString(),
    data: {
      deliveryId: message.deliveryId,
      title: message.title,
      text: message.text,
      markdown: message.markdown,
      level: message.level ?? null,
      event: message.event ?? null,
    },
  });
}

export function createWebhookChannel(options: ChannelOptions = {}): Channel<WebhookEndpoint> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return {
    kind: 'webhook',
    async close() {},
    async send(message, endpoint, signal) {
      const secrets = [endpoint.secret, endpoint.secret.replace(/^whsec_/, ''), ...urlSecrets(endpoint.url)];
      const key = webhookKey(endpoint.secret);
      if (!key) return failure('config', false, `webhook secret must be whsec_ + base64 of ${MIN_SECRET_BYTES}+ bytes`, secrets);
      if (!/^https?:\/\//i.test(endpoint.url)) return failure('config', false, 'webhook URL must be http(s)', secrets);
      const at = now();
      const ts = Math.floor(at / 1000);
      const body = webhookBody(message, at);
      const id = webhookIdFor(message.deliveryId);
      const answer = await postJson(endpoint.url, body, {
        fetch: doFetch,
        timeoutMs,
        signal,
        secrets,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': webhookSignature(key, id, ts, body),
        },
      });
      if (isFailure(answer)) return answer;
      if (answer.status >= 200 && answer.status < 300) return { ok: true, receivedAt: now() };
      return statusFailure(answer, now(), secrets);
    },
  };
}
