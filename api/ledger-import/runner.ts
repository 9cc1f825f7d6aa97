/**
 * Works through accepted imports in the background of an API process: takes a
 * job's lease in PostgreSQL, starts its pending items a few at a time through
 * the same path as POST /items, records each outcome (which extends the
 * lease), and ends the job once nothing is pending.
 *
 * Why a lease and not the request: an import of a thousand items outlives a
 * request, and the process running it may stop (deploy, crash). The job row
 * is the truth; a runner only borrows it. On shutdown a runner hands its jobs
 * back at once; if it dies, the lease runs out and the next sweep of any API
 * process takes the job up again. An item whose start was in flight when the
 * runner died is started again under the same id: Temporal refuses the
 * duplicate, and the runner recognises the item as the one this import
 * started (its plan, creator and title) instead of starting a second one —
 * and so it does when starting it again is refused for another reason (its
 * unit deactivated since, its day gone). A runner that lost its lease
 * records nothing: the job's new holder decides each item.
 *
 * Dependencies down (Temporal, PostgreSQL) pause the job, never fail its
 * items: it is handed back and retried after a delay.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type pino from 'pino';
import {
  claimImport,
  finishImport,
  pendingItems,
  recordItem,
  releaseImport,
  unheldImports,
  type PendingItem,
} from '../../db/repositories/ledger-imports';
import { DomainError } from '../../domain/errors';
import type { Actor, ItemInput } from '../../domain/types';
import { isDatabaseUnavailable } from '../db-errors';
import { classifyTemporalError } from '../temporal-errors';

export interface ImportRunnerDeps {
  pool: Pool;
  logger: pino.Logger;
  /** starts one item as POST /items does */
  start(input: ItemInput, actor: Actor): Promise<void>;
  /** whether the existing item with this id is the one this import started */
  isOurs(input: ItemInput, actor: Actor): Promise<boolean>;
  leaseMs?: number;
  /** items started at once within one job */
  concurrency?: number;
  sweepEveryMs?: number;
  /** how long a job paused by a dependency that is down waits before it is taken up again */
  retryDelayMs?: number;
}

export interface LedgerImportRunner {
  /** Takes the job up now, in the background (nothing happens if another runner holds it). */
  kick(importId: string): void;
  /** Takes up every job no runner holds: queued ones, and those whose runner died. */
  sweep(): Promise<void>;
  /** Sweeps now and then periodically. */
  start(): void;
  /** Stops taking work, lets the items in flight finish and hands the jobs back. */
  close(): Promise<void>;
}

type Outcome = { status: 'created' } | { status: 'failed'; code: string; message: string } | { status: 'paused'; reason: string };

export function createLedgerImportRunner(deps: ImportRunnerDeps): LedgerImportRunner {
  const owner = randomUUID();
  const leaseMs = deps.leaseMs ?? 60_000;
  const concurrency = deps.concurrency ?? 4;
  const retryDelayMs = deps.retryDelayMs ?? 15_000;
  const inHand = new Map<string, Promise<void>>();
  let closing = false;
  let timer: NodeJS.Timeout | undefined;

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
        // A runner that died after starting this item but before recording it leaves it pending; starting it
        // again may now be refused for a reason of its own (its unit deactivated, its day gone): the item
        // exists, this import started it, and it is created — never failed, never started twice.
        if (await deps.isOurs(item.input, actor)) return { status: 'created' };
        return { status: 'failed', code: domain.code, message: domain.message };
      }
      if (domain || temporal || isDatabaseUnavailable(err)) return { status: 'paused', reason: err instanceof Error ? err.message : String(err) };
      deps.logger.error({ err, itemId: item.itemId }, 'ledger import: unexpected error starting an item');
      return { status: 'failed', code: 'INTERNAL', message: '创建事项时发生意外错误，请重新上传同一文件重试' };
    }
  }

  async function run(importId: string): Promise<void> {
    const job = await claimImport(deps.pool, importId, owner, leaseMs);
    if (!job) return;
    const log = deps.logger.child({ ledgerImport: importId, planId: job.planId });
    log.info('ledger import: working');
    for (;;) {
      if (closing) {
        await releaseImport(deps.pool, importId, owner, 0);
        log.info('ledger import: handed back on shutdown');
        return;
      }
      const batch = await pendingItems(deps.pool, importId, concurrency);
      if (batch.length === 0) {
        if (await finishImport(deps.pool, importId, owner)) log.info('ledger import: finished');
        return;
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
          log.warn('ledger import: lease lost to another runner; stopping here');
          return;
        }
      }
      if (paused !== undefined) {
        await releaseImport(deps.pool, importId, owner, retryDelayMs);
        log.warn({ reason: paused, retryInMs: retryDelayMs }, 'ledger import: paused, a dependency is unavailable');
        return;
      }
    }
  }

  function kick(importId: string): void {
    if (closing || inHand.has(importId)) return;
    const job = run(importId)
      .catch((err: unknown) => deps.logger.warn({ err, ledgerImport: importId }, 'ledger import: stopped by an error; it is taken up again once its lease runs out'))
      .finally(() => inHand.delete(importId));
    inHand.set(importId, job);
  }

  async function sweep(): Promise<void> {
    if (closing) return;
    try {
      for (const id of await unheldImports(deps.pool, 20)) kick(id);
    } catch (err) {
      deps.logger.warn({ err }, 'ledger import: sweep failed');
    }
  }

  return {
    kick,
    sweep,
    start() {
      if (timer || closing) return;
      void sweep();
      timer = setInterval(() => void sweep(), deps.sweepEveryMs ?? 15_000);
      timer.unref();
    },
    async close() {
      closing = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled([...inHand.values()]);
    },
  };
}
