/**
 * workflows/ledger-import.ts under time skipping, with the activity faked:
 * one run per hand-over, one more when items are queued again while a run
 * works, and a run that fails is tried again on Temporal's clock until the
 * job is done.
 */
import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startLedgerImport } from '../../api/ledger-import/workflow-start';
import { ledgerImportWorkflowId } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { workflowBundle } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function withWorker(runLedgerImport: (importId: string) => Promise<void>, body: (taskQueue: string) => Promise<void>) {
  const taskQueue = `import-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: { runLedgerImport },
  });
  await worker.runUntil(() => body(taskQueue));
}

test('a hand-over runs the import once and the workflow completes', async () => {
  const runs: string[] = [];
  await withWorker(async (id) => void runs.push(id), async (taskQueue) => {
    await startLedgerImport(env.client, taskQueue, 'job-1');
    await env.client.workflow.getHandle(ledgerImportWorkflowId('job-1')).result();
  });
  expect(runs).toEqual(['job-1']);
});

test('items queued again while a run works: one more run after it, in the same workflow', async () => {
  let runs = 0;
  let release!: () => void;
  const firstRunHeld = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const firstRunEntered = new Promise<void>((resolve) => (entered = resolve));
  await withWorker(async () => {
    runs++;
    if (runs === 1) {
      entered();
      await firstRunHeld;
    }
  }, async (taskQueue) => {
    await startLedgerImport(env.client, taskQueue, 'job-2');
    const handle = env.client.workflow.getHandle(ledgerImportWorkflowId('job-2'));
    const firstRunId = (await handle.describe()).runId;
    await firstRunEntered;
    // the same file uploaded again while the first run works
    await startLedgerImport(env.client, taskQueue, 'job-2');
    release();
    await handle.result();
    expect((await handle.describe()).runId).toBe(firstRunId);
  });
  expect(runs).toBe(2);
});

test('a job handed over again after its workflow completed gets a new run', async () => {
  let runs = 0;
  await withWorker(async () => void runs++, async (taskQueue) => {
    await startLedgerImport(env.client, taskQueue, 'job-3');
    const handle = env.client.workflow.getHandle(ledgerImportWorkflowId('job-3'));
    await handle.result();
    const first = (await handle.describe()).runId;
    await startLedgerImport(env.client, taskQueue, 'job-3');
    await handle.result();
    expect((await env.client.workflow.getHandle(ledgerImportWorkflowId('job-3')).describe()).runId).not.toBe(first);
  });
  expect(runs).toBe(2);
});

test('a run that cannot finish (a dependency down) is tried again on Temporal\'s clock until it does', async () => {
  const attemptsAt: number[] = [];
  await withWorker(async () => {
    attemptsAt.push(await env.currentTimeMs());
    if (attemptsAt.length < 4) throw ApplicationFailure.retryable('paused, a dependency is unavailable', 'LedgerImportNotDone');
  }, async (taskQueue) => {
    await startLedgerImport(env.client, taskQueue, 'job-4');
    // awaiting the result lets the test server skip the backoff
    await env.client.workflow.getHandle(ledgerImportWorkflowId('job-4')).result();
  });
  expect(attemptsAt).toHaveLength(4);
  // 15 s, then doubling: the waits grow
  const waits = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]!);
  expect(waits[0]).toBeGreaterThanOrEqual(15_000);
  expect(waits[2]).toBeGreaterThan(waits[0]!);
});
