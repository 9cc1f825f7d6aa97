/**
 * The delivery sweep runs on Temporal's clock, not a process timer: once a
 * minute, whatever worker is up, and on across restarts; a second start finds
 * the one running.
 */
import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startDeliverySweep } from '../../worker/delivery-sweep-start';
import { deliverySweepWorkflowId } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { workflowBundle } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('sweeps once a minute, one run per task queue however many workers start it', async () => {
  const taskQueue = `sweep-${randomUUID()}`;
  const sweptAt: number[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(),
    activities: {
      sweepDeliveries: async () => {
        sweptAt.push(await env.currentTimeMs());
        return 0;
      },
    },
  });
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const first = await startDeliverySweep(env.client, taskQueue);
    // a second worker's start: the same run
    expect(await startDeliverySweep(env.client, taskQueue)).toBe(first);
    const handle = env.client.workflow.getHandle(deliverySweepWorkflowId(taskQueue));
    await env.sleep(3.5 * 60_000);
    expect(sweptAt.length).toBeGreaterThanOrEqual(3);
    expect(sweptAt[0]! - t0).toBeGreaterThanOrEqual(60_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });
});
