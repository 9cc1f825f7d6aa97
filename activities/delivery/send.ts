/**
 * Sends what one endpoint has due: claims its deliveries, puts the fresh ones
 * into digests (level-3 escalations alone and never held back), renders each
 * message, sends it within the endpoint's rate, and records the outcome:
 * delivered; retried later with exponential backoff and jitter; or dead (a
 * refusal that will not change, or too long trying), for an admin to resend.
 * At least once: a crash between sending and recording resends the same
 * message (same id) once the lease runs out, and receivers drop the repeat.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { channelConfig } from '../../db/repositories/directory';
import {
  assignMessage,
  claimDeliveries,
  markDelivered,
  markFailed,
  nextDue,
  release,
  storedMessages,
  type DeliveryRow,
  type Endpoint,
  type StoredMessage,
} from '../../db/repositories/deliveries';
import type { DeliveryMetrics } from '../../metrics/worker-metrics';
import { secretsOf, type Channels } from './channels';
import { clampRetryAfter } from './channels/http';
import type { EndpointConfig, SendOutcome } from './channels/types';
import { loadFacts } from './facts';
import { URGENT_LEVEL } from './plan';
import { PLATFORM_LIMITS, retryDelayMs, takeToken, type BucketState } from './rate-limit';
import { redact } from './redact';
import { renderMessage, type NotificationFacts, type RenderedMessage } from './render';

export interface DeliveryConfig {
  /** notifications to one channel within this window leave as one message */
  digestWindowMs: number;
  /** past this age a delivery that keeps failing is dead (dead letters can be resent) */
  giveUpAfterMs: number;
  /** the item links in messages */
  baseUrl: string;
  /** most deliveries in one digest message */
  digestMax: number;
  /** first delay after a failed send (it doubles per attempt, with jitter); default 5 s */
  retryBaseMs?: number;
  /** longest delay between two attempts; default 1 h */
  maxBackoffMs?: number;
}

export interface SendRound {
  /** when to call again (the next due delivery, a backoff, the rate limit), or undefined when nothing is pending */
  nextAt?: string;
  bucket?: BucketState;
  sent: number;
  failed: number;
}

const CLAIM_LIMIT = 200;
const LEASE_MS = 120_000;
/**
 * A round takes no new message after this long (the rest go in the next
 * round, at once): with slow receivers a round stays well inside its lease and
 * its activity's 5-minute timeout, so a retried round never races a live one.
 */
const ROUND_BUDGET_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

function messageIdOf(ids: string[]): string {
  return ids.length === 1 ? ids[0]! : `g_${createHash('sha256').update([...ids].sort().join('\n')).digest('base64url').slice(0, 26)}`;
}

/** Deliveries already tried go again as the same message; fresh ones are grouped: urgent alone, the rest in digests. */
export function groupsOf(rows: DeliveryRow[], digestMax: number): DeliveryRow[][] {
  const retried = new Map<string, DeliveryRow[]>();
  const urgent: DeliveryRow[][] = [];
  const fresh: DeliveryRow[] = [];
  for (const r of rows) {
    if (r.messageId) retried.set(r.messageId, [...(retried.get(r.messageId) ?? []), r]);
    else if ((r.level ?? 0) >= URGENT_LEVEL) urgent.push([r]);
    else fresh.push(r);
  }
  const digests: DeliveryRow[][] = [];
  for (let i = 0; i < fresh.length; i += digestMax) digests.push(fresh.slice(i, i + digestMax));
  return [...urgent, ...retried.values(), ...digests];
}

/**
 * The endpoint for this message: the people it names become @mobiles (DingTalk)
 * or its addressees (e-mail), the unit's own mailboxes then in copy, so that a
 * digest mixing what goes to the unit and what goes to its leaders still
 * reaches both. WeCom, Feishu and webhooks have no per-message addressing.
 */
