/**
 * The worker's own Prometheus metrics (prom-client), one registry per worker.
 * Everything is counted where it becomes true, once:
 *
 * - clock events (warnings, deadlines missed, escalation rungs) and their
 *   lateness when the save that carries them lands, from the audit rows that
 *   save really inserted: a retried save inserts nothing and counts nothing;
 * - save attempts, retries and failures in the save activity, each attempt
 *   once, by how it ended: `saved` only when the whole attempt (transaction,
 *   then waking the delivery senders) succeeded, `failed` when any step
 *   failed and Temporal retries it, even after its transaction committed;
 * - projection lag, when a save moves the item's row: how long the oldest
 *   change the save carries waited to be visible on the read side, that is
 *   the wall clock at the save's commit minus the workflow time of its
 *   earliest record (audit event, dispatch, review), or of the batch itself
 *   (`asOf`, when the saver took it) when it carries no record. Changes wait
 *   in the workflow while an earlier save is in flight, then for the
 *   activity, its retries and the transaction: all of it counts;
 * - deliveries when their outcome is recorded.
 *
 * The Temporal SDK's own metrics (task latencies, slots, sticky cache) come
 * from its runtime on a port of their own (metrics/temporal-sdk.ts).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Landed } from '../db/repositories/item-projection';

/** Audit actions the clock writes, and the `kind` label each is counted under. */
export const CLOCK_EVENT_KINDS = { deadlineWarning: 'warning', deadlineMissed: 'overdue', escalated: 'escalation' } as const;
export type ClockEventKind = (typeof CLOCK_EVENT_KINDS)[keyof typeof CLOCK_EVENT_KINDS];

export type DeliveryOutcome = 'delivered' | 'retrying' | 'dead';

/** What a save carries that tells when its changes were made (ItemChanges fits). */
export interface ChangeTimes {
  /** workflow time the saver took the batch */
  asOf: string;
  auditEvents?: ReadonlyArray<{ at: string }>;
  dispatches?: ReadonlyArray<{ at: string }>;
  reviews?: ReadonlyArray<{ at: string }>;
}

/** The workflow time of the oldest change in a save: its earliest record, else the batch's own time. */
export function oldestChangeMs(changes: ChangeTimes): number {
  let oldest = Date.parse(changes.asOf);
  for (const list of [changes.auditEvents, changes.dispatches, changes.reviews]) {
    for (const record of list ?? []) {
      const at = Date.parse(record.at);
      if (at < oldest) oldest = at;
    }
  }
  return oldest;
}

/** What the save activity reports. */
export interface SaveMetrics {
  saveAttempt(outcome: 'saved' | 'failed', attempt: number, seconds: number): void;
  saveLanded(changes: ChangeTimes, landed: Landed, nowMs: number): void;
}

/** What the delivery sender reports. */
export interface DeliveryMetrics {
  deliveries(channel: string, outcome: DeliveryOutcome, count: number): void;
  sendDuration(channel: string, seconds: number): void;
}

// lateness spans a wave on a busy server (seconds) to a worker that was down (hours, days)
const LATENESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
const SAVE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SEND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const clockEvents = new Counter({
    name: 'rect_clock_events_total',
    help: 'Warnings, deadlines missed and escalation rungs fired, counted when the save that records them lands',
    labelNames: ['kind'] as const,
    registers,
  });
  const escalations = new Counter({
    name: 'rect_escalations_total',
    help: 'Escalation rungs fired, by the level they escalated to',
    labelNames: ['level'] as const,
    registers,
  });
  const lateness = new Histogram({
    name: 'rect_clock_event_lateness_seconds',
    help: 'How late each warning, deadline and rung fired: the workflow time it fired minus the instant it was due',
    labelNames: ['kind'] as const,
    buckets: LATENESS_BUCKETS,
    registers,
  });
  const saveAttempts = new Counter({
    name: 'rect_save_attempts_total',
    help: 'Attempts of the save activity (an item\'s changes to the read side), by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const saveRetries = new Counter({
    name: 'rect_save_retries_total',
    help: 'Save attempts after the first one of their save (the database refused or was down before)',
    registers,
  });
  const saveDuration = new Histogram({
    name: 'rect_save_duration_seconds',
    help: 'Time of one save attempt (its transaction and the wake of the delivery senders after it), by outcome',
    labelNames: ['outcome'] as const,
    buckets: SAVE_BUCKETS,
    registers,
  });
  const projectionLag = new Histogram({
    name: 'rect_projection_lag_seconds',
    help: 'How long the oldest change a save carried waited to be visible on the read side: wall clock at the commit that moved the item\'s row minus the workflow time of the save\'s earliest record',
    buckets: LAG_BUCKETS,
    registers,
  });
  const deliveries = new Counter({
    name: 'rect_notification_deliveries_total',
    help: 'Notification deliveries whose outcome was recorded: delivered, failed and retrying, or dead (given up)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const sendDuration = new Histogram({
    name: 'rect_delivery_send_duration_seconds',
    help: 'Time of one message sent to a channel (a digest or a single notification)',
    labelNames: ['channel'] as const,
    buckets: SEND_BUCKETS,
    registers,
  });

  // every series the dashboard draws exists from the first scrape, at zero
  for (const kind of Object.values(CLOCK_EVENT_KINDS)) {
    clockEvents.inc({ kind }, 0);
    lateness.zero({ kind });
  }
  for (const outcome of ['saved', 'failed'] as const) {
    saveAttempts.inc({ outcome }, 0);
    saveDuration.zero({ outcome });
  }
  saveRetries.inc(0);

  const metrics: SaveMetrics & DeliveryMetrics & { registry: Registry } = {
    registry,
    saveAttempt(outcome, attempt, seconds) {
      saveAttempts.inc({ outcome });
      if (attempt > 1) saveRetries.inc();
      saveDuration.observe({ outcome }, seconds);
    },
    saveLanded(changes, landed, nowMs) {
      for (const event of landed.auditEvents) {
        const kind = CLOCK_EVENT_KINDS[event.action as keyof typeof CLOCK_EVENT_KINDS];
        if (!kind) continue;
        clockEvents.inc({ kind });
        if (kind === 'escalation' && typeof event.details.level === 'number') escalations.inc({ level: String(event.details.level) });
        // events of items that fired before the clock recorded scheduledAt are counted, not timed
        const scheduled = typeof event.details.scheduledAt === 'string' ? Date.parse(event.details.scheduledAt) : NaN;
        if (Number.isFinite(scheduled)) lateness.observe({ kind }, Math.max(0, Date.parse(event.at) - scheduled) / 1000);
      }
      if (landed.itemRowWritten) projectionLag.observe(Math.max(0, nowMs - oldestChangeMs(changes)) / 1000);
    },
    deliveries(channel, outcome, count) {
      if (count > 0) deliveries.inc({ channel, outcome }, count);
    },
    sendDuration(channel, seconds) {
      sendDuration.observe({ channel }, seconds);
    },
  };
  return metrics;
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
