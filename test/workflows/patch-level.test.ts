/**
 * Patch levels (workflows/patches.ts): a run started at today's level takes
 * every patch without a marker or a `TemporalChangeVersion` upsert, and does
 * what a run that asks `patched()` does; runs started before levels still ask,
 * and move to the level when they continue as new; both kinds of history
 * replay; a level the code does not know stops the run's workflow task, never
 * the item.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { itemStateQuery, itemWorkflowId, reportProgressUpdate, WORKFLOW_TYPE, type CurrentItemInput, type ItemWorkflowInput } from '../../workflows/messages';
import { PATCH_LEVEL } from '../../workflows/patches';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, DAY, endScenario, envelope, itemInput, LEADER, OWNER_A, RecordingStore, sleepUntil } from './harness';

const EventType = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** The input as code before patch levels built it. */
function withoutLevel([input]: [CurrentItemInput]): [CurrentItemInput] {
  const { patchLevel: _dropped, ...rest } = input;
  return [rest as CurrentItemInput];
}

const patchMarkers = (events: Event[]) =>
  events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;
const versionUpserts = (events: Event[]) =>
  events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion).length;
const count = (events: Event[], type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
/** Polls (real time) until `find` resolves to something. */
async function eventually<T>(find: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
  }
}
const replay = (history: temporal.api.history.v1.IHistory, id: string) =>
  Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, id);

test('an item started at the level records no patch marker and behaves as one that asks patched()', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env, new RecordingStore());
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const dueAt = now + 10 * DAY;
    const suffix = randomUUID();
    const [levelled, asking] = await Promise.all([true, false].map((atLevel) => {
      const item = itemInput({ id: `${atLevel ? 'level' : 'ask'}-${suffix}`, dueAt: new Date(dueAt).toISOString() });
      const args = newItemArgs(item, LEADER, now);
      return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: itemWorkflowId(item.id), args: atLevel ? args : withoutLevel(args) });
    }));
    try {
      await sleepUntil(env, dueAt + 60_000);
      const [a, b] = await Promise.all([levelled!, asking!].map(async (h) => ({
        state: await h.query(itemStateQuery),
        history: await h.fetchHistory(),
      })));
      const [ea, eb] = [a!.history.events ?? [], b!.history.events ?? []];
      expect(patchMarkers(ea)).toBe(0);
      expect(versionUpserts(ea)).toBe(0);
      expect(patchMarkers(eb)).toBeGreaterThanOrEqual(3);
      expect(versionUpserts(eb)).toBe(patchMarkers(eb));
      // the same rules ran: saved locally, the same wakes, the same alarms
      expect(a!.state.tasks[0]!.alarms).toEqual(b!.state.tasks[0]!.alarms);
      expect(a!.state.tasks[0]!.alarms).toMatchObject({ warned: true, overdue: true, rungsFired: 1 });
      for (const type of [EventType.EVENT_TYPE_TIMER_FIRED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]) {
        expect(count(ea, type)).toBe(count(eb, type));
      }
      expect(count(ea, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
      expect(ea.length).toBe(eb.length - patchMarkers(eb) - versionUpserts(eb));
      // both replay against today's code
      await expect(replay(a!.history, 'levelled')).resolves.toBeUndefined();
      await expect(replay(b!.history, 'asking')).resolves.toBeUndefined();
    } finally {
      await Promise.all([levelled!, asking!].map((h) => endScenario(h)));
    }
  });
});

test('a run started before levels continues as new at the level', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env, new RecordingStore());
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const item = itemInput({ id: `carry-${randomUUID()}`, dueAt: new Date(now + 30 * DAY).toISOString() });
    const workflowId = itemWorkflowId(item.id);
    const first = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId, args: withoutLevel(newItemArgs(item, LEADER, now, { maxHistoryEvents: 40 })),
    });
    try {
      for (let i = 0; i < 12; i++) {
        await env.client.workflow.getHandle(workflowId).executeUpdate(reportProgressUpdate, {
          args: [envelope(OWNER_A, { type: 'reportProgress', taskId: 'T1', text: `report ${i}`, percent: i })],
        });
      }
      const latest = env.client.workflow.getHandle(workflowId);
      await eventually(async () => ((await latest.describe()).runId !== first.firstExecutionRunId ? true : undefined), 20_000);
      const history = await latest.fetchHistory();
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
      const carried = defaultPayloadConverter.fromPayload<ItemWorkflowInput>(started.input!.payloads![0]!);
      expect(carried).toMatchObject({ kind: 'continued', format: 2, patchLevel: PATCH_LEVEL });
      expect(patchMarkers(history.events ?? [])).toBe(0);
      expect((await latest.query(itemStateQuery)).tasks[0]!.reportCount).toBe(12);
      const firstRun = await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).fetchHistory();
      expect(patchMarkers(firstRun.events ?? [])).toBeGreaterThan(0);
    } finally {
      await endScenario(env.client.workflow.getHandle(workflowId));
    }
  });
});

test('a level written as null (a client that bypasses the API) is no level: the run asks patched() and runs', async () => {
  const { worker, taskQueue } = await createScenarioWorker(env, new RecordingStore());
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const item = itemInput({ id: `null-${randomUUID()}`, dueAt: new Date(now + 10 * DAY).toISOString() });
    const [input] = newItemArgs(item, LEADER, now);
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(item.id), args: [{ ...input, patchLevel: null } as unknown as CurrentItemInput],
    });
    try {
      const events = await eventually(async () => {
        const all = (await handle.fetchHistory()).events ?? [];
        return all.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) ? all : undefined;
      }, 20_000);
      expect(count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toBe(0);
      expect(patchMarkers(events)).toBeGreaterThan(0);
    } finally {
      await endScenario(handle);
    }
  });
});

test('a level this code does not know fails the workflow task, and the item waits for code that knows it', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env, new RecordingStore());
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const item = itemInput({ id: `future-${randomUUID()}`, dueAt: new Date(now + 10 * DAY).toISOString() });
    const [input] = newItemArgs(item, LEADER, now);
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(item.id), args: [{ ...input, patchLevel: PATCH_LEVEL + 1 }],
    });
    // terminated, not cancelled (it cannot take an update): last in the file, as a quick terminate may leave
    // the test server's time skipping locked (harness.ts endScenario)
    try {
      const failed = await eventually(async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        return events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      }, 20_000);
      expect(failed.workflowTaskFailedEventAttributes!.failure!.message).toMatch(/patch level 2 is unknown/);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(store.all('auditEvents').filter((e) => e.itemId === item.id)).toEqual([]);
    } finally {
      await handle.terminate('test over');
    }
  });
});
