/**
 * Activities as a factory over injected dependencies (the worker builds the pool
 * once and passes it in; tests pass a test database's pool). Workflows see these
 * by type only: `proxyActivities<ItemActivities>` with `import type`.
 */
import type { Pool } from 'pg';
import { applyItemChanges } from '../db/repositories/item-projection';
import type { ItemChanges } from './item-changes';

export interface ActivityDeps {
  pool: Pool;
}

export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Projects one snapshot and its new records. Idempotent, so a retry after a
     * lost acknowledgement is harmless; database faults simply throw and
     * Temporal's retry policy tries again.
     */
    async persistItemChanges(changes: ItemChanges): Promise<void> {
      await applyItemChanges(deps.pool, changes);
    },
  };
}

export type ItemActivities = ReturnType<typeof createActivities>;
