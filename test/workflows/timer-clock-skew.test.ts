/**
 * `timers-from-save-end` believes a local save's end only up to 2 s ahead of
 * the workflow clock. A worker whose clock runs seconds ahead would otherwise
 * set every post-save timer that much short: the timer would fire before the
 * wake is due, and the item wake to find nothing due and set a second timer.
 */
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ItemChanges } from '../../domain/item-changes';
import { itemStateQuery, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { DAY, endScenario, itemInput, LEADER, RecordingStore, sleepUntil, workflowBundle } from './harness';

const EventType = temporal.api.enums.v1.EventType;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const count = (events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType) =>
  events.filter((e) => e.eventType === type).length;

test('a worker clock 5 s ahead costs no extra wake per timer', async () => {
  const store = new RecordingStore();
  const suffix = randomUUID();
  const offsets: Record<string, number> = { [`ontime-${suffix}`]: 0, [`ahead-${suffix}`]: 5_000 };
  const clock = { serverMs: 0, realMs: 0 };
  const activities = {
    ...store.activities,
    saveItemChanges: async (changes: ItemChanges) => {
      await store.activities.saveItemChanges(changes);
      const workerClock = clock.serverMs + (Date.now() - clock.realMs);
      return Context.current().info.isLocal ? { savedAtMs: workerClock + (offsets[changes.itemId] ?? 0) } : undefined;
    },
  };
  const taskQueue = `wf-test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    Object.assign(clock, { serverMs: now, realMs: Date.now() });
    const dueAt = now + 10 * DAY;
    const handles = await Promise.all(Object.keys(offsets).map((id) => env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(itemInput({ id, dueAt: new Date(dueAt).toISOString() }), LEADER, now),
    })));
    try {
      await sleepUntil(env, dueAt + 60_000);
      const [ontime, ahead] = await Promise.all(handles.map(async (h) => {
        const state = await h.query(itemStateQuery);
        expect(state.tasks[0]!.alarms).toMatchObject({ warned: true, overdue: true, rungsFired: 1 });
        const events = (await h.fetchHistory()).events ?? [];
        return { timers: count(events, EventType.EVENT_TYPE_TIMER_FIRED), tasks: count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) };
      }));
      // the same wakes (warning, deadline) whatever the worker's clock says
      expect(ahead!.timers).toBe(ontime!.timers);
      expect(ahead!.tasks).toBe(ontime!.tasks);
    } finally {
      await Promise.all(handles.map((h) => endScenario(h)));
    }
  });
});
