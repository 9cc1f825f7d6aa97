/**
 * The item's calendar under time skipping: the weekly dispatch (Monday 09:00
 * local) and the monthly review (the 1st, 09:00 local). Expected instants are
 * worked out here by hand from the server's clock, never by the domain's own
 * schedule functions, so a wrong rule cannot confirm itself.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ReviewFigures } from '../../domain/types';
import { acceptTaskUpdate, itemStateQuery, reportProgressUpdate, submitTaskUpdate } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, endScenario, DAY, envelope, expectInstant, itemInput, LEADER, OWNER_B, startItem, sleepUntil, instantTask } from './harness';

const HOUR = 3600_000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Two tasks in two units, deadlines far away so only the calendar speaks. */
function twoTaskItem(t0: number, policy?: { timezone: string }) {
  const due = new Date(t0 + 300 * DAY).toISOString();
  const task = (id: string, unit: string, person: string, problem: string) => instantTask(id, unit, person, problem, due);
  return itemInput({
    dueAt: due,
    problems: [
      { id: 'P1', description: 'Late subsidies', severity: 'high' },
      { id: 'P2', description: 'Unsigned ledgers', severity: 'medium' },
    ],
    tasks: [task('T1', 'Unit A', 'Owner Zhang', 'P1'), task('T2', 'Unit B', 'Owner Li', 'P2')],
    ...(policy ? { policy } : {}),
  });
}

/** Weekday and HH:MM of an instant in a zone, read with Intl (independent of domain/local-time). */
function localClock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

// Asia/Shanghai is UTC+8 all year: Monday 09:00 there is Monday 01:00 UTC.
function nextMondayShanghai0900(afterMs: number): number {
  const d = new Date(afterMs);
  const ahead = (1 - d.getUTCDay() + 7) % 7;
  const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + ahead, 1);
  return at > afterMs ? at : at + 7 * DAY;
}

// The 1st at 09:00 local, in UTC. Shanghai: 01:00 UTC. Berlin: CEST (UTC+2) on the
// 1st of April..October (EU summer time runs from the last Sunday of March to the
// last Sunday of October), CET (UTC+1) on the 1st of November..March.
const FIRST_AT_0900: Record<string, (year: number, month0: number) => number> = {
  'Asia/Shanghai': (y, m) => Date.UTC(y, m, 1, 1),
  'Europe/Berlin': (y, m) => {
    const month = new Date(Date.UTC(y, m, 1)).getUTCMonth() + 1;
    return Date.UTC(y, m, 1, month >= 4 && month <= 10 ? 7 : 8);
  },
};

/** The next three review instants strictly after afterMs (09:00 local is after 00:00 UTC in both zones). */
function nextThreeReviews(afterMs: number, tz: string): number[] {
  const at = FIRST_AT_0900[tz]!;
  const d = new Date(afterMs);
  let m = d.getUTCMonth();
  if (at(d.getUTCFullYear(), m) <= afterMs) m += 1;
  return [0, 1, 2].map((k) => at(d.getUTCFullYear(), m + k));
}

/** 'YYYY-MM' of the month before the one a review falls in, and that month's length. */
function reviewedMonth(reviewMs: number): { period: string; days: number } {
  const d = new Date(reviewMs);
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  const days = new Date(Date.UTC(prev.getUTCFullYear(), prev.getUTCMonth() + 1, 0)).getUTCDate();
  return { period: `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}`, days };
}

