/**
 * Saves as local activities: a wake of the clock is one workflow task (its
 * save a marker in that task, no activity task and no second workflow task),
 * and a save that fails locally goes as a regular activity, which retries
 * until it lands; nothing is lost or written twice either way.
 */
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { ItemChanges } from '../../domain/item-changes';
import { itemStateQuery, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { DAY, endScenario, itemInput, LEADER, RecordingStore, sleepUntil, startItem, waitFor, workflowBundle } from './harness';

const EventType = temporal.api.enums.v1.EventType;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function workerWith(activities: NonNullable<Parameters<typeof Worker.create>[0]['activities']>, on: TestWorkflowEnvironment = env) {
  const taskQueue = `wf-test-${randomUUID()}`;
  const worker = await Worker.create({ connection: on.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return { worker, taskQueue };
}

const count = (events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType) =>
  events.filter((e) => e.eventType === type).length;

test('creation and the wake at the deadline save locally: no activity task, one workflow task per wake', async () => {
  const store = new RecordingStore();
  const { worker, taskQueue } = await workerWith(store.activities);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const dueAt = now + 10 * DAY;
    const handle = await startItem(env, taskQueue, itemInput({ dueAt: new Date(dueAt).toISOString() }));
    try {
      await sleepUntil(env, dueAt + 60_000);
      const state = await handle.query(itemStateQuery);
      expect(state.tasks[0]!.alarms).toMatchObject({ warned: true, overdue: true, rungsFired: 1 });
      await waitFor(() => store.all('escalations').find((e) => e.rung === 1));
      const events = (await handle.fetchHistory()).events ?? [];
      expect(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
      // creation, the warning and the deadline: three saves, each a marker of the workflow task that made it
      expect(count(events, EventType.EVENT_TYPE_MARKER_RECORDED)).toBeGreaterThanOrEqual(3);
      // every workflow task completed is either the start or a timer's wake (a save costs none of its own)
      expect(count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(1 + count(events, EventType.EVENT_TYPE_TIMER_FIRED));
      expect(store.duplicateNotificationWrites).toBe(0);
    } finally {
      await endScenario(handle);
    }
  });
});

test('a save that fails locally goes as a regular activity, which retries until it lands; every record arrives once', async () => {
  const store = new RecordingStore();
  let localFailures = 0;
  let regularAttempts = 0;
  const flaky = {
    ...store.activities,
    saveItemChanges: async (changes: ItemChanges): Promise<void> => {
      const info = Context.current().info;
      if (info.isLocal) {
        localFailures += 1;
        throw new Error('database unreachable');
      }
      regularAttempts += 1;
      if (regularAttempts < 3) throw new Error('database still unreachable');
      await store.activities.saveItemChanges(changes);
    },
  };
  const { worker, taskQueue } = await workerWith(flaky);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const handle = await startItem(env, taskQueue, itemInput({ dueAt: new Date(now + 10 * DAY).toISOString() }));
    try {
      const created = await waitFor(() => store.all('auditEvents').find((e) => e.action === 'itemCreated'), 30_000);
      expect(created).toBeDefined();
      expect(localFailures).toBeGreaterThanOrEqual(1);
      expect(regularAttempts).toBeGreaterThanOrEqual(3);
      // the activity writes before the server hears it completed: wait for its completion in history
      let events: temporal.api.history.v1.IHistoryEvent[] = [];
      for (let tries = 0; tries < 100 && count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) === 0; tries++) {
        if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        events = (await handle.fetchHistory()).events ?? [];
      }
      expect(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toBeGreaterThanOrEqual(1);
      expect(store.duplicateNotificationWrites).toBe(0);
      expect((await handle.query(itemStateQuery)).status).toBe('active');
    } finally {
      await endScenario(handle);
    }
  });
});

/** When the first wake timer of a history was started by the server, and for how long: the instant it is set to fire. */
function firstTimer(events: temporal.api.history.v1.IHistoryEvent[]) {
  const index = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  expect(index).toBeGreaterThan(0);
  const timer = events[index]!;
  const taskStarted = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)!;
  return {
    /** fires at: when the server started it plus its duration */
    firesAt: ms(timer.eventTime) + ms(timer.timerStartedEventAttributes!.startToFireTimeout),
    /** what the workflow asked for, counted from the start of the task that set it */
    askedFromTaskStart: ms(taskStarted.eventTime) + ms(timer.timerStartedEventAttributes!.startToFireTimeout),
    afterSave: events.slice(0, index).some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED),
  };
}

