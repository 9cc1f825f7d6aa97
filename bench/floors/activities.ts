/** The floor's one activity: an event written to PostgreSQL, stamped when it landed. */
import type { Pool } from 'pg';

export const FIRINGS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS bench_firings (
  workflow_id text PRIMARY KEY, due_at timestamptz NOT NULL, fired_at timestamptz NOT NULL,
  landed_at timestamptz NOT NULL DEFAULT clock_timestamp())`;

export function createFloorActivities(pool: Pool) {
  return {
    async recordFiring(e: { workflowId: string; dueAtMs: number; firedAtMs: number }): Promise<void> {
      await pool.query(
        'INSERT INTO bench_firings (workflow_id, due_at, fired_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [e.workflowId, new Date(e.dueAtMs).toISOString(), new Date(e.firedAtMs).toISOString()],
      );
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