describe.each(['Asia/Shanghai', 'Europe/Berlin'])('monthly review in %s', (tz) => {
  test('3 month boundaries → 3 reviews at 09:00 local on the 1st, chained to the previous figures', async () => {
    const { worker, taskQueue, store } = await createScenarioWorker(env);
    await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();
      const input = twoTaskItem(t0, tz === 'Asia/Shanghai' ? undefined : { timezone: tz });
      const handle = await startItem(env, taskQueue, input);
      try {
        const expected = nextThreeReviews(t0, tz);
        await sleepUntil(env, expected[0]! + HOUR);
        expect(store.all('reviews')).toHaveLength(1);
        // Between the first and second review the leader accepts one of the two tasks.
        await handle.executeUpdate(submitTaskUpdate, { args: [envelope(OWNER_B, { type: 'submitTask', taskId: 'T2', evidence: ['ledger.pdf'] })] });
        await handle.executeUpdate(acceptTaskUpdate, { args: [envelope(LEADER, { type: 'acceptTask', taskId: 'T2' })] });
        await sleepUntil(env, expected[2]! + HOUR);

        const reviews = store.all('reviews');
        expect(reviews.map((r) => r.seq)).toEqual([1, 2, 3]);
        expect(reviews.every((r) => r.itemId === input.id)).toBe(true);
        reviews.forEach((r, i) => {
          expectInstant(r.at, expected[i]!);
          expect(localClock(r.at, tz)).toMatch(/ 01, 09:00$/);
          expect(r.period).toBe(reviewedMonth(expected[i]!).period);
        });
        // the gaps between reviews are the lengths of the months in between, which differ
        const lengths = expected.map((ms) => reviewedMonth(ms).days);
        expect(new Set(lengths).size).toBeGreaterThan(1);
        if (tz !== 'Asia/Shanghai') expect(localClock(reviews[0]!.at, 'Asia/Shanghai')).not.toMatch(/09:00$/);

        const base: ReviewFigures = {
          totalTasks: 2, acceptedTasks: 0, cancelledTasks: 0, completionRate: 0, openProblems: 2,
          overdueCount: 0, escalationsThisPeriod: 0, reworksThisPeriod: 0, risk: 'low',
        };
        const half: ReviewFigures = { ...base, acceptedTasks: 1, completionRate: 0.5, openProblems: 1 };
        expect(reviews.map((r) => r.figures)).toEqual([base, half, half]);
        expect(reviews[0]!.previous).toBeUndefined();
        expect(reviews[0]!.completionRateChange).toBeUndefined();
        expect(reviews[1]!.previous).toEqual(reviews[0]!.figures);
        expect(reviews[1]!.completionRateChange).toBe(50);
        expect(reviews[2]!.previous).toEqual(reviews[1]!.figures);
        expect(reviews[2]!.completionRateChange).toBe(0);

        const state = await handle.query(itemStateQuery);
        expect(state.schedule.reviewCount).toBe(3);
        expect(state.schedule.lastReview).toEqual(half);
      } finally {
        await endScenario(handle);
      }
    });
  });
});

test('8 simulated weeks → exactly 8 dispatches on Monday 09:00 Shanghai; stale tasks chased once per dispatch', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const input = twoTaskItem(t0);
    const handle = await startItem(env, taskQueue, input);
    try {
      const first = nextMondayShanghai0900(t0);
      const slots = Array.from({ length: 8 }, (_, k) => first + k * 7 * DAY);
      // T2 reports progress between dispatch 2 and dispatch 3; T1 never does.
      await sleepUntil(env, slots[1]! + HOUR);
      await handle.executeUpdate(reportProgressUpdate, {
        args: [envelope(OWNER_B, { type: 'reportProgress', taskId: 'T2', text: 'Ledgers half signed', percent: 50 })],
      });
      await sleepUntil(env, t0 + 56 * DAY);

      const dispatches = store.dispatches();
      expect(dispatches.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      dispatches.forEach((d, i) => {
        expect(d.itemId).toBe(input.id);
        expectInstant(d.at, slots[i]!);
        expect(localClock(d.at, 'Asia/Shanghai')).toMatch(/^Mon \d\d, 09:00$/);
        expect(d.openTasks).toBe(2);
        expect(d.overdueTasks).toBe(0);
      });
      const staleOf = (taskId: string) => dispatches.map((d) => d.lines.find((l) => l.taskId === taskId)!.stale);
      // The first Monday comes less than a week after assignment: nobody is chased yet.
      expect(staleOf('T1')).toEqual([false, true, true, true, true, true, true, true]);
      expect(staleOf('T2')).toEqual([false, true, false, true, true, true, true, true]);
      expect(dispatches.map((d) => d.staleTasks)).toEqual([0, 2, 1, 2, 2, 2, 2, 2]);
      const third = dispatches[2]!.lines.find((l) => l.taskId === 'T2')!;
      expect(third).toMatchObject({ light: 'green', percent: 50, ownerUnit: 'Unit B' });
      expect(dispatches[2]!.lines.find((l) => l.taskId === 'T1')!.light).toBe('yellow');

      const chasesT1 = store.notificationsOf('chase', 'T1');
      const chasesT2 = store.notificationsOf('chase', 'T2');
      expect(chasesT1).toHaveLength(7);
      expect(chasesT2).toHaveLength(6);
      expect(new Set([...chasesT1, ...chasesT2].map((n) => n.key)).size).toBe(13);
      expect(chasesT1.map((n) => n.recipient)).toEqual(Array(7).fill('Unit A'));
      chasesT1.forEach((n, i) => expectInstant(n.firedAt, slots[i + 1]!));
      expect(chasesT2.map((n) => slots.findIndex((s) => Math.abs(Date.parse(n.firedAt) - s) < 2000))).toEqual([1, 3, 4, 5, 6, 7]);
      expect(store.duplicateNotificationWrites).toBe(0);

      const state = await handle.query(itemStateQuery);
      expect(state.schedule.dispatchCount).toBe(8);
      expect(state.schedule.nextDispatchAt).toBe(new Date(slots[7]! + 7 * DAY).toISOString());
    } finally {
      await endScenario(handle);
    }
  });
});
