/** Saves that keep failing, on record so that a stuck item is listed (GET /ops/stuck), never silent. */
import type { Pool } from 'pg';

export interface SaveFailure {
  itemId: string;
  attempts: number;
  lastError: string;
  firstFailedAt: string;
  lastFailedAt: string;
}

export async function recordSaveFailure(pool: Pool, itemId: string, attempt: number, error: string): Promise<void> {
  await pool.query(
    `INSERT INTO item_save_failures (item_id, attempts, last_error, first_failed_at, last_failed_at)
     VALUES ($1, $2, left($3, 2000), now(), now())
     ON CONFLICT (item_id) DO UPDATE SET attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,
       last_failed_at = EXCLUDED.last_failed_at`,
    [itemId, attempt, error],
  );
}

export async function clearSaveFailure(pool: Pool, itemId: string): Promise<void> {
  await pool.query('DELETE FROM item_save_failures WHERE item_id = $1', [itemId]);
}

export async function listSaveFailures(pool: Pool): Promise<SaveFailure[]> {
  const { rows } = await pool.query('SELECT * FROM item_save_failures ORDER BY first_failed_at');
  return rows.map((r) => ({
    itemId: r.item_id, attempts: r.attempts, lastError: r.last_error, firstFailedAt: r.first_failed_at, lastFailedAt: r.last_failed_at,
  }));
}
