/**
 * Activities as a factory over injected dependencies (the worker builds the pool,
 * the Temporal client and the channels once and passes them in; tests pass
 * theirs). Workflows see these by type only: `proxyActivities<ItemActivities>`
 * with `import type`.
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { insertDeliveries, routingFor, type Endpoint } from '../db/repositories/deliveries';
import { applyItemChanges } from '../db/repositories/item-projection';
import { clearSaveFailure, recordSaveFailure } from '../db/repositories/save-failures';
import type { ItemChanges, SaveReceipt } from '../domain/item-changes';
import type { SaveMetrics } from '../metrics/worker-metrics';
import { planDeliveries } from './delivery/plan';
import type { BucketState } from './delivery/rate-limit';
import type { SendRound } from './delivery/send';
import type { CalendarPage } from './calendar-broadcast';
import { sweepOverdueEndpoints } from './delivery/sweep';
import { fromLegacyChanges, type LegacyItemChanges } from './legacy-changes';

export interface ActivityDeps {
  pool: Pool;
  /** wakes the delivery workflows of endpoints that have deliveries due (after the save that planned them committed) */
  wake?: (endpoints: Endpoint[]) => Promise<void>;
  /** sends one endpoint's due deliveries (activities/delivery/send.ts) */
  sendDue?: (endpoint: Endpoint, bucket?: BucketState, heartbeat?: () => void) => Promise<SendRound>;
  /** notifications to one channel within this window leave as one digest */
  digestWindowMs?: number;
  /** carries the latest holiday calendar to a page of running items (activities/calendar-broadcast.ts) */
  broadcastCalendarPage?: (input: { after?: string }) => Promise<CalendarPage>;
  /** where saves report attempts and what landed (metrics/worker-metrics.ts) */
  metrics?: SaveMetrics;
  /** works a ledger import through (activities/ledger-import.ts) */
  runLedgerImport?: (importId: string) => Promise<void>;
}

/** From this attempt on, a failing save is on record (GET /ops/stuck) and logged at warn level. */
export const STUCK_SAVE_ATTEMPTS = 3;
const DEFAULT_DIGEST_WINDOW_MS = 30_000;

export function createActivities(deps: ActivityDeps) {
  const digestWindowMs = deps.digestWindowMs ?? DEFAULT_DIGEST_WINDOW_MS;

  async function save(changes: ItemChanges): Promise<void> {
    const attempt = activityAttempt();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    // one attempt, counted once, by how it ended for Temporal: a wake that fails after the commit
    // fails the attempt (it is retried) even though its rows landed
    try {
      const endpoints = await applyItemChanges(
        deps.pool,
        changes,
        async (client) => {
          if (changes.notifications.length === 0) return [];
          const routing = await routingFor(client, changes.notifications);
          return insertDeliveries(client, planDeliveries(changes.notifications, routing, { nowMs: Date.now(), digestWindowMs }));
        },
        (landed) => deps.metrics?.saveLanded(changes, landed, Date.now()),
      );
      // after the commit: a wake that fails makes the save retry, which plans nothing twice and wakes again
      if (endpoints?.length && deps.wake) await deps.wake(endpoints);
    } catch (err) {
      deps.metrics?.saveAttempt('failed', attempt, seconds());
      if (attempt >= STUCK_SAVE_ATTEMPTS) {
        const message = err instanceof Error ? err.message : String(err);
        Context.current().log.warn('item save keeps failing', { itemId: changes.itemId, attempt, error: message });
        // best effort: when the database itself is down this fails too, and the log line stands alone
        await recordSaveFailure(deps.pool, changes.itemId, attempt, message).catch(() => undefined);
      }
      throw err;
    }
    deps.metrics?.saveAttempt('saved', attempt, seconds());
    if (attempt > 1) await clearSaveFailure(deps.pool, changes.itemId).catch(() => undefined);
  }

  return {
    /**
     * Writes one batch of an item's changes to the read side, with the
     * deliveries its notifications need. Idempotent, so a retry after a lost
     * acknowledgement is harmless; database faults simply throw and Temporal's
     * retry policy tries again, for as long as it takes.
     */
    async saveItemChanges(changes: ItemChanges): Promise<SaveReceipt> {
      await save(changes);
      // the real time the save ended: the item times its next timer from it (workflows/item-run.ts)
      return { savedAtMs: Date.now() };
    },
    /** The save of items started before bounded saves (whole snapshots); see activities/legacy-changes.ts. */
    async persistItemChanges(changes: LegacyItemChanges): Promise<void> {
      await save(fromLegacyChanges(changes));
    },
    /** One page of a calendar broadcast (workflows/calendar-broadcast.ts). */
    async broadcastCalendarPage(input: { after?: string }): Promise<CalendarPage> {
      if (!deps.broadcastCalendarPage) throw new Error('this worker has no Temporal client to signal items with');
      return deps.broadcastCalendarPage(input);
    },
    /** Wakes the endpoints whose wake went missing (workflows/delivery-sweep.ts); returns how many. */
    async sweepDeliveries(): Promise<number> {
      if (!deps.wake) throw new Error('this worker has no Temporal client to wake delivery workflows with');
      return (await sweepOverdueEndpoints({ pool: deps.pool, wake: deps.wake })).length;
    },
    /** Creates a ledger import's items until the job is done (workflows/ledger-import.ts). */
    async runLedgerImport(importId: string): Promise<void> {
      if (!deps.runLedgerImport) throw new Error('this worker has no Temporal client to start items with');
      return deps.runLedgerImport(importId);
    },
    /** One round of an endpoint's deliveries (workflows/delivery-endpoint.ts). */
    async sendDueDeliveries(endpoint: Endpoint, bucket?: BucketState): Promise<SendRound> {
      if (!deps.sendDue) throw new Error('this worker has no delivery channels configured');
      // a heartbeat per message: a round on a worker that died is retried within the heartbeat timeout, not the 5-minute one
      return deps.sendDue(endpoint, bucket, () => Context.current().heartbeat());
    },
  };
}

function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (unit tests of the factory)
  }
}

export type ItemActivities = ReturnType<typeof createActivities>;
