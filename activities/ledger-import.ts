/**
 * The activity of a ledger import's workflow (workflows/ledger-import.ts):
 * works the job through api/ledger-import/runner.ts, starting its items as
 * POST /items does (the same checks, the same item gateway the API builds).
 * How a run ended decides what Temporal does next: a finished job (or none)
 * completes the workflow; a job paused by a dependency that is down, or held
 * by another run, is a retryable failure, tried again after the retry
 * policy's backoff; a run told to stop (worker shutdown, cancellation) hands
 * the job back and rethrows, so another worker takes it up.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { createCalendarSource } from '../api/calendar-source';
import { createItemGatewayOn } from '../api/item-gateway';
import { createImportedItemCheck } from '../api/ledger-import/imported-item';
import { runImport, type ImportLog } from '../api/ledger-import/runner';
import { startNewItem } from '../api/start-item';
import { releaseImport } from '../db/repositories/ledger-imports';
import type { HolidaySupplement } from '../domain/statutory-calendar';

export interface LedgerImportActivityDeps {
  pool: Pool;
  client: Client;
  /** the task queue items are started on (the worker's own) */
  taskQueue: string;
  supplement?: HolidaySupplement;
  /** items started at once within one job (default 4) */
  concurrency?: number;
}

/** The failure type of a run that must be tried again later (paused, held elsewhere, lease lost). */
export const IMPORT_NOT_DONE = 'LedgerImportNotDone';

export function createLedgerImportActivity(deps: LedgerImportActivityDeps) {
  const calendars = createCalendarSource(deps.pool, deps.supplement);
  const items = createItemGatewayOn(deps.pool, { temporal: deps.client, taskQueue: deps.taskQueue, calendars });
  const isOurs = createImportedItemCheck(deps.pool, items);

  return async function runLedgerImport(importId: string): Promise<void> {
    const ctx = Context.current();
    const run = ctx.info.workflowExecution;
    const owner = `${run?.workflowId ?? 'ledger-import'}/${run?.runId ?? randomUUID()}#${ctx.info.attempt}`;
    const ended = await runImport({
      pool: deps.pool,
      log: ctx.log as ImportLog,
      start: async (input, actor) => void (await startNewItem({ pool: deps.pool, items }, actor, input)),
      isOurs,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      heartbeat: () => ctx.heartbeat(),
      stopping: () => ctx.cancellationSignal.aborted,
    }, importId, owner);
    switch (ended.outcome) {
      case 'finished':
      case 'done':
        return;
      case 'stopped':
        // handed back already; the cancellation is rethrown: a worker shutting down fails this attempt and another worker retries it
        await ctx.cancelled;
        return;
      case 'paused':
        throw ApplicationFailure.retryable(`paused, a dependency is unavailable: ${ended.reason}`, IMPORT_NOT_DONE);
      case 'held':
        throw ApplicationFailure.retryable('another run holds the job; trying again later', IMPORT_NOT_DONE);
      case 'leaseLost':
        // nothing of ours to hand back when another run took it; items pending again are ours to hand back
        await releaseImport(deps.pool, importId, owner, 0);
        throw ApplicationFailure.retryable('the job is not done and not held by this run; trying again later', IMPORT_NOT_DONE);
    }
  };
}