/** Protobuf durations and timestamps as milliseconds. */
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** Activities whose first local save (of `itemId`, or of any item) takes `delayMs`, as a busy database would. */
function firstLocalSaveSlowed(store: RecordingStore, delayMs: number, itemId?: string) {
  const slow = { done: false };
  const activities = {
    ...store.activities,
    saveItemChanges: async (changes: ItemChanges): Promise<void> => {
      if ((itemId === undefined || changes.itemId === itemId) && Context.current().info.isLocal && !slow.done) {
        slow.done = true;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      await store.activities.saveItemChanges(changes);
    },
  };
  return { activities, slow };
}

/** The history once a timer is in it: a save is recorded before its workflow task completes. */
async function historyWithTimer(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }) {
  for (let tries = 0; ; tries++) {
    const events = (await handle.fetchHistory()).events ?? [];
    if (events.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) || tries === 100) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the next wake is timed from the end of the save: a local save that takes a second does not make that wake a second late', async () => {
  const store = new RecordingStore();
  const suffix = randomUUID();
  const slowId = `slow-${suffix}`;
  const { activities, slow: slowed } = firstLocalSaveSlowed(store, 1200, slowId);
  const { worker, taskQueue } = await workerWith(activities);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const dueAt = new Date(now + 10 * DAY).toISOString();
    // the same item twice, accepted at the same instant: the same first wake, to the millisecond
    const start = (id: string) => env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(itemInput({ id, dueAt }), LEADER, now),
    });
    const fast = await start(`fast-${suffix}`);
    const slow = await start(slowId);
    try {
      for (const id of [`fast-${suffix}`, slowId]) {
        await waitFor(() => store.all('auditEvents').find((e) => e.itemId === id && e.action === 'itemCreated'), 30_000);
      }
      const f = firstTimer(await historyWithTimer(fast));
      const s = firstTimer(await historyWithTimer(slow));
      expect(slowed.done).toBe(true);
      expect(s.afterSave).toBe(true);
      // the slow item asked for a timer shorter by the save's second...
      expect(f.askedFromTaskStart - s.askedFromTaskStart).toBeGreaterThanOrEqual(1000);
      // ...so both fire at the same instant (before, the slow one fired 1.2 s after the fast one)
      expect(Math.abs(s.firesAt - f.firesAt)).toBeLessThan(500);
    } finally {
      await endScenario(fast);
      await endScenario(slow);
    }
  });
});

