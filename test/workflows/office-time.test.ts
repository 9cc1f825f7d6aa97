/**
 * Office time under time skipping, on real dates ahead of the server's clock:
 * the next Spring Festival and National Day. Their State Council notices are
 * not in the package's data yet, so each scenario publishes a notice fixture
 * (the holidays only, as a notice lists them) the way an admin would. Expected
 * instants are counted here by hand, day by day, never with the domain's own
 * working-day functions, so a wrong rule cannot confirm itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import { withOfficeRules } from '../../domain/policy';
import { calendarForNewItem, type PublishedYear } from '../../domain/statutory-calendar';
import type { HolidayCalendar, ItemInput, ItemSummary, PolicyInput } from '../../domain/types';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  acceptTaskUpdate,
  cancelItemUpdate,
  calendarUpdatedSignal,
  confirmFollowUpUpdate,
  itemStateQuery,
  itemWorkflowId,
  pauseTaskUpdate,
  reopenProblemUpdate,
  resumeTaskUpdate,
  submitTaskUpdate,
  WORKFLOW_TYPE,
} from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, DAY, envelope, expectInstant, instantTask, itemInput, LEADER, OWNER_A, sleepUntil, waitFor } from './harness';

const HOUR = 3600_000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

// ---- hand counting: Asia/Shanghai is UTC+8 all year ----

const SHANGHAI = 8 * HOUR;
const dateOf = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** the instant of a Shanghai wall time on a date */
const at = (date: string, time: string) => Date.parse(`${date}T${time}+08:00`);
const PACKAGE_YEARS = new Set(Object.keys(chineseDays.holidays).map((d) => Number(d.slice(0, 4))));
const FIXED_DATE = ['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'];