export function addressed(config: EndpointConfig, group: readonly Pick<DeliveryRow, 'mentions'>[]): EndpointConfig {
  const mentions = group.flatMap((r) => r.mentions);
  if (config.kind === 'dingtalk') {
    const mobiles = [...new Set([...(config.atMobiles ?? []), ...mentions.flatMap((m) => (m.mobile ? [m.mobile] : []))])];
    return mobiles.length ? { ...config, atMobiles: mobiles } : config;
  }
  if (config.kind === 'email') {
    const to = [...new Set(mentions.flatMap((m) => (m.email ? [m.email] : [])))];
    if (to.length === 0) return config;
    const cc = [...new Set([...config.to, ...(config.cc ?? [])])].filter((a) => !to.includes(a));
    const { cc: _cc, ...rest } = config;
    return { ...rest, to, ...(cc.length ? { cc } : {}) };
  }
  return config;
}

/**
 * Renders a group as one message and, when a digest cannot hold all of it
 * (entries or bytes), narrows the group to what it shows, rendered again so
 * that its title and counts speak of those only; the rest is returned to go
 * in another message.
 */
export function fit(group: DeliveryRow[], facts: Map<string, NotificationFacts>, baseUrl: string): { group: DeliveryRow[]; rest: DeliveryRow[]; rendered: RenderedMessage } {
  let rest: DeliveryRow[] = [];
  for (;;) {
    const about = group.map((r) => facts.get(r.notificationKey)).filter((f): f is NotificationFacts => f !== undefined);
    const rendered = about.length === 1
      ? renderMessage({ ...about[0]!, baseUrl })
      : renderMessage({ kind: 'digest', baseUrl, notifications: about });
    if (!rendered.left?.length) return { group, rest, rendered };
    const left = new Set(rendered.left);
    let cut = group.filter((r) => left.has(facts.get(r.notificationKey)!));
    if (cut.length === group.length) cut = group.slice(1); // never nothing: one entry always fits alone
    group = group.filter((r) => !cut.includes(r));
    rest = [...cut, ...rest];
  }
}

