/**
 * Where a unit's notifications go: one endpoint per channel (a DingTalk or
 * WeCom group robot, a Feishu bot, a signed webhook, e-mail), as the units
 * directory stores it and the delivery channels read it. Types only.
 */
export type ChannelKind = 'dingtalk' | 'wecom' | 'feishu' | 'webhook' | 'email';

export interface EndpointBase {
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

/** An endpoint as the directory stores it: without its id, which is `<unit code>/<channel id>`. */
export type ChannelConfig = EndpointConfig extends infer E ? (E extends EndpointConfig ? Omit<E, 'id'> : never) : never;
