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

export type ChannelKind = 'dingtalk' | 'wecom' | 'feishu' | 'webhook' | 'email';

interface EndpointBase {
  /** stable id of this endpoint; rate limits and transports are kept per id */
  id: string;
}

/** 钉钉自定义机器人: POST {baseUrl}/robot/send?access_token=…[&timestamp=…&sign=…] */
export interface DingTalkEndpoint extends EndpointBase {
  kind: 'dingtalk';
  accessToken: string;
  /** the 加签 secret (SEC…); without it no timestamp/sign is sent (keyword or IP security instead) */
  secret?: string;
  /** mobiles to @ (they are appended to the text as @mobile, as the robot requires) */
  atMobiles?: readonly string[];
  isAtAll?: boolean;
  /** default https://oapi.dingtalk.com */
  baseUrl?: string;
}

/** 企业微信群机器人: POST {baseUrl}/cgi-bin/webhook/send?key=… */
export interface WeComEndpoint extends EndpointBase {
  kind: 'wecom';
  key: string;
  /** default https://qyapi.weixin.qq.com */
  baseUrl?: string;
}

/** 飞书/Lark 自定义机器人: POST {baseUrl}/open-apis/bot/v2/hook/{hookId} */
export interface FeishuEndpoint extends EndpointBase {
  kind: 'feishu';
  hookId: string;
  /** the 签名校验 secret; without it no timestamp/sign is sent */
  secret?: string;
  /** default https://open.feishu.cn (Lark: https://open.larksuite.com) */
  baseUrl?: string;
}

/** Generic HTTPS endpoint signed per the Standard Webhooks specification (symmetric, v1). */
export interface WebhookEndpoint extends EndpointBase {
  kind: 'webhook';
  url: string;
  /** `whsec_` + base64 of at least 24 random bytes */
  secret: string;
}

/** E-mail over SMTP. The transport is built once per endpoint id and reused. */
export interface EmailEndpoint extends EndpointBase {
  kind: 'email';
  host: string;
  /** default 465 when `secure`, else 587 */
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
  secure?: boolean;
  /** refuse to send unless STARTTLS succeeds */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  from: string;
  to: readonly string[];
  cc?: readonly string[];
  /** right-hand side of the Message-ID; default the domain of `from` */
  messageIdDomain?: string;
}

export type EndpointConfig = DingTalkEndpoint | WeComEndpoint | FeishuEndpoint | WebhookEndpoint | EmailEndpoint;

/** Why a send failed, for the dispatcher's decisions and for operators. */
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
