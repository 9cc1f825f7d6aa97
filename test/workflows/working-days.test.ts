/**
 * Working-day deadlines resolved inside the workflow: at creation, by an
 * addTask update and by an approved extension; then the warning and the
 * overdue alarm fire on the resolved instant.
 *
 * The time-skipping server starts at the real current time and cannot go back,
 * so the Spring Festival / National Day cases stay in test/unit/working-days.
 * Expectations here are counted by hand: the pinned chinese-days 1.5.7 has no
 * statutory holiday or make-up workday after 2026-10-10 (and no 2027 at all),
 * so from late November 2026 on only Saturdays and Sundays are skipped, plus,
 * in 2027, the fixed-date statutory holidays (1 January, 1–2 May, 1–3 October);
 * a window reaching into a year without data is provisional and says so in its basis.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addTaskUpdate, decideExtensionUpdate, itemStateQuery, requestExtensionUpdate } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, endScenario, DAY, envelope, expectInstant, itemInput, LEADER, OWNER_A, startItem, waitFor, sleepUntil, instantTask } from './harness';

const HOUR = 3600_000;
const SHANGHAI_OFFSET = 8 * HOUR; // Asia/Shanghai is UTC+8 all year
const LAST_DATA_DAY = Date.UTC(2026, 9, 11); // the day after the last statutory entry in the pinned data
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const day10 = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);
const FIXED_DATE_HOLIDAYS = ['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'];

/** N working days after fromMs, counted by hand: start the day after the local date, skip weekends, end 23:59:59 local. */
function byHand(fromMs: number, days: number) {
  if (fromMs < LAST_DATA_DAY) throw new Error('this hand count assumes no statutory days in the window');
  const local = new Date(fromMs + SHANGHAI_OFFSET);
  const start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const years = new Set<number>();
  let date = start;
  for (let counted = 0; counted < days; ) {
    date += DAY;
    years.add(new Date(date).getUTCFullYear());
    const weekday = new Date(date).getUTCDay();
    // a year without its notice: the fixed-date statutory holidays are skipped all the same (provisionally)
    const fixedHoliday = new Date(date).getUTCFullYear() > 2026 && FIXED_DATE_HOLIDAYS.includes(day10(date).slice(5));
    if (weekday !== 0 && weekday !== 6 && !fixedHoliday) counted += 1;
  }
  const dueMs = date + 23 * HOUR + 59 * 60_000 + 59_000 - SHANGHAI_OFFSET;
  return { dueMs, dueIso: new Date(dueMs).toISOString(), from: day10(start), due: day10(date), uncovered: [...years].filter((y) => y > 2026) };
}

function expectBasis(basis: string, days: number, hand: ReturnType<typeof byHand>): void {
  expect(basis).toContain(`${days} working days from ${hand.from} (Asia/Shanghai)`);
  expect(basis).toContain(`due end of ${hand.due}`);
  if (hand.uncovered.length > 0) expect(basis).toContain(`provisional: no State Council notice for ${hand.uncovered.join(', ')} yet`);
  else expect(basis).toContain('no holidays or make-up workdays in the data for the period');
}

test('an item created with a workingDays deadline is due 23:59:59 Shanghai on the Nth working day; warning and overdue fire on it', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const input = itemInput({ dueAt: new Date(t0 + DAY).toISOString() });
    input.tasks[0]!.deadline = { kind: 'workingDays', days: 5 };
    const handle = await startItem(env, taskQueue, input);
    try {
      const state = await handle.query(itemStateQuery);
      const createdAt = Date.parse(state.createdAt);
      expect(createdAt - t0).toBeGreaterThanOrEqual(0);
      expect(createdAt - t0).toBeLessThan(5000);
      const hand = byHand(createdAt, 5);
      const task = state.tasks[0]!;
      expect(task.deadline).toMatchObject({ dueAt: hand.dueIso, spec: { kind: 'workingDays', days: 5 }, resolvedAt: state.createdAt });
      // the basis is text: it goes to the read side with the task's row, not into the workflow's state
      const row = await waitFor(() => store.lastTaskRow('T1'));
      expectBasis(row.deadlineBasis!, 5, hand);
      expect(task.originalDueAt).toBe(hand.dueIso);
      expect(task.alarms.dueAt).toBe(hand.dueIso);

      await sleepUntil(env, hand.dueMs + HOUR);
      expectInstant(store.notificationsOf('warning', 'T1')[0]?.firedAt, hand.dueMs - 3 * DAY);
      expectInstant(store.notificationsOf('overdue', 'T1')[0]?.firedAt, hand.dueMs);
      expect(store.notificationsOf('overdue', 'T1')[0]?.dueAt).toBe(hand.dueIso);
    } finally {
      await endScenario(handle);
    }
  });
});