export function createSender(deps: { pool: Pool; channels: Channels; config: DeliveryConfig; now?: () => number; metrics?: DeliveryMetrics }) {
  const { pool, channels, config, metrics } = deps;
  const now = deps.now ?? Date.now;

  async function record(group: DeliveryRow[], outcome: SendOutcome, secrets: Array<string | undefined>, channel: string): Promise<'sent' | 'failed'> {
    const ids = group.map((r) => r.id);
    const at = now();
    if (outcome.ok) {
      await markDelivered(pool, ids, outcome.receivedAt ?? at);
      metrics?.deliveries(channel, 'delivered', group.length);
      return 'sent';
    }
    // the give-up clock runs from the delivery's creation, or from its resend by an admin
    const oldest = Math.min(...group.map((r) => Date.parse(r.resentAt ?? r.createdAt)));
    const attempt = Math.max(...group.map((r) => r.attempts)) + 1;
    const delay = retryDelayMs(outcome, attempt, {
      maxMs: config.maxBackoffMs ?? MAX_BACKOFF_MS, ...(config.retryBaseMs !== undefined ? { baseMs: config.retryBaseMs } : {}),
    });
    const giveUp = delay === undefined || at + delay - oldest > config.giveUpAfterMs;
    await markFailed(pool, ids, { atMs: at, error: redact(outcome.error, secrets), retryAtMs: giveUp ? undefined : at + delay });
    metrics?.deliveries(channel, giveUp ? 'dead' : 'retrying', group.length);
    return 'failed';
  }

  /** `heartbeat` is called after the claim and after each message (the activity tells Temporal it is alive) */
  return async function sendDue(e: Endpoint, bucket?: BucketState, heartbeat: () => void = () => {}): Promise<SendRound> {
    const channel = await channelConfig(pool, e.unitCode, e.channelId);
    const round: SendRound = { sent: 0, failed: 0, ...(bucket ? { bucket } : {}) };
    const spec = channel ? PLATFORM_LIMITS[channel.config.kind] : undefined;
    const rows = await claimDeliveries(pool, e, {
      nowMs: now(), digestWindowMs: config.digestWindowMs, limit: CLAIM_LIMIT, leaseMs: LEASE_MS, urgentLevel: URGENT_LEVEL,
    });
    heartbeat();
    if (rows.length > 0 && channel && !channel.unitActive) {
      // A deactivated unit receives no message, not even one held (quiet hours, digest, backoff) from
      // before: on record as dead with the reason, to be resent should the unit come back.
      await markFailed(pool, rows.map((r) => r.id), { atMs: now(), error: `unit ${e.unitCode} was deactivated: not sent` });
      metrics?.deliveries(channel.config.kind, 'dead', rows.length);
      round.failed += rows.length;
    } else if (rows.length > 0 && (!channel || !channel.active)) {
      // the channel was removed or switched off: on record as dead, to be resent once it is fixed
      await markFailed(pool, rows.map((r) => r.id), { atMs: now(), error: `channel ${e.unitCode}/${e.channelId} is gone or inactive` });
      metrics?.deliveries(channel?.config.kind ?? 'gone', 'dead', rows.length);
      round.failed += rows.length;
    } else if (channel && rows.length > 0) {
      const facts = await loadFacts(pool, rows, now());
      const groups = groupsOf(rows, config.digestMax);
      const stored = await storedMessages(pool, rows.flatMap((r) => (r.messageId ? [r.messageId] : [])));
      const roundStart = now();
      let limitedUntil: number | undefined;
      const queue = [...groups];
      while (queue.length > 0) {
        if (now() - roundStart > ROUND_BUDGET_MS) {
          limitedUntil = now();
          await release(pool, queue.flat().map((r) => r.id));
          break;
        }
        if (spec) {
          const taken = takeToken(round.bucket, spec, now());
          round.bucket = taken.state;
          if (taken.waitMs > 0) {
            limitedUntil = now() + taken.waitMs;
            await release(pool, queue.flat().map((r) => r.id));
            break;
          }
        }
        let group = queue.shift()!;
        // a message tried before goes again as it was first sent: same id, same words, same deliveries
        const prior = group[0]!.messageId ? stored.get(group[0]!.messageId) : undefined;
        let message: StoredMessage;
        if (prior) {
          message = prior;
        } else {
          const fitted = fit(group, facts, config.baseUrl);
          // what a digest could not hold leaves next, in a message of its own: it is not delivered with this one
          // (as fresh ones: a row tried before the messages were kept must not lend this message's id to the rest)
          if (fitted.rest.length) queue.unshift(fitted.rest.map((r) => ({ ...r, messageId: null })));
          group = fitted.group;
          const ids = group.map((r) => r.id);
          const { title, markdown, text } = fitted.rendered;
          message = {
            id: group[0]!.messageId ?? messageIdOf(ids), title, markdown, text,
            level: Math.max(0, ...group.map((r) => r.level ?? 0)) || null, deliveries: ids,
          };
          await assignMessage(pool, e, message);
        }
        const { level } = message;
        const sendStarted = performance.now();
        const outcome = await channels.send({
          deliveryId: message.id, title: message.title, markdown: message.markdown, text: message.text,
          ...(level ? { level } : {}), event: { deliveries: message.deliveries },
        }, addressed(channel.config, group));
        metrics?.sendDuration(channel.config.kind, (performance.now() - sendStarted) / 1000);
        if (!outcome.ok && outcome.rateLimited && spec) {
          const wait = clampRetryAfter(outcome.retryAfterMs ?? 60_000);
          round.bucket = { tokens: 0, at: now() + wait, blockedUntil: now() + wait };
        }
        round[(await record(group, outcome, secretsOf(channel.config), channel.config.kind)) === 'sent' ? 'sent' : 'failed'] += group.length;
        heartbeat();
      }
      if (limitedUntil !== undefined) {
        round.nextAt = new Date(limitedUntil).toISOString();
        return round;
      }
    }
    const next = await nextDue(pool, e);
    if (next) round.nextAt = next;
    return round;
  };
}