/** Working or not, by hand: a notice's days, else the package's, else weekends and the fixed-date holidays. */
function isWorking(date: string, notice?: PublishedYear): boolean {
  const year = Number(date.slice(0, 4));
  if (notice && notice.year === year) {
    if (date in notice.workdays) return true;
    if (date in notice.holidays) return false;
  } else if (PACKAGE_YEARS.has(year)) {
    if (date in chineseDays.workdays) return true;
    if (date in chineseDays.holidays) return false;
  }
  // holidays by law whatever a notice lists
  if (FIXED_DATE.includes(date.slice(5))) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function nthWorkingDay(date: string, n: number, step: 1 | -1, notice?: PublishedYear): string {
  let d = date;
  for (let counted = 0; counted < n; ) {
    d = addDays(d, step);
    if (isWorking(d, notice)) counted += 1;
  }
  return d;
}

/** Working time between two instants in whole days, by hand: each working day counts the hours covered, then rounded. */
function workingTimeInDays(fromMs: number, toMs: number): number {
  let covered = 0;
  for (let d = dateOf(fromMs); d <= dateOf(toMs); d = addDays(d, 1)) {
    if (!isWorking(d)) continue;
    covered += Math.max(0, Math.min(toMs, at(addDays(d, 1), '00:00:00')) - Math.max(fromMs, at(d, '00:00:00')));
  }
  return Math.round(covered / DAY);
}

function workingDaysFrom(fromDate: string, toDate: string, notice?: PublishedYear): number {
  let n = 0;
  for (let d = fromDate; d < toDate; d = addDays(d, 1)) if (isWorking(d, notice)) n += 1;
  return n;
}

// ---- the holidays ahead, as a notice lists them ----

/** Lunar New Year's Day (正月初一) of coming years. */
const LUNAR_NEW_YEAR = ['2027-02-06', '2028-01-26', '2029-02-13', '2030-02-03', '2031-01-23', '2032-02-11', '2033-01-31', '2034-02-19', '2035-02-08'];

function notice(year: number, holidays: string[], name: string, version = 1): PublishedYear {
  return { year, version, source: `fixture notice ${year}`, holidays: Object.fromEntries(holidays.map((d) => [d, name])), workdays: {} };
}

/** The next Spring Festival at least a month away: eve to the 7th day (9 days, as in 2026). */
function nextSpringFestival(nowMs: number): { first: string; last: string; notice: PublishedYear } {
  const lny = LUNAR_NEW_YEAR.find((d) => at(d, '00:00:00') - DAY > nowMs + 30 * DAY);
  if (!lny) throw new Error('extend LUNAR_NEW_YEAR: this test runs past 2035');
  const days = Array.from({ length: 9 }, (_, i) => addDays(lny, i - 1));
  return { first: days[0]!, last: days[8]!, notice: notice(Number(lny.slice(0, 4)), days, 'Spring Festival,春节') };
}

/** The next National Day week at least a month away: 1–7 October. */
function nextNationalDay(nowMs: number): { year: number; notice: PublishedYear } {
  let year = new Date(nowMs).getUTCFullYear();
  if (at(`${year}-10-01`, '00:00:00') < nowMs + 30 * DAY) year += 1;
  const days = Array.from({ length: 7 }, (_, i) => `${year}-10-0${i + 1}`);
  return { year, notice: notice(year, days, 'National Day,国庆节') };
}

/**
 * The run's result, read from its history once it has completed. Awaiting a result on
 * the time-skipping server lets it skip time even for a run that has completed (ten
 * years, observed with the pinned server), and these scenarios need the calendar to
 * stay where the previous one left it.
 */
async function finished(handle: WorkflowHandle): Promise<unknown> {
  for (let i = 0; i < 200 && (await handle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
  const { events } = await handle.fetchHistory();
  const completed = events?.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
  if (!completed) throw new Error('the run did not complete');
  return defaultPayloadConverter.fromPayload(completed.result!.payloads![0]!);
}

/** Cancels the scenario's item without awaiting its result (see `finished`). */
async function endOffice(handle: WorkflowHandle): Promise<void> {
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  await handle.executeUpdate(cancelItemUpdate, { args: [envelope(LEADER, { type: 'cancelItem', reason: 'scenario over' })] });
  await finished(handle);
}

/** With RECORD_HISTORIES=1, keeps the run's history for the replay test (test/histories/). */
async function record(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const dir = join(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.history.bin`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
}

async function startOffice(taskQueue: string, item: ItemInput, calendar?: HolidayCalendar, policy: PolicyInput = {}) {
  const now = await env.currentTimeMs();
  const input = { ...item, policy: withOfficeRules({ ...item.policy, ...policy }) };
  return env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue, workflowId: itemWorkflowId(input.id), args: newItemArgs(input, LEADER, now, undefined, calendar ?? calendarForNewItem(now)),
  });
}

test('rungs and the warning count working days across Spring Festival', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const sf = nextSpringFestival(t0);
    const dueDate = addDays(sf.first, -1);
    const due = at(dueDate, '23:59:59');
    const handle = await startOffice(taskQueue, itemInput({ dueAt: new Date(due).toISOString() }), calendarForNewItem(t0, undefined, [sf.notice]));
    try {
      const rung2 = at(nthWorkingDay(dueDate, 3, 1, sf.notice), '09:00:00');
      const rung3 = at(nthWorkingDay(dueDate, 5, 1, sf.notice), '09:00:00');
      expect(dateOf(rung2) > sf.last).toBe(true); // the whole festival is skipped
      await sleepUntil(env, rung3 + HOUR);
      const escalations = await waitFor(() => (store.all('escalations').length === 3 ? store.all('escalations') : undefined));
      expectInstant(escalations[0]!.firedAt, due);
      expectInstant(escalations[1]!.firedAt, rung2);
      expectInstant(escalations[2]!.firedAt, rung3);
      expect(escalations[2]).toMatchObject({ level: 3, notify: ['itemLeader', 'supervisionOffice'] });
      expectInstant(store.notificationsOf('warning', 'T1')[0]?.firedAt, at(nthWorkingDay(dueDate, 3, -1, sf.notice), '09:00:00'));
    } finally {
      await endOffice(handle);
    }
  });
});

test('dispatches and the review move off National Day; a holiday week is no week without progress', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const nd = nextNationalDay(t0);
    const until = at(`${nd.year}-10-20`, '12:00:00');
    const item = itemInput({ dueAt: new Date(until + 60 * DAY).toISOString() });
    const handle = await startOffice(taskQueue, item, calendarForNewItem(t0, undefined, [nd.notice]));
    try {
      await sleepUntil(env, until);
      await waitFor(() => store.all('reviews').find((r) => r.period === `${nd.year}-09`));
      const dispatches = store.dispatches().filter((d) => dateOf(Date.parse(d.at)) >= `${nd.year}-09-20` && Date.parse(d.at) <= until);
      // no round on a holiday or a weekend, each at 09:00
      for (const d of dispatches) {
        expect(isWorking(dateOf(Date.parse(d.at)), nd.notice)).toBe(true);
        expect(new Date(Date.parse(d.at) + SHANGHAI).toISOString().slice(11, 16)).toBe('09:00');
      }
      // the Monday of the holiday week became the first working day after it
      const firstAfter = nthWorkingDay(`${nd.year}-10-07`, 1, 1, nd.notice);
      expect(dispatches.map((d) => dateOf(Date.parse(d.at)))).toContain(firstAfter);
      const review = store.all('reviews').find((r) => r.period === `${nd.year}-09`)!;
      expectInstant(review.at, at(firstAfter, '09:00:00'));
      // the owner reported nothing: stale exactly when the period held three working days or more
      for (const [i, d] of dispatches.entries()) {
        if (i === 0) continue;
        const held = workingDaysFrom(dateOf(Date.parse(dispatches[i - 1]!.at)), dateOf(Date.parse(d.at)), nd.notice);
        expect(d.lines[0]!.stale).toBe(held >= 3);
      }
    } finally {
      await endOffice(handle);
    }
  });
});

test('with rounds kept on their slots, the dispatch after a week of holidays chases no one', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const nd = nextNationalDay(t0);
    const until = at(`${nd.year}-10-16`, '12:00:00');
    const item = itemInput({ dueAt: new Date(until + 60 * DAY).toISOString() });
    const handle = await startOffice(taskQueue, item, calendarForNewItem(t0, undefined, [nd.notice]), { office: { roundsOnWorkingDays: false } });
    try {
      await sleepUntil(env, until);
      const dispatches = await waitFor(() => {
        const all = store.dispatches().filter((d) => dateOf(Date.parse(d.at)) >= `${nd.year}-10-01` && Date.parse(d.at) <= until);
        return all.length >= 2 ? all : undefined;
      });
      // the Monday inside the holiday week, then the next one: the week between held at most two working days
      const [inside, after] = dispatches;
      expect(isWorking(dateOf(Date.parse(inside!.at)), nd.notice)).toBe(false);
      expect(workingDaysFrom(dateOf(Date.parse(inside!.at)), dateOf(Date.parse(after!.at)), nd.notice)).toBeLessThan(3);
      expect(after!.lines[0]!.stale).toBe(false);
      expect(store.notificationsOf('chase').filter((n) => n.firedAt === after!.at)).toEqual([]);
    } finally {
      await endOffice(handle);
    }
  });
});

test('a calendar update reaches a running item: a working-day deadline not yet passed moves, a passed one does not', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const sf = nextSpringFestival(t0);
    const start = dateOf(t0);
    // T2 is due a few working days after the festival begins, counted without it (the notice is not out yet)
    const days = workingDaysFrom(addDays(start, 1), sf.first) + 3;
    const item = itemInput({
      dueAt: new Date(t0 + 300 * DAY).toISOString(),
      tasks: [
        { id: 'T1', problemIds: ['P1'], description: 'soon', ownerUnit: 'Unit A', ownerPerson: 'Owner Zhang', deadline: { kind: 'workingDays', days: 2 } },
        { id: 'T2', problemIds: ['P1'], description: 'later', ownerUnit: 'Unit A', ownerPerson: 'Owner Zhang', deadline: { kind: 'workingDays', days } },
      ],
    });
    const handle = await startOffice(taskQueue, item);
    try {
      const before = await handle.query(itemStateQuery);
      const t1Due = before.tasks[0]!.deadline.dueAt;
      const oldT2 = Date.parse(before.tasks[1]!.deadline.dueAt);
      expect(dateOf(oldT2)).toBe(nthWorkingDay(start, days, 1));
      expect(before.tasks[1]!.deadline.provisional).toBe(true);
      await sleepUntil(env, Date.parse(t1Due) + HOUR);
      await handle.signal(calendarUpdatedSignal, calendarForNewItem(await env.currentTimeMs(), undefined, [sf.notice]));
      const moved = await (async () => {
        for (let i = 0; i < 50; i++) {
          const s = await handle.query(itemStateQuery);
          if (s.tasks[1]!.deadline.dueAt !== before.tasks[1]!.deadline.dueAt) return s;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('the calendar update did not reach the item');
      })();
      const newT2 = at(nthWorkingDay(start, days, 1, sf.notice), '23:59:59');
      expect(moved.tasks[0]!.deadline.dueAt).toBe(t1Due);
      expect(moved.tasks[1]!.deadline.dueAt).toBe(new Date(newT2).toISOString());
      // still provisional only while a year of its window has neither package data nor a notice
      const years = [...new Set([Number(start.slice(0, 4)), Number(dateOf(newT2).slice(0, 4))])];
      const unknown = years.some((y) => y !== sf.notice.year && !PACKAGE_YEARS.has(y));
      expect(moved.tasks[1]!.deadline.provisional === true).toBe(unknown);
      await waitFor(() => store.all('auditEvents').find((e) => e.action === 'calendarUpdated'));
      // the old deadline passes quietly; the new one is the one that counts
      await sleepUntil(env, oldT2 + HOUR);
      expect(store.notificationsOf('overdue', 'T2')).toEqual([]);
      await sleepUntil(env, newT2 + HOUR);
      expectInstant((await waitFor(() => store.notificationsOf('overdue', 'T2')[0]))?.firedAt, newT2);
    } finally {
      await endOffice(handle);
    }
  });
});

test('a paused clock fires nothing; resumed, the deadline moves by the working days paused', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const due = at(addDays(dateOf(t0), 10), '18:00:00');
    const handle = await startOffice(taskQueue, itemInput({ dueAt: new Date(due).toISOString() }));
    try {
      await sleepUntil(env, t0 + DAY);
      const pausedAt = await env.currentTimeMs();
      await handle.executeUpdate(pauseTaskUpdate, { args: [envelope(LEADER, { type: 'pauseTask', taskId: 'T1', reason: 'awaiting the province' })] });
      await sleepUntil(env, due + 7 * DAY);
      expect(store.notificationsOf('overdue', 'T1')).toEqual([]);
      expect(store.all('escalations')).toEqual([]);
      const resumedAt = await env.currentTimeMs();
      const result = await handle.executeUpdate(resumeTaskUpdate, { args: [envelope(LEADER, { type: 'resumeTask', taskId: 'T1' })] });
      const paused = workingTimeInDays(pausedAt, resumedAt);
      const newDue = at(nthWorkingDay(dateOf(due), paused, 1), '18:00:00');
      expect(result.task).toMatchObject({ pauses: 1, pausedWorkingDays: paused, deadline: expect.objectContaining({ dueAt: new Date(newDue).toISOString() }) });
      await sleepUntil(env, newDue + HOUR);
      expectInstant((await waitFor(() => store.notificationsOf('overdue', 'T1')[0]))?.firedAt, newDue);
      await endOffice(handle);
      await record(handle, 'office-pause-v3');
    } finally {
      await endOffice(handle);
    }
  });
});

test('work submitted before the deadline waits for a slow leader without any escalation; the leader is reminded', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const due = at(addDays(dateOf(t0), 7), '18:00:00');
    const handle = await startOffice(taskQueue, itemInput({ dueAt: new Date(due).toISOString() }));
    await sleepUntil(env, t0 + 2 * DAY);
    const submittedAt = await env.currentTimeMs();
    await handle.executeUpdate(submitTaskUpdate, { args: [envelope(OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['receipts.pdf'] })] });
    await sleepUntil(env, due + 20 * DAY);
    expect(store.all('escalations')).toEqual([]);
    expect(store.notificationsOf('overdue', 'T1')).toEqual([]);
    const reminders = store.notificationsOf('reviewReminder', 'T1');
    expect(reminders.map((n) => n.recipientRole)).toEqual(['itemLeader', 'itemLeader', 'supervisionOffice']);
    expectInstant(reminders[0]!.firedAt, at(nthWorkingDay(dateOf(submittedAt), 3, 1), '09:00:00'));
    expectInstant(reminders[1]!.firedAt, at(nthWorkingDay(dateOf(submittedAt), 5, 1), '09:00:00'));
    expect((await handle.query(itemStateQuery)).tasks[0]!.escalationLevel).toBe(0);
    await handle.executeUpdate(acceptTaskUpdate, { args: [envelope(LEADER, { type: 'acceptTask', taskId: 'T1' })] });
    const summary = (await finished(handle)) as ItemSummary;
    // accepted three weeks after the deadline, handed in on time: not late
    expect(summary).toMatchObject({ status: 'completed', acceptedLate: 0, escalations: 0, maxEscalationLevel: 0 });
  });
});

test('the follow-up watch: the item stays open after the last acceptance, a problem that came back reopens it, the leader confirms', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const due = new Date(t0 + 20 * DAY).toISOString();
    const handle = await startOffice(taskQueue, itemInput({ dueAt: due }), undefined, { office: { followUp: { after: { workingDays: 5 } } } });
    const done = async (taskId: string) => {
      await handle.executeUpdate(submitTaskUpdate, { args: [envelope(OWNER_A, { type: 'submitTask', taskId, evidence: ['done.jpg'] })] });
      await handle.executeUpdate(acceptTaskUpdate, { args: [envelope(LEADER, { type: 'acceptTask', taskId })] });
      return env.currentTimeMs();
    };
    const acceptedAt = await done('T1');
    const watch = (await handle.query(itemStateQuery)).followUp!;
    expect((await handle.query(itemStateQuery)).status).toBe('active');
    const checkAt = at(nthWorkingDay(dateOf(acceptedAt), 5, 1), '09:00:00');
    expect(watch.dueAt).toBe(new Date(checkAt).toISOString());
    await sleepUntil(env, checkAt + HOUR);
    expectInstant((await waitFor(() => store.notificationsOf('followUpDue')[0]))?.firedAt, checkAt);
    await handle.executeUpdate(reopenProblemUpdate, { args: [envelope(LEADER, {
      type: 'reopenProblem', problemId: 'P1', reason: 'payments late again in one village',
      tasks: [instantTask('T2', 'Unit A', 'Owner Zhang', 'P1', new Date(checkAt + 15 * DAY).toISOString())],
    })] });
    expect((await handle.query(itemStateQuery)).followUp).toBeUndefined();
    const again = await done('T2');
    const secondCheck = at(nthWorkingDay(dateOf(again), 5, 1), '09:00:00');
    // the watch starts over from the new acceptance (its workflow time, a moment before `again` was read)
    const since = Date.parse((await handle.query(itemStateQuery)).followUp!.since);
    expect(again - since).toBeGreaterThanOrEqual(0);
    expect(again - since).toBeLessThan(2000);
    // not before the check is due
    await expect(handle.executeUpdate(confirmFollowUpUpdate, { args: [envelope(LEADER, { type: 'confirmFollowUp', note: 'too early' })] })).rejects.toThrow();
    await sleepUntil(env, secondCheck + HOUR);
    await waitFor(() => (store.notificationsOf('followUpDue').length === 2 ? true : undefined));
    await handle.executeUpdate(confirmFollowUpUpdate, { args: [envelope(LEADER, { type: 'confirmFollowUp', note: 'checked on site' })] });
    expect(await finished(handle)).toMatchObject({ status: 'completed', acceptedTasks: 2 });
    await record(handle, 'office-follow-up-v3');
  });
});