test('addTask with {workingDays: 25} resolves at assignment, keeps its basis, and warns at due − lead', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const input = itemInput({ dueAt: new Date(t0 + 200 * DAY).toISOString(), policy: { warningLead: 'P2D' } });
    const handle = await startItem(env, taskQueue, input);
    try {
      await env.sleep(2 * HOUR);
      const before = await env.currentTimeMs();
      const result = await handle.executeUpdate(addTaskUpdate, {
        args: [envelope(LEADER, { type: 'addTask', task: {
          id: 'T2', problemIds: ['P1'], description: 'Re-audit the payment lists', ownerUnit: 'Unit A', ownerPerson: 'Owner Zhang',
          deadline: { kind: 'workingDays', days: 25 },
        } })],
      });
      const task = result.task!;
      expect(task.id).toBe('T2');
      const assignedAt = Date.parse(task.assignedAt);
      expect(assignedAt - before).toBeGreaterThanOrEqual(0);
      expect(assignedAt - before).toBeLessThan(5000);
      const hand = byHand(assignedAt, 25);
      expect(task.deadline).toMatchObject({ dueAt: hand.dueIso, spec: { kind: 'workingDays', days: 25 }, resolvedAt: task.assignedAt });
      const added = await waitFor(() => store.all('auditEvents').find((e) => e.action === 'taskAdded'));
      const basis = added.details.basis as string;
      expectBasis(basis, 25, hand);
      expect(added.details).toMatchObject({ dueAt: hand.dueIso });
      expect((await waitFor(() => store.lastTaskRow('T2'))).deadlineBasis).toBe(basis);

      await sleepUntil(env, hand.dueMs - 2 * DAY - HOUR);
      expect(store.notificationsOf('warning', 'T2')).toHaveLength(0);
      await sleepUntil(env, hand.dueMs - 2 * DAY + HOUR);
      const [warning] = store.notificationsOf('warning', 'T2');
      expectInstant(warning?.firedAt, hand.dueMs - 2 * DAY);
      expect(warning?.dueAt).toBe(hand.dueIso);
      const later = await handle.query(itemStateQuery);
      expect(later.tasks.find((t) => t.id === 'T2')!.deadline).toEqual(task.deadline);
    } finally {
      await endScenario(handle);
    }
  });
});

test('an approved {workingDays: 10} extension resolves at the decision, keeps the original due, and re-arms the warning', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const originalDue = new Date(t0 + 4 * DAY).toISOString();
    const input = itemInput({ dueAt: originalDue });
    const handle = await startItem(env, taskQueue, input);
    try {
      const requestedAt = await env.currentTimeMs();
      await handle.executeUpdate(requestExtensionUpdate, {
        args: [envelope(OWNER_A, { type: 'requestExtension', taskId: 'T1', newDeadline: { kind: 'workingDays', days: 10 }, reason: 'Bank closed for audit' })],
      });
      const asked = await waitFor(() => store.all('auditEvents').find((e) => e.action === 'extensionRequested'));
      expect(asked.details.proposedDueAt).toBe(byHand(Date.parse(asked.at), 10).dueIso);
      expect(Date.parse(asked.at) - requestedAt).toBeLessThan(5000);

      // the original warning (due − 3 days) fires meanwhile; the working-day count runs from the decision
      await env.sleep(2 * DAY);
      const result = await handle.executeUpdate(decideExtensionUpdate, {
        args: [envelope(LEADER, { type: 'decideExtension', taskId: 'T1', approve: true, note: 'Granted' })],
      });
      const task = result.task!;
      const decided = await waitFor(() => store.all('auditEvents').find((e) => e.action === 'extensionApproved'));
      const decidedAt = decided.at;
      const hand = byHand(Date.parse(decidedAt), 10);
      expect(decided.details).toMatchObject({ dueAt: hand.dueIso, newDeadline: { kind: 'workingDays', days: 10 }, note: 'Granted' });
      expect(task).toMatchObject({ extensionsApproved: 1, extensionsDenied: 0 });
      expect(task.pendingExtension).toBeUndefined();
      expect(task.deadline).toMatchObject({ dueAt: hand.dueIso, spec: { kind: 'workingDays', days: 10 }, resolvedAt: decidedAt });
      expectBasis((await waitFor(() => store.lastTaskRow('T1')?.deadlineBasis?.includes('10 working days') ? store.lastTaskRow('T1') : undefined)).deadlineBasis!, 10, hand);
      expect(task.originalDueAt).toBe(new Date(originalDue).toISOString());
      expect(task.alarms).toEqual({ dueAt: hand.dueIso, warned: false, overdue: false, rungsFired: 0 });

      await sleepUntil(env, hand.dueMs - 3 * DAY + HOUR);
      const warnings = store.notificationsOf('warning', 'T1');
      expect(warnings.map((w) => w.dueAt)).toEqual([new Date(originalDue).toISOString(), hand.dueIso]);
      expectInstant(warnings[1]!.firedAt, hand.dueMs - 3 * DAY);
      expect(store.notificationsOf('overdue', 'T1')).toHaveLength(0);
    } finally {
      await endScenario(handle);
    }
  });
});
