/**
 * The contract between notification delivery and the channels that carry it.
 *
 * A channel turns one rendered message (see ../render.ts) into one request to one
 * endpoint (a DingTalk or WeCom group robot, a Feishu custom bot, a signed generic
 * webhook, or an e-mail over SMTP) and reports what happened as a `SendOutcome`.
 *
 * - `send` never throws and never retries or sleeps: the caller (the dispatcher)
 *   owns retries, backoff (../rate-limit.ts `retryDelayMs`) and rate limiting
 *   (../rate-limit.ts `createRateLimiter`, keyed by `endpoint.id`).
 * - Each request has its own timeout (`timeoutMs`, default 10 s); the optional
 *   `signal` cancels it early (e.g. the activity was cancelled). Both end as a
 *   retryable failure: the receiver may or may not have the message, so delivery
 *   is at least once and receivers dedupe on `deliveryId` (webhook-id header,
 *   e-mail Message-ID, and in the JSON body). Group robots cannot dedupe: keep
 *   `deliveryId` stable per (notification, channel) so a retry is recognisable.
 * - `error` never contains secrets, tokens, keys or full URLs (see ../redact.ts).
 * - Time comes from the injected `now` (ms since epoch), so signatures and
 *   `receivedAt` are reproducible in tests.
 * - Base URLs default to the real platform hosts and are overridable per endpoint.
 */

export interface DeliveryMessage {
  /** stable per (notification, channel): receivers dedupe on it */
  deliveryId: string;
  /** plain text, one line: e-mail subject, card header, robot preview */
  title: string;
  /** body in the platforms' common Markdown subset; user text already escaped; the title is not repeated in it */
  markdown: string;
  /** plain-text fallback of the body */
  text: string;
  /** escalation level (1, 2, 3…) when the message is about one; colours cards */
  level?: number;
  /** passed through unchanged as `data.event` to generic webhooks; other channels ignore it */
  event?: Readonly<Record<string, unknown>>;
}

import type { ChannelKind, EndpointConfig } from '../../../domain/channel-config';

export type {
  ChannelKind,
  DingTalkEndpoint,
  EmailEndpoint,
  EndpointConfig,
  FeishuEndpoint,
  WebhookEndpoint,
  WeComEndpoint,
} from '../../../domain/channel-config';

export type FailureKind =
  | 'network' // refused, reset, DNS: nothing (or not all) was delivered
  | 'timeout' // no answer within timeoutMs, or the caller's signal aborted
  | 'rateLimited' // the platform said "too fast"
  | 'server' // 5xx or a platform "system busy" code
  | 'rejected' // the platform refused this message or this endpoint (bad signature, keyword, too long…)
  | 'gone' // HTTP 410: the receiver wants no more deliveries; disable the endpoint
  | 'config'; // the endpoint configuration itself is unusable (bad secret, bad URL)

export type SendOutcome =
  | { ok: true; /** ms since epoch, from the injected clock */ receivedAt: number }
  | {
      ok: false;
      failure: FailureKind;
      retryable: boolean;
      rateLimited: boolean;
      /** how long the receiver asked us to wait (Retry-After, platform reset headers or documented penalties) */
      retryAfterMs?: number;
      /** for logs; never contains secrets, tokens or full URLs */
      error: string;
    };

export interface Channel<E extends EndpointConfig = EndpointConfig> {
  readonly kind: E['kind'];
  send(message: DeliveryMessage, endpoint: E, signal?: AbortSignal): Promise<SendOutcome>;
  /** releases pooled connections (e-mail); a no-op for HTTP channels */
  close(): Promise<void>;
}

export interface ChannelOptions {
  /** injected clock, ms since epoch; default Date.now */
  now?: () => number;
  /** per-request timeout; default 10 000 ms */
  timeoutMs?: number;
  /** default the global fetch (undici); tests may wrap it */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
