/**
 * Mixed deploys: an item started with `patchLevel` whose first tasks ran on a worker that predates
 * levels (it ignores the field and asks `patched()`, recording markers) must still replay on
 * today's code, which takes the level's patches without asking.
 */
import '../support/quiet-runtime';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import * as m from '../../workflows/messages';
import { PATCH_LEVEL } from '../../workflows/patches';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import * as h from './harness';

const EventType = temporal.api.enums.v1.EventType;

const dir = join(__dirname, '..', 'histories');

function withLevel(file: string, level: unknown): temporal.api.history.v1.History {
  const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
  const started = history.events[0]!.workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<Record<string, unknown>>(started.input!.payloads![0]!);
  expect(input.format).toBe(2);
  expect(input.patchLevel).toBeUndefined();
  started.input!.payloads![0] = defaultPayloadConverter.toPayload({ ...input, patchLevel: level }) as temporal.api.common.v1.IPayload as never;
  return history;
}

test.each(['lifecycle-v9.history.bin', 'every-command-v9.history.bin'])(
  '%s, started at the level but run by code that asks patched(), replays', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, withLevel(file, PATCH_LEVEL), file),
    ).resolves.toBeUndefined();
  });

describe('a rolling deploy, live', () => {
  let env: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('an item whose first task ran on a worker without levels goes on on today\'s worker', async () => {
    const store = new h.RecordingStore();
    const taskQueue = `wf-test-${randomUUID()}`;
    const now = await env.currentTimeMs();
    const item = h.itemInput({ id: `rolling-${randomUUID()}`, dueAt: new Date(now + 30 * h.DAY).toISOString() });
    const workflowId = m.itemWorkflowId(item.id);
    const older = await Worker.create({
      connection: env.nativeConnection, taskQueue, activities: store.activities,
      workflowsPath: require.resolve('../../workflows'),
      interceptors: { workflowModules: [require.resolve('../support/strip-patch-level')] },
      // no sticky queue: the next task goes to whichever worker polls the task queue, as after a restart
      maxCachedWorkflows: 0,
    });
    await older.runUntil(async () => {
      const handle = await env.client.workflow.start(m.WORKFLOW_TYPE, { taskQueue, workflowId, args: newItemArgs(item, h.LEADER, now) });
      for (let i = 0; ; i++) {
        const events = (await handle.fetchHistory()).events ?? [];
        if (events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')) break;
        if (i > 200) throw new Error('no patch marker from the older worker');
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const today = await Worker.create({
      connection: env.nativeConnection, taskQueue, activities: store.activities, workflowsPath: require.resolve('../../workflows'),
    });
    const handle = env.client.workflow.getHandle(workflowId);
    try {
      await today.runUntil(async () => {
        const outcome = handle.executeUpdate(m.reportProgressUpdate, {
          args: [h.envelope(h.OWNER_A, { type: 'reportProgress', taskId: 'T1', text: 'after the deploy', percent: 10 })],
        });
        let watching = true;
        const failedTask = (async () => {
          while (watching) {
            const events = (await handle.fetchHistory()).events ?? [];
            const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
            if (failed) return failed.workflowTaskFailedEventAttributes!.failure!.message;
            await new Promise((r) => setTimeout(r, 100));
          }
          return undefined;
        })();
        try {
          const first = await Promise.race([outcome.then(() => 'applied'), failedTask]);
          expect(first).toBe('applied');
          expect((await handle.query(m.itemStateQuery)).tasks[0]!.reportCount).toBe(1);
        } finally {
          // Left running, the watch would call a closed connection later, from whichever test file this jest
          // worker runs next, and fail that file ("Channel has been shut down").
          watching = false;
          await failedTask.catch(() => undefined);
        }
      });
    } finally {
      // The worker has run: a second run of it refuses at once, and an endScenario inside it went on past the
      // test, into a closed connection. Terminating is what ended the item then; it is the last test of its env.
      await handle.terminate('test over').catch(() => undefined);
    }
  });
});
