/**
 * Activities as a factory over injected dependencies (the worker builds the pool
 * once and passes it in; tests pass a test database's pool). Workflows see these
 * by type only: `proxyActivities<ItemActivities>` with `import type`.
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { applyItemChanges } from '../db/repositories/item-projection';
import { clearSaveFailure, recordSaveFailure } from '../db/repositories/save-failures';
import type { ItemChanges } from '../domain/item-changes';
import { fromLegacyChanges, type LegacyItemChanges } from './legacy-changes';

export interface ActivityDeps {
  pool: Pool;
}

/** From this attempt on, a failing save is on record (GET /ops/stuck) and logged at warn level. */
export const STUCK_SAVE_ATTEMPTS = 3;

export function createActivities(deps: ActivityDeps) {
  async function save(changes: ItemChanges): Promise<void> {
    const attempt = activityAttempt();
    try {
      await applyItemChanges(deps.pool, changes);
    } catch (err) {
      if (attempt >= STUCK_SAVE_ATTEMPTS) {
        const message = err instanceof Error ? err.message : String(err);
        Context.current().log.warn('item save keeps failing', { itemId: changes.itemId, attempt, error: message });
        // best effort: when the database itself is down this fails too, and the log line stands alone
        await recordSaveFailure(deps.pool, changes.itemId, attempt, message).catch(() => undefined);
      }
      throw err;
    }
    if (attempt > 1) await clearSaveFailure(deps.pool, changes.itemId).catch(() => undefined);
  }

  return {
    /**
     * Writes one batch of an item's changes to the read side. Idempotent, so a
     * retry after a lost acknowledgement is harmless; database faults simply
     * throw and Temporal's retry policy tries again, for as long as it takes.
     */
    async saveItemChanges(changes: ItemChanges): Promise<void> {
      await save(changes);
    },
    /** The save of items started before bounded saves (whole snapshots); see activities/legacy-changes.ts. */
    async persistItemChanges(changes: LegacyItemChanges): Promise<void> {
      await save(fromLegacyChanges(changes));
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
