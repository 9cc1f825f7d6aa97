/**
 * Every channel behind one `send`, routed by `endpoint.kind`. Build it once per
 * process (the e-mail channel keeps one pooled transport per endpoint) and
 * `close()` it on shutdown.
 */
import { createDingTalkChannel } from './dingtalk';
import { createEmailChannel } from './email';
import { createFeishuChannel } from './feishu';
import { failure } from './http';
import { urlSecrets } from '../redact';
import type { Channel, ChannelKind, ChannelOptions, DeliveryMessage, EndpointConfig, SendOutcome } from './types';
import { createWebhookChannel } from './webhook';
import { createWeComChannel } from './wecom';

export interface Channels {
  send(message: DeliveryMessage, endpoint: EndpointConfig, signal?: AbortSignal): Promise<SendOutcome>;
  close(): Promise<void>;
}

export function createChannels(options: ChannelOptions = {}): Channels {
  const byKind: { [K in ChannelKind]: Channel<Extract<EndpointConfig, { kind: K }>> } = {
    dingtalk: createDingTalkChannel(options),
    wecom: createWeComChannel(options),
    feishu: createFeishuChannel(options),
    webhook: createWebhookChannel(options),
    email: createEmailChannel(options),
  };
  return {
    async send(message, endpoint, signal) {
      const channel = byKind[endpoint.kind] as Channel | undefined;
      if (!channel) return failure('config', false, `unknown channel kind '${String(endpoint.kind)}'`, []);
      try {
        return await channel.send(message, endpoint, signal);
      } catch (err) {
        // channels classify what they expect; anything else is a bug here, not the receiver's fault
        return failure('config', false, `channel ${endpoint.kind} failed: ${err instanceof Error ? err.message : String(err)}`, secretsOf(endpoint));
      }
    },
    async close() {
      await Promise.all(Object.values(byKind).map((c) => c.close()));
    },
  };
}

/** The parts of an endpoint that are secrets: masked in every error text. */
export function secretsOf(e: EndpointConfig): Array<string | undefined> {
  switch (e.kind) {
    case 'dingtalk':
      return [e.accessToken, e.secret];
    case 'wecom':
      return [e.key];
    case 'feishu':
      return [e.hookId, e.secret];
    case 'webhook':
      return [e.secret, ...urlSecrets(e.url)];
    case 'email':
      return [e.auth?.pass];
  }
}

export type * from './types';
export { DEFAULT_TIMEOUT_MS } from './types';