test("the next wake is timed from the save's own end when the task's clock lags it, and not from a worker clock far off", async () => {
  const store = new RecordingStore();
  const suffix = randomUUID();
  // what each item's local save says of when it ended: the worker's clock, 1 s past the task's start
  // (the task waited for a busy worker before its save ran), or a minute off (a worker whose clock is wrong)
  const offsets: Record<string, number> = { [`plain-${suffix}`]: 0, [`lagged-${suffix}`]: 1_000, [`off-${suffix}`]: 60_000 };
  // the test server's clock (skipped ahead by earlier tests), as a worker's clock on time would read it
  const clock = { serverMs: 0, realMs: 0 };
  const activities = {
    ...store.activities,
    saveItemChanges: async (changes: ItemChanges) => {
      await store.activities.saveItemChanges(changes);
      const workerClock = clock.serverMs + (Date.now() - clock.realMs);
      return Context.current().info.isLocal ? { savedAtMs: workerClock + (offsets[changes.itemId] ?? 0) } : undefined;
    },
  };
  const { worker, taskQueue } = await workerWith(activities);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    Object.assign(clock, { serverMs: now, realMs: Date.now() });
    const dueAt = new Date(now + 10 * DAY).toISOString();
    const handles = await Promise.all(Object.keys(offsets).map((id) => env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(itemInput({ id, dueAt }), LEADER, now),
    })));
    try {
      const [plain, lagged, off] = await Promise.all(handles.map(async (h) => {
        const events = await historyWithTimer(h);
        return ms(events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)!.timerStartedEventAttributes!.startToFireTimeout);
      }));
      // the same first wake for all three; the lagged one's timer runs 1 s less, as its save ended 1 s later
      expect(plain! - lagged!).toBeGreaterThan(700);
      expect(plain! - lagged!).toBeLessThan(1_300);
      // a save's end a minute ahead of the task is not believed: timed from the workflow's clock
      expect(Math.abs(off! - plain!)).toBeLessThan(500);
      if (process.env.RECORD_HISTORIES === '1') {
        const dir = join(__dirname, '..', 'histories');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'timers-from-save-end-v8.history.bin'), temporal.api.history.v1.History.encode(await handles[1]!.fetchHistory()).finish());
      }
    } finally {
      await Promise.all(handles.map((h) => endScenario(h)));
    }
  });
});

/**
 * A save's end is believed only up to 2 s ahead of the workflow clock. A worker
 * whose clock runs seconds ahead would otherwise set every post-save timer that
 * much short: it would fire before the wake is due, and the item wake to find
 * nothing due and set a second timer.
 */
test('a worker clock 5 s ahead costs no extra wake per timer', async () => {
  // A server of its own: the two items' skip over ten days once never returned on the file's shared
  // server (its time skipping left locked by an earlier scenario, see harness.ts endScenario).
  const own = await createTimeSkippingEnv();
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
  const { worker, taskQueue } = await workerWith(activities, own);
  try {
    await worker.runUntil(async () => {
      const now = await own.currentTimeMs();
      Object.assign(clock, { serverMs: now, realMs: Date.now() });
      const dueAt = now + 10 * DAY;
      const handles = await Promise.all(Object.keys(offsets).map((id) => own.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(itemInput({ id, dueAt: new Date(dueAt).toISOString() }), LEADER, now),
      })));
      try {
        await sleepUntil(own, dueAt + 60_000);
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
  } finally {
    await own.teardown();
  }
});

test('an event that comes due during a slow save fires as soon as the save is through, in the same workflow task: no timer for an instant already past', async () => {
  const store = new RecordingStore();
  const suffix = randomUUID();
  const id = `due-${suffix}`;
  // a busy database: the first save runs past the deadline
  const { activities, slow: slowed } = firstLocalSaveSlowed(store, 1500);
  const { worker, taskQueue } = await workerWith(activities);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    // due 600 ms after its acceptance: while the creation's save is still running
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(itemInput({ id, dueAt: new Date(now + 600).toISOString() }), LEADER, now),
    });
    try {
      await waitFor(() => store.all('auditEvents').find((e) => e.itemId === id && e.action === 'deadlineMissed'), 30_000);
      const events = await historyWithTimer(handle);
      const timers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED).map((e) => ms(e.timerStartedEventAttributes!.startToFireTimeout));
      expect(slowed.done).toBe(true);
      // the deadline passed during the save: it is handled on the spot, not after a timer of a millisecond
      // (which the server starts only when the task completes, and rounds up)
      expect(timers.filter((t) => t < 1000)).toEqual([]);
      const firstTimer = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      expect(count(events.slice(0, firstTimer), EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(1);
      expect((await handle.query(itemStateQuery)).tasks[0]!.alarms.overdue).toBe(true);
      if (process.env.RECORD_HISTORIES === '1') {
        const dir = join(__dirname, '..', 'histories');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'due-during-save-v6.history.bin'), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
      }
    } finally {
      await endScenario(handle);
    }
  });
});
