/**
 * Ledger imports (整改台账导入) in PostgreSQL: accepting an upload as a job in
 * one transaction, reading its progress, and the lease-guarded steps a runner
 * takes to work through it (db/migrations/008_ledger_imports.sql).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Actor, ItemInput } from '../../domain/types';
import { DomainError } from '../../domain/errors';
import { withTransaction } from '../pool';

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type ImportItemStatus = 'pending' | 'created' | 'failed';

/** One item of an uploaded file, ready to be started. */
export interface ImportItemRow {
  itemId: string;
  key: string;
  /** order in the file */
  position: number;
  /** the item's first row in the sheet */
  row: number;
  /** the item as the sheet gave it, kept to compare later uploads with */
  content: unknown;
  contentFingerprint: string;
  /** the body to start it with; absent for an item an earlier import of the plan brought (it is not started again, nor checked again) */
  input?: ItemInput;
}

/** An item an earlier import of the plan brought (pending or created: its key is taken). */
export interface EarlierItem {
  itemId: string;
  key: string;
  content: unknown;
  contentFingerprint: string;
}

export interface ImportFailure {
  itemId: string;
  itemKey: string;
  row: number;
  code: string;
  message: string;
}

export interface LedgerImport {
  id: string;
  planId: string;
  status: ImportStatus;
  fingerprint: string;
  file: { sha256: string; bytes: number };
  items: { total: number; created: number; failed: number; pending: number; unchanged: number; changed: number };
  /** share of this import's items that are done (created or failed), 0..1; 1 when it creates none */
  progress: number;
  diff: unknown;
  createdBy: { id: string; name: string };
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface AcceptInput {
  planId: string;
  fingerprint: string;
  fileSha256: string;
  fileBytes: number;
  createdBy: Actor;
  items: ImportItemRow[];
  /** what the file changes against the plan's earlier imports, given them */
  diffOf(earlier: EarlierItem[]): unknown;
}

export type AcceptOutcome =
  | { kind: 'accepted'; job: LedgerImport }
  /** the same content was imported into this plan before: that job, with its failed items queued again */
  | { kind: 'duplicate'; job: LedgerImport; retried: number };

type Queryable = Pool | PoolClient;

function toImport(r: Record<string, any>): LedgerImport {
  const total = r.total_items as number;
  const done = (r.created_items as number) + (r.failed_items as number);
  return {
    id: r.id,
    planId: r.plan_id,
    status: r.status,
    fingerprint: r.fingerprint,
    file: { sha256: r.file_sha256, bytes: r.file_bytes },
    items: {
      total, created: r.created_items, failed: r.failed_items, pending: total - done,
      unchanged: r.unchanged_items, changed: r.changed_items,
    },
    progress: total === 0 ? 1 : done / total,
    diff: r.diff,
    createdBy: { id: r.created_by.id, name: r.created_by.name },
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Accepts an upload into its plan, or recognises it. The plan's row is locked
 * for the transaction, so two uploads into one plan take turns: each sees what
 * the other brought. Items whose key an earlier import took (pending or
 * created) are not brought again: unchanged ones are counted, changed ones
 * reported; a key whose earlier start failed is free and is taken over.
 */
export async function acceptImport(pool: Pool, input: AcceptInput): Promise<AcceptOutcome> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM plans WHERE id = $1 FOR UPDATE', [input.planId]);
    const same = await sameImport(client, input.planId, input.fingerprint);
    if (same) return same;

    const { rows: earlierRows } = await client.query(
      `SELECT item_id, item_key, content, content_fp FROM ledger_import_items
       WHERE plan_id = $1 AND status <> 'failed' ORDER BY import_id, position`,
      [input.planId],
    );
    const earlier: EarlierItem[] = earlierRows.map((r) => ({ itemId: r.item_id, key: r.item_key, content: r.content, contentFingerprint: r.content_fp }));
    const byId = new Map(earlier.map((e) => [e.itemId, e]));
    const fresh = input.items.filter((i) => !byId.has(i.itemId));
    if (fresh.some((i) => i.input === undefined)) {
      // an earlier import's start of it failed since the upload was checked: check it again
      throw new DomainError('BUSY', 'an item of this file changed state while the file was checked; upload it again');
    }
    const unchanged = input.items.filter((i) => byId.get(i.itemId)?.contentFingerprint === i.contentFingerprint).length;
    const changed = input.items.length - fresh.length - unchanged;

    const id = randomUUID();
    await client.query(
      `INSERT INTO ledger_imports (id, plan_id, fingerprint, file_sha256, file_bytes, status, total_items, unchanged_items, changed_items, diff, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        id, input.planId, input.fingerprint, input.fileSha256, input.fileBytes, fresh.length === 0 ? 'succeeded' : 'queued',
        fresh.length, unchanged, changed, JSON.stringify(input.diffOf(earlier)), JSON.stringify(input.createdBy),
      ],
    );
    if (fresh.length === 0) await client.query('UPDATE ledger_imports SET finished_at = now() WHERE id = $1', [id]);
    // one statement for all of them: the plan stays locked for as short a time as may be
    const rows = fresh.map((item) => ({
      item_id: item.itemId, item_key: item.key, position: item.position, sheet_row: item.row, content: item.content,
      content_fp: item.contentFingerprint, input: item.input,
    }));
    // a failed start of an earlier import leaves its key free: this import takes the row over
    await client.query(
      `INSERT INTO ledger_import_items (item_id, import_id, plan_id, item_key, position, sheet_row, content, content_fp, input, status)
       SELECT r.item_id, $1, $2, r.item_key, r.position, r.sheet_row, r.content, r.content_fp, r.input, 'pending'
       FROM jsonb_to_recordset($3::jsonb) AS r(item_id text, item_key text, position integer, sheet_row integer, content jsonb, content_fp text, input jsonb)
       ON CONFLICT (item_id) DO UPDATE SET import_id = EXCLUDED.import_id, item_key = EXCLUDED.item_key, position = EXCLUDED.position,
         sheet_row = EXCLUDED.sheet_row, content = EXCLUDED.content, content_fp = EXCLUDED.content_fp, input = EXCLUDED.input,
         status = 'pending', error = NULL, updated_at = now()
       WHERE ledger_import_items.status = 'failed'`,
      [id, input.planId, JSON.stringify(rows)],
    );
    return { kind: 'accepted', job: toImport(await getImportRow(client, id)) };
  });
}

/** The plan's import of this content, with its failed items queued again; null when there is none. */
async function sameImport(client: PoolClient, planId: string, fingerprint: string): Promise<AcceptOutcome | null> {
  const { rows: same } = await client.query('SELECT * FROM ledger_imports WHERE plan_id = $1 AND fingerprint = $2', [planId, fingerprint]);
  if (!same[0]) return null;
  const retried = await requeueFailures(client, same[0].id);
  const job = retried > 0 ? await getImportRow(client, same[0].id) : same[0];
  return { kind: 'duplicate', job: toImport(job), retried };
}

/**
 * Recognises an upload as the plan's earlier import of the same content
 * (answered as acceptImport answers a duplicate), before anything else about
 * it is judged: its days may have passed since, and that changes nothing.
 */
export async function recogniseImport(pool: Pool, planId: string, fingerprint: string): Promise<AcceptOutcome | null> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM plans WHERE id = $1 FOR UPDATE', [planId]);
    return sameImport(client, planId, fingerprint);
  });
}

/** Item ids earlier imports of the plan brought (pending or created): a file will not start them again. */
export async function importedItemIds(pool: Pool, planId: string): Promise<Set<string>> {
  const { rows } = await pool.query(`SELECT item_id FROM ledger_import_items WHERE plan_id = $1 AND status <> 'failed'`, [planId]);
  return new Set(rows.map((r) => r.item_id as string));
}

/** The failed items a job still owns go back to pending, and the job back to the queue. */
async function requeueFailures(client: PoolClient, importId: string): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE ledger_import_items SET status = 'pending', error = NULL, updated_at = now() WHERE import_id = $1 AND status = 'failed'`,
    [importId],
  );
  if (!rowCount) return 0;
  await client.query(
    `UPDATE ledger_imports SET status = 'queued', failed_items = failed_items - $2, finished_at = NULL, updated_at = now() WHERE id = $1`,
    [importId, rowCount],
  );
  return rowCount;
}

async function getImportRow(db: Queryable, id: string): Promise<Record<string, any>> {
  const { rows } = await db.query('SELECT * FROM ledger_imports WHERE id = $1', [id]);
  return rows[0];
}

export async function getImport(pool: Pool, planId: string, id: string): Promise<LedgerImport | null> {
  const { rows } = await pool.query('SELECT * FROM ledger_imports WHERE plan_id = $1 AND id = $2', [planId, id]);
  return rows[0] ? toImport(rows[0]) : null;
}

/** Newest first. */
export async function listImports(pool: Pool, planId: string, limit: number): Promise<LedgerImport[]> {
  const { rows } = await pool.query('SELECT * FROM ledger_imports WHERE plan_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [planId, limit]);
  return rows.map(toImport);
}

export async function importFailures(pool: Pool, importId: string, limit: number): Promise<ImportFailure[]> {
  const { rows } = await pool.query(
    `SELECT item_id, item_key, sheet_row, error FROM ledger_import_items WHERE import_id = $1 AND status = 'failed' ORDER BY position LIMIT $2`,
    [importId, limit],
  );
  return rows.map((r) => ({ itemId: r.item_id, itemKey: r.item_key, row: r.sheet_row, code: r.error?.code ?? 'FAILED', message: r.error?.message ?? '' }));
}

// ------------------------------------------------------------------ the runner's steps

export interface ClaimedImport {
  id: string;
  planId: string;
  createdBy: Actor;
}

/** Takes a queued job, or a running one whose lease ran out; null when another runner holds it or it is done. */
export async function claimImport(pool: Pool, id: string, owner: string, leaseMs: number): Promise<ClaimedImport | null> {
  const { rows } = await pool.query(
    `UPDATE ledger_imports SET status = 'running', lease_owner = $2, lease_until = now() + $3 * interval '1 millisecond',
       attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < now())
     RETURNING id, plan_id, created_by`,
    [id, owner, leaseMs],
  );
  return rows[0] ? { id: rows[0].id, planId: rows[0].plan_id, createdBy: rows[0].created_by } : null;
}

/** The job's status; null when there is no such job. */
export async function importStatus(pool: Pool, id: string): Promise<ImportStatus | null> {
  const { rows } = await pool.query('SELECT status FROM ledger_imports WHERE id = $1', [id]);
  return rows[0] ? (rows[0].status as ImportStatus) : null;
}

/** Every job not finished yet (queued or running, held or not), oldest first. */
export async function unfinishedImports(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query(`SELECT id FROM ledger_imports WHERE status IN ('queued', 'running') ORDER BY created_at, id`);
  return rows.map((r) => r.id as string);
}

export interface PendingItem {
  itemId: string;
  input: ItemInput;
}

export async function pendingItems(pool: Pool, importId: string, limit: number): Promise<PendingItem[]> {
  const { rows } = await pool.query(
    `SELECT item_id, input FROM ledger_import_items WHERE import_id = $1 AND status = 'pending' ORDER BY position LIMIT $2`,
    [importId, limit],
  );
  return rows.map((r) => ({ itemId: r.item_id, input: r.input }));
}

/**
 * Records how an item's start ended and moves the job's counters, extending
 * the lease. False when the runner no longer holds the job (its lease ran out
 * and another took it): it must stop, and it has changed nothing — not the
 * item, whose fate is the new holder's to decide, nor the counters. (A
 * data-modifying CTE runs whatever the outer statement matches, so the item
 * is updated only under the job row locked by the held lease.)
 */
export async function recordItem(
  pool: Pool,
  importId: string,
  owner: string,
  itemId: string,
  outcome: { status: 'created' } | { status: 'failed'; code: string; message: string },
  leaseMs: number,
): Promise<boolean> {
  const error = outcome.status === 'failed' ? JSON.stringify({ code: outcome.code, message: outcome.message }) : null;
  const { rows } = await pool.query(
    `WITH held AS (
       SELECT id FROM ledger_imports WHERE id = $1 AND lease_owner = $2 FOR UPDATE
     ), done AS (
       UPDATE ledger_import_items SET status = $4, error = $5, updated_at = now()
       WHERE item_id = $3 AND import_id = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM held) RETURNING status
     )
     UPDATE ledger_imports SET
       created_items = created_items + (SELECT count(*) FROM done WHERE status = 'created'),
       failed_items = failed_items + (SELECT count(*) FROM done WHERE status = 'failed'),
       lease_until = now() + $6 * interval '1 millisecond', updated_at = now()
     WHERE id IN (SELECT id FROM held) RETURNING id`,
    [importId, owner, itemId, outcome.status, error, leaseMs],
  );
  return rows.length > 0;
}

/**
 * Ends the job once nothing is pending; false when items are still pending or the lease is gone. The job's
 * row is locked before the items are counted, by a statement of its own: an upload of the same file that
 * queued failed items again (and holds the row until it commits) is waited for and then seen, so its items
 * are never counted as failed in a job ended under them. (One statement would count them from the snapshot
 * taken before the wait, and end the job with those items pending and nobody to run them.)
 */
export async function finishImport(pool: Pool, importId: string, owner: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rows: held } = await client.query('SELECT 1 FROM ledger_imports WHERE id = $1 AND lease_owner = $2 FOR UPDATE', [importId, owner]);
    if (!held[0]) return false;
    return endIfNothingPending(client, importId, owner);
  });
}

async function endIfNothingPending(client: PoolClient, importId: string, owner: string): Promise<boolean> {
  const { rows } = await client.query(
    `WITH counts AS (
       SELECT count(*) FILTER (WHERE status = 'created') AS created, count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status = 'pending') AS pending
       FROM ledger_import_items WHERE import_id = $1
     )
     UPDATE ledger_imports SET status = CASE WHEN counts.failed > 0 THEN 'failed' ELSE 'succeeded' END,
       created_items = counts.created, failed_items = counts.failed, lease_owner = NULL, lease_until = NULL,
       finished_at = now(), updated_at = now()
     FROM counts WHERE id = $1 AND lease_owner = $2 AND counts.pending = 0 RETURNING id`,
    [importId, owner],
  );
  return rows.length > 0;
}

/** Hands the job back (shutdown, or a dependency down): any runner may take it after `delayMs`. */
export async function releaseImport(pool: Pool, importId: string, owner: string, delayMs: number): Promise<void> {
  await pool.query(
    `UPDATE ledger_imports SET lease_owner = NULL, lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
     WHERE id = $1 AND lease_owner = $2`,
    [importId, owner, delayMs],
  );
}
