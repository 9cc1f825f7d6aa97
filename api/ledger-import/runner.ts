/**
 * Works through one accepted import: takes the job's lease in PostgreSQL,
 * starts its pending items a few at a time through the same path as
 * POST /items, records each outcome (which extends the lease), and ends the
 * job once nothing is pending. It runs inside the activity of the import's
 * workflow (workflows/ledger-import.ts, activities/ledger-import.ts): Temporal
 * decides when it runs and runs it again, on any worker, until the job is done.
 *
 * Why a lease as well: an attempt Temporal has given up on (its worker stopped
 * heartbeating) may still be running somewhere. The job row is the truth; a
 * run only borrows it. A run that is told to stop (its worker shuts down)
 * hands the job back at once; if its worker dies, the lease runs out and the
 * next attempt takes the job up again. An item whose start was in flight when
 * the worker died is started again under the same id: Temporal refuses the
 * duplicate, and the run recognises the item as the one this import started
 * (its plan, creator and title) instead of starting a second one — and so it
 * does when starting it again is refused for another reason (its unit
 * deactivated since, its day gone). A run that lost its lease records
 * nothing: the job's new holder decides each item.
 *
 * Dependencies down (Temporal, PostgreSQL) pause the job, never fail its
 * items: it is handed back and the workflow's retry policy tries it again.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  claimImport,
  finishImport,
  importStatus,
  pendingItems,
  recordItem,
  releaseImport,
  type PendingItem,
} from '../../db/repositories/ledger-imports';
import { DomainError } from '../../domain/errors';
import type { Actor, ItemInput } from '../../domain/types';
import { isDatabaseUnavailable } from '../db-errors';
import { classifyTemporalError } from '../temporal-errors';

/** Messages with attributes, as Temporal's activity logger takes them. */
export interface ImportLog {
  info(message: string, attrs?: Record<string, unknown>): void;
  warn(message: string, attrs?: Record<string, unknown>): void;
  error(message: string, attrs?: Record<string, unknown>): void;
}

export interface ImportRunDeps {
  pool: Pool;
  log: ImportLog;
  /** starts one item as POST /items does */
  start(input: ItemInput, actor: Actor): Promise<void>;
  /** whether the existing item with this id is the one this import started */
  isOurs(input: ItemInput, actor: Actor): Promise<boolean>;
  leaseMs?: number;
  /** items started at once within one job */
  concurrency?: number;
  /** called after each item's start and each batch: the run is alive */
  heartbeat?(): void;
  /** true once the run must stop taking items (its worker shuts down, its workflow was cancelled) */
  stopping?(): boolean;
}

export type ImportRun =
  /** this run ended the job */
  | { outcome: 'finished' }
  /** nothing to do: the job is finished already, or there is no such job */
  | { outcome: 'done' }
  /** another run holds the job's lease */
  | { outcome: 'held' }
  /** a dependency is down: the job was handed back, its items untouched */
  | { outcome: 'paused'; reason: string }
  /** the lease ran out and another run took the job: this one stopped, recording nothing */
  | { outcome: 'leaseLost' }
  /** told to stop: the job was handed back */
  | { outcome: 'stopped' };

type Outcome = { status: 'created' } | { status: 'failed'; code: string; message: string } | { status: 'paused'; reason: string };

/** Works through the job until it is finished or this run has to stop; says how it ended. */
export async function runImport(deps: ImportRunDeps, importId: string, owner: string = randomUUID()): Promise<ImportRun> {
  const leaseMs = deps.leaseMs ?? 60_000;
  const concurrency = deps.concurrency ?? 4;
  const heartbeat = () => deps.heartbeat?.();

  async function startOne(item: PendingItem, actor: Actor): Promise<Outcome> {
    try {
      await deps.start(item.input, actor);
      return { status: 'created' };
    } catch (err) {
      const temporal = classifyTemporalError(err);
      const domain = err instanceof DomainError ? { code: err.code, message: err.message } : temporal?.kind === 'domain' ? temporal : undefined;
      if (domain?.code === 'ALREADY_EXISTS') {
        if (await deps.isOurs(item.input, actor)) return { status: 'created' };
        return { status: 'failed', code: 'ALREADY_EXISTS', message: `事项 ${item.itemId} 已由其他途径创建，本次导入未创建它` };
      }
      if (domain && domain.code !== 'BUSY') {
        // A run that died after starting this item but before recording it leaves it pending; starting it
        // again may now be refused for a reason of its own (its unit deactivated, its day gone): the item
        // exists, this import started it, and it is created — never failed, never started twice.
        if (await deps.isOurs(item.input, actor)) return { status: 'created' };
        return { status: 'failed', code: domain.code, message: domain.message };
      }
      if (domain || temporal || isDatabaseUnavailable(err)) return { status: 'paused', reason: err instanceof Error ? err.message : String(err) };
      deps.log.error('ledger import: unexpected error starting an item', { err: err instanceof Error ? err.message : String(err), itemId: item.itemId });
      return { status: 'failed', code: 'INTERNAL', message: '创建事项时发生意外错误，请重新上传同一文件重试' };
    } finally {
      heartbeat();
    }
  }

  const job = await claimImport(deps.pool, importId, owner, leaseMs);
  if (!job) {
    const status = await importStatus(deps.pool, importId);
    return status === 'queued' || status === 'running' ? { outcome: 'held' } : { outcome: 'done' };
  }
  const attrs = { ledgerImport: importId, planId: job.planId };
  deps.log.info('ledger import: working', attrs);
  for (;;) {
    if (deps.stopping?.()) {
      await releaseImport(deps.pool, importId, owner, 0);
      deps.log.info('ledger import: handed back, this run was told to stop', attrs);
      return { outcome: 'stopped' };
    }
    const batch = await pendingItems(deps.pool, importId, concurrency);
    if (batch.length === 0) {
      if (await finishImport(deps.pool, importId, owner)) {
        deps.log.info('ledger import: finished', attrs);
        return { outcome: 'finished' };
      }
      // items pending again (the same file uploaded meanwhile), or the lease lost: not this run's to end now
      return { outcome: 'leaseLost' };
    }
    const outcomes = await Promise.all(batch.map((item) => startOne(item, job.createdBy)));
    let paused: string | undefined;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'paused') {
        paused ??= outcome.reason;
        continue;
      }
      const item = batch[i] as PendingItem;
      if (!(await recordItem(deps.pool, importId, owner, item.itemId, outcome, leaseMs))) {
        deps.log.warn('ledger import: lease lost to another run; stopping here', attrs);
        return { outcome: 'leaseLost' };
      }
    }
    heartbeat();
    if (paused !== undefined) {
      // handed back at once: when to try again is the workflow's retry policy's to say
      await releaseImport(deps.pool, importId, owner, 0);
      deps.log.warn('ledger import: paused, a dependency is unavailable', { ...attrs, reason: paused });
      return { outcome: 'paused', reason: paused };
    }
  }
}
