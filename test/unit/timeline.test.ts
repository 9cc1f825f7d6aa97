import fc from 'fast-check';
import type { Command } from '../../domain/commands';
import { SYSTEM_ACTOR } from '../../domain/item-helpers';
import { emptyRecords, type ItemRecords } from '../../domain/item-records';
import { advanceClock, nextWakeAt, pendingEvents, type ClockOutcome, type TimedEvent } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { AuditEvent, EscalationRecord, ItemInput, ItemPolicy, ItemState, Notification } from '../../domain/types';
import {
  apply,
  applyAll,
  createdItem,
  DAY,
  envelope,
  HOUR,
  iso,
  LEADER,
  MINUTE,
  NOW,
  OWNER_A,
  OWNER_B,
  problemInput,
  snapshot,
  T1_DUE,
  T2_DUE,
  task,
  taskInput,
} from './item-builders';

const evidence = ['report.pdf'];

/** A fast policy: warning 30 min before, rungs at +0, +5 min, +15 min. */
const FAST: Partial<ItemPolicy> = {
  warningLead: 'PT30M',
  escalationLadder: [
    { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
    { after: 'PT5M', level: 2, notify: ['unitLeader'] },
    { after: 'PT15M', level: 3, notify: ['itemLeader', 'supervisionOffice'] },
  ],
};
/** t1 is due two hours after creation; t2 (another problem) weeks later, so the item stays active. */
const D = NOW + 2 * HOUR;
function fastItem(over: Partial<ItemInput> = {}): ItemState {
  return createdItem({
    policy: FAST,
    tasks: [
      taskInput('t1', { deadline: { kind: 'instant', at: iso(D) } }),
      taskInput('t2', { problemIds: ['p2'], ownerUnit: 'unit-b', ownerPerson: 'owner-b' }),
    ],
    ...over,
  });
}

const summary = (out: ClockOutcome) => out.records.auditEvents.map((e) => `${e.action}:${e.taskId ?? '-'}`);

describe('pendingEvents / nextWakeAt', () => {
  it('lists every task event (only the next rung of each ladder), the dispatch and the review, earliest first', () => {
    const at = (s: string) => Date.parse(s);
    expect(pendingEvents(createdItem())).toEqual<TimedEvent[]>([
      { at: at('2026-03-09T01:00:00.000Z'), kind: 'dispatch' },
      { at: T2_DUE - 3 * DAY, kind: 'warning', taskId: 't2' },
      { at: T2_DUE, kind: 'overdue', taskId: 't2' },
      { at: T2_DUE, kind: 'rung', taskId: 't2' },
      { at: T1_DUE - 3 * DAY, kind: 'warning', taskId: 't1' },
      { at: at('2026-04-01T01:00:00.000Z'), kind: 'review' },
      { at: T1_DUE, kind: 'overdue', taskId: 't1' },
      { at: T1_DUE, kind: 'rung', taskId: 't1' },
    ]);
    expect(nextWakeAt(createdItem())).toBe(at('2026-03-09T01:00:00.000Z'));
  });

  it('orders events at the same instant warning < overdue < rung, then by the task\'s position in the item (not its id)', () => {
    // 'z' is warned at X (due X + 30 min); 'b' and 'a' are both due at X
    const X = NOW + 3 * HOUR;
    const s = createdItem({
      policy: FAST,
      problems: [problemInput('p1')],
      tasks: [
        taskInput('z', { deadline: { kind: 'instant', at: iso(X + 30 * MINUTE) } }),
        taskInput('b', { deadline: { kind: 'instant', at: iso(X) } }),
        taskInput('a', { deadline: { kind: 'instant', at: iso(X) } }),
      ],
    });
    const atX = pendingEvents(s).filter((e) => e.at === X);
    expect(atX.map((e) => `${e.kind}:${e.taskId}`)).toEqual(['warning:z', 'overdue:b', 'overdue:a', 'rung:b', 'rung:a']);
    // and they fire in that order
    const out = advanceClock(s, X);
    expect(summary(out).slice(-5)).toEqual(['deadlineWarning:z', 'deadlineMissed:b', 'deadlineMissed:a', 'escalated:b', 'escalated:a']);
    expect(out.records.escalations.map((e) => e.taskId)).toEqual(['b', 'a']);
  });

  it('has no warning when the lead is zero', () => {
    const s = fastItem({ policy: { ...FAST, warningLead: 'PT0S' } });
    expect(pendingEvents(s).filter((e) => e.kind === 'warning')).toEqual([]);
  });

  it('has nothing for an item that is no longer active', () => {
    const cancelled = apply(createdItem(), LEADER, { type: 'cancelItem', reason: 'x' }).state;
    expect(pendingEvents(cancelled)).toEqual([]);
    expect(nextWakeAt(cancelled)).toBeUndefined();
    expect(advanceClock(cancelled, NOW + 365 * DAY).state).toBe(cancelled);
  });
});

describe('advanceClock: warning, overdue and the ladder', () => {
  it('returns the very same state object, and records nothing, when nothing is due', () => {
    const s = fastItem();
    const out = advanceClock(s, D - 30 * MINUTE - 1);
    expect(out.state).toBe(s);
    expect(out).toEqual({ state: s, records: emptyRecords() });
  });

  it('warns the owner unit at due − lead, exactly', () => {
    const s = fastItem();
    const copy = snapshot(s);
    const at = D - 30 * MINUTE;
    const out = advanceClock(s, at);
    expect(s).toStrictEqual(copy);
    expect(task(out.state, 't1').alarms).toEqual({ dueAt: iso(D), warned: true, overdue: false, rungsFired: 0 });
    expect(out.state.updatedAt).toBe(iso(at));
    expect(out.records.auditEvents).toEqual<AuditEvent[]>([
      {
        itemId: 'item-1', seq: 2, at: iso(at), actor: SYSTEM_ACTOR, action: 'deadlineWarning', requestId: undefined, taskId: 't1',
        units: ['unit-a'], details: { dueAt: iso(D), scheduledAt: iso(at) },
      },
    ]);
    expect(out.records.notifications).toEqual<Notification[]>([
      {
        key: `item-1|t1|warning|${iso(D)}|ownerUnit|unit-a`,
        itemId: 'item-1',
        taskId: 't1',
        kind: 'warning',
        recipientRole: 'ownerUnit',
        recipient: 'unit-a',
        units: ['unit-a'],
        reason: `task t1 is due at ${iso(D)}`,
        level: undefined,
        firedAt: iso(at),
        dueAt: iso(D),
      },
    ]);
    expect(out.records.escalations).toEqual([]);
    // nothing more until the deadline
    expect(advanceClock(out.state, D - 1).state).toBe(out.state);
  });

  it('marks the task overdue at the deadline, and fires rung 1 (PT0S) right after', () => {
    const warned = advanceClock(fastItem(), D - 30 * MINUTE).state;
    const out = advanceClock(warned, D);
    expect(summary(out)).toEqual(['deadlineMissed:t1', 'escalated:t1']);
    expect(task(out.state, 't1').alarms).toEqual({ dueAt: iso(D), warned: true, overdue: true, rungsFired: 1 });
    expect(task(out.state, 't1')).toMatchObject({ escalationLevel: 1, maxEscalationLevel: 1 });
    expect(out.state.counters).toMatchObject({ escalations: 1, escalationsSinceReview: 1 });
    expect(out.records.escalations).toEqual<EscalationRecord[]>([
      {
        itemId: 'item-1', taskId: 't1', ownerUnit: 'unit-a', units: ['unit-a'], dueAt: iso(D), rung: 1, level: 1,
        notify: ['ownerUnit'], firedAt: iso(D),
      },
    ]);
    expect(out.records.notifications.map((n) => [n.kind, n.recipientRole, n.recipient, n.level])).toEqual([
      ['overdue', 'ownerUnit', 'unit-a', undefined],
      ['escalation', 'ownerUnit', 'unit-a', 1],
    ]);
    expect(out.records.notifications[1]!.reason).toMatch(/due now and not accepted: escalation level 1/);
    expect(out.records.auditEvents.map((e) => e.units)).toEqual([['unit-a'], ['unit-a']]);
  });

  it('fires each later rung at deadline + offset, exactly, in order, once', () => {
    const atDue = advanceClock(fastItem(), D).state;
    expect(advanceClock(atDue, D + 5 * MINUTE - 1).state).toBe(atDue);
    const r2 = advanceClock(atDue, D + 5 * MINUTE);
    expect(r2.records.escalations.map((e) => [e.rung, e.level])).toEqual([[2, 2]]);
    expect(r2.records.notifications.map((n) => [n.recipientRole, n.recipient])).toEqual([['unitLeader', 'unit-a']]);
    expect(r2.records.notifications[0]!.reason).toMatch(/PT5M past its deadline/);
    expect(advanceClock(r2.state, D + 15 * MINUTE - 1).state).toBe(r2.state);
    const r3 = advanceClock(r2.state, D + 15 * MINUTE);
    expect(r3.records.escalations.map((e) => [e.rung, e.level])).toEqual([[3, 3]]);
    // the item is under city-level supervision: the city office is told, with the leader
    expect(r3.records.notifications.map((n) => [n.recipientRole, n.recipient])).toEqual([
      ['itemLeader', 'leader-1'],
      ['supervisionOffice', 'city'],
    ]);
    expect(task(r3.state, 't1')).toMatchObject({ escalationLevel: 3, maxEscalationLevel: 3 });
    // the ladder is spent: no more events for t1
    expect(pendingEvents(r3.state).filter((e) => e.taskId === 't1')).toEqual([]);
    const later = advanceClock(r3.state, D + 2 * HOUR);
    expect(later.state).toBe(r3.state);
  });

  it('advancing far past every rung at once fires all of them, in order, once', () => {
    const out = advanceClock(fastItem(), D + DAY);
    expect(summary(out)).toEqual(['deadlineWarning:t1', 'deadlineMissed:t1', 'escalated:t1', 'escalated:t1', 'escalated:t1']);
    expect(out.records.escalations.map((e) => e.rung)).toEqual([1, 2, 3]);
    expect(out.records.auditEvents.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(out.state.counters.escalations).toBe(3);
    expect(advanceClock(out.state, D + 2 * DAY).records.escalations).toEqual([]);
  });

  it('each warning, deadline and rung records the instant it was meant for beside the instant it fired (the lateness metric reads both)', () => {
    const out = advanceClock(fastItem(), D + DAY);
    const late = out.records.auditEvents.map((e) => ({ action: e.action, at: e.at, scheduledAt: e.details.scheduledAt }));
    expect(late).toEqual([
      { action: 'deadlineWarning', at: iso(D + DAY), scheduledAt: iso(D - 30 * MINUTE) },
      { action: 'deadlineMissed', at: iso(D + DAY), scheduledAt: iso(D) },
      { action: 'escalated', at: iso(D + DAY), scheduledAt: iso(D) },
      { action: 'escalated', at: iso(D + DAY), scheduledAt: iso(D + 5 * MINUTE) },
      { action: 'escalated', at: iso(D + DAY), scheduledAt: iso(D + 15 * MINUTE) },
    ]);
  });

  it('without a supervision level, the office rung goes to the leader alone', () => {
    const out = advanceClock(fastItem({ supervisionLevel: 'none' }), D + DAY);
    const last = out.records.notifications.filter((n) => n.level === 3);
    expect(last.map((n) => [n.recipientRole, n.recipient])).toEqual([['itemLeader', 'leader-1']]);
  });

  it('fires nothing for an accepted task', () => {
    const done = applyAll(fastItem(), [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
    ], NOW + MINUTE);
    const out = advanceClock(done, D + DAY);
    expect(out.state).toBe(done);
    expect(task(done, 't1').alarms).toEqual({ dueAt: iso(D), warned: false, overdue: false, rungsFired: 0 });
  });

  it('fires nothing more for a task cancelled after it was warned', () => {
    const warned = advanceClock(fastItem(), D - 10 * MINUTE).state;
    const cancelled = apply(warned, LEADER, { type: 'cancelTask', taskId: 't1', reason: 'x' }, D - 5 * MINUTE).state;
    expect(advanceClock(cancelled, D + DAY).state).toBe(cancelled);
  });

  it('still escalates a task that is submitted but not accepted', () => {
    const s = apply(fastItem(), OWNER_A, { type: 'submitTask', taskId: 't1', evidence }, NOW + MINUTE).state;
    expect(advanceClock(s, D + DAY).records.escalations.map((e) => e.rung)).toEqual([1, 2, 3]);
  });

  it('re-arms the warning, the deadline and the whole ladder against the new deadline after an approved extension', () => {
    const first = advanceClock(fastItem(), D + HOUR);
    const E = D + 3 * HOUR;
    const extended = applyAll(first.state, [
      [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: iso(E) }, reason: 'more time' }],
      [LEADER, { type: 'decideExtension', taskId: 't1', approve: true }],
    ], D + HOUR);
    expect(nextWakeAt(extended)).toBe(E - 30 * MINUTE);
    expect(task(extended, 't1')).toMatchObject({ escalationLevel: 0, maxEscalationLevel: 3 });
    const second = advanceClock(extended, E + HOUR);
    expect(summary(second)).toEqual(['deadlineWarning:t1', 'deadlineMissed:t1', 'escalated:t1', 'escalated:t1', 'escalated:t1']);
    expect(second.records.escalations.map((e) => [e.rung, e.dueAt, e.firedAt])).toEqual([
      [1, iso(E), iso(E + HOUR)],
      [2, iso(E), iso(E + HOUR)],
      [3, iso(E), iso(E + HOUR)],
    ]);
    expect(second.state.counters.escalations).toBe(6);
    expect(task(second.state, 't1').originalDueAt).toBe(iso(D));
    const keys = [...first.records.notifications, ...second.records.notifications].map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('advanceClock: weekly dispatch', () => {
  const FIRST = Date.parse('2026-03-09T01:00:00.000Z'); // Mon 09:00 Shanghai
  const SECOND = Date.parse('2026-03-16T01:00:00.000Z');

  it('records every open task; tasks younger than a week are not chased yet', () => {
    const out = advanceClock(createdItem(), FIRST);
    expect(out.records.dispatches).toHaveLength(1);
    const d = out.records.dispatches[0]!;
    expect(d).toMatchObject({ itemId: 'item-1', seq: 1, at: iso(FIRST), openTasks: 2, staleTasks: 0, overdueTasks: 0 });
    expect(d.lines.map((l) => [l.taskId, l.ownerUnit, l.coOwners, l.stale, l.light, l.msToDeadline])).toEqual([
      ['t1', 'unit-a', ['unit-c'], false, 'green', T1_DUE - FIRST],
      ['t2', 'unit-b', [], false, 'green', T2_DUE - FIRST],
    ]);
    expect(out.records.notifications).toEqual([]);
    expect(out.state.schedule).toMatchObject({ dispatchCount: 1, lastDispatchAt: iso(FIRST), nextDispatchAt: iso(SECOND) });
    expect(out.records.auditEvents).toEqual([]);
  });

  it('marks tasks silent for a whole period stale and chases their owners', () => {
    const out = advanceClock(advanceClock(createdItem(), FIRST).state, SECOND);
    const d = out.records.dispatches[0]!;
    expect(d).toMatchObject({ seq: 2, staleTasks: 2 });
    expect(d.lines.map((l) => [l.taskId, l.stale, l.light])).toEqual([
      ['t1', true, 'yellow'],
      ['t2', true, 'yellow'],
    ]);
    expect(out.state.tasks.map((t) => t.stale)).toEqual([true, true]);
    expect(out.records.notifications.filter((n) => n.kind === 'chase').map((n) => [n.taskId, n.recipient, n.units, n.key])).toEqual([
      ['t1', 'unit-a', ['unit-a', 'unit-c'], 'item-1|t1|chase|dispatch#2|ownerUnit|unit-a'],
      ['t2', 'unit-b', ['unit-b'], 'item-1|t2|chase|dispatch#2|ownerUnit|unit-b'],
    ]);
  });

  it('a task reported on since the last dispatch is not stale; the others are chased again under a new key', () => {
    const first = advanceClock(createdItem(), FIRST);
    const reported = apply(first.state, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'visits done', percent: 50 }, FIRST + DAY).state;
    expect(task(reported, 't1').stale).toBe(false);
    const second = advanceClock(reported, SECOND);
    expect(second.records.dispatches[0]).toMatchObject({ seq: 2, staleTasks: 1 });
    const line = second.records.dispatches[0]!.lines.find((l) => l.taskId === 't1');
    expect(line).toMatchObject({ stale: false, light: 'green', percent: 50, status: 'inProgress', lastProgressAt: iso(FIRST + DAY) });
    // a dispatch line carries no text: the report's text is in its audit event
    expect(line).not.toHaveProperty('lastProgressText');
    expect(JSON.stringify(second.records.dispatches)).not.toContain('visits done');
    expect(second.state.tasks.map((t) => t.stale)).toEqual([false, true]);
    // (t2's warning on 15 March fires in the same advance)
    expect(second.records.notifications.filter((n) => n.kind === 'chase').map((n) => n.key)).toEqual(['item-1|t2|chase|dispatch#2|ownerUnit|unit-b']);
  });

  it('leaves closed tasks out', () => {
    const s = applyAll(createdItem(), [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
    ]);
    const out = advanceClock(advanceClock(s, FIRST).state, SECOND);
    expect(out.records.dispatches[0]!.lines.map((l) => l.taskId)).toEqual(['t2']);
    expect(out.records.notifications.filter((n) => n.kind === 'chase').map((n) => n.taskId)).toEqual(['t2']);
  });

  it('after weeks without a wake-up, sends one round (not a burst) and schedules from now', () => {
    // (t2's deadline events fire too on the way; only the dispatches are counted here)
    const late = Date.parse('2026-03-30T03:00:00.000Z'); // Mon 11:00 Shanghai, three slots later
    const out = advanceClock(createdItem(), late);
    expect(out.records.dispatches.map((d) => d.at)).toEqual([iso(late)]);
    expect(out.state.schedule.nextDispatchAt).toBe('2026-04-06T01:00:00.000Z');
  });
});

describe('advanceClock: monthly review', () => {
  const REVIEW_1 = Date.parse('2026-04-01T01:00:00.000Z'); // Wed 1 April 09:00 Shanghai
  const REVIEW_2 = Date.parse('2026-05-01T01:00:00.000Z');

  function march(): ItemState {
    // t1 sent back once in March; t2 misses its 18 March deadline and runs up its whole ladder
    const s = applyAll(createdItem(), [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'incomplete' }],
    ]);
    return advanceClock(s, REVIEW_1 - 1).state;
  }

  it('records the month under review, then resets the since-review counters', () => {
    const before = march();
    expect(before.counters).toEqual({ escalations: 3, reworks: 1, escalationsSinceReview: 3, reworksSinceReview: 1, auditSeq: before.counters.auditSeq });
    const out = advanceClock(before, REVIEW_1);
    expect(out.records.reviews).toHaveLength(1);
    expect(out.records.reviews[0]).toEqual({
      itemId: 'item-1',
      seq: 1,
      at: iso(REVIEW_1),
      period: '2026-03',
      figures: {
        totalTasks: 2,
        acceptedTasks: 0,
        cancelledTasks: 0,
        completionRate: 0,
        openProblems: 2,
        overdueCount: 1,
        escalationsThisPeriod: 3,
        reworksThisPeriod: 1,
        risk: 'high',
      },
      previous: undefined,
      completionRateChange: undefined,
    });
    expect(out.state.counters).toMatchObject({ escalations: 3, reworks: 1, escalationsSinceReview: 0, reworksSinceReview: 0 });
    expect(out.state.schedule).toMatchObject({
      reviewCount: 1,
      lastReviewAt: iso(REVIEW_1),
      lastReview: out.records.reviews[0]!.figures,
      nextReviewAt: iso(REVIEW_2),
    });
  });

  it('compares the next month with the previous review', () => {
    const first = advanceClock(march(), REVIEW_1);
    // t1 accepted on 1 April before its 18:00 deadline; t2 still overdue, nothing new escalates
    const april = applyAll(first.state, [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
    ], REVIEW_1 + HOUR);
    const out = advanceClock(april, REVIEW_2);
    const r = out.records.reviews[0]!;
    expect(r).toMatchObject({ seq: 2, period: '2026-04', previous: first.records.reviews[0]!.figures, completionRateChange: 50 });
    expect(r.figures).toMatchObject({ acceptedTasks: 1, completionRate: 0.5, openProblems: 1, overdueCount: 1, escalationsThisPeriod: 0, reworksThisPeriod: 0, risk: 'high' });
  });
});

describe('property: a random life of an item', () => {
  type Step =
    | { kind: 'advance'; ms: number }
    | { kind: 'report'; task: number; percent: number }
    | { kind: 'submit'; task: number }
    | { kind: 'accept'; task: number }
    | { kind: 'sendBack'; task: number }
    | { kind: 'extend'; task: number; byMs: number; approve: boolean };

  const TASKS = ['t1', 't2', 't3'];
  const OWNERS = [OWNER_A, OWNER_A, OWNER_B];
  const POLICY: Partial<ItemPolicy> = {
    warningLead: 'PT6H',
    escalationLadder: [
      { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
      { after: 'P1D', level: 2, notify: ['unitLeader'] },
      { after: 'P3D', level: 3, notify: ['itemLeader', 'supervisionOffice'] },
    ],
  };
  const LADDER = POLICY.escalationLadder!.length;

  const taskIx = fc.integer({ min: 0, max: TASKS.length - 1 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3 * DAY }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('report' as const), task: taskIx, percent: fc.integer({ min: 0, max: 100 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('submit' as const), task: taskIx }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('accept' as const), task: taskIx }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('sendBack' as const), task: taskIx }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('extend' as const), task: taskIx, byMs: fc.integer({ min: HOUR, max: 5 * DAY }), approve: fc.boolean() }),
    },
  );

  function commandsFor(s: Step, state: ItemState, now: number): Array<[typeof OWNER_A, Command]> {
    if (s.kind === 'advance') return [];
    const taskId = TASKS[s.task]!;
    const owner = OWNERS[s.task]!;
    switch (s.kind) {
      case 'report':
        return [[owner, { type: 'reportProgress', taskId, text: 'progress', percent: s.percent }]];
      case 'submit':
        return [[owner, { type: 'submitTask', taskId, evidence }]];
      case 'accept':
        return [[LEADER, { type: 'acceptTask', taskId }]];
      case 'sendBack':
        return [[LEADER, { type: 'sendBackTask', taskId, reason: 'redo' }]];
      case 'extend': {
        const t = state.tasks.find((x) => x.id === taskId)!;
        const at = iso(Math.max(Date.parse(t.deadline.dueAt), now) + s.byMs);
        return [
          [owner, { type: 'requestExtension', taskId, newDeadline: { kind: 'instant', at }, reason: 'need time' }],
          [LEADER, { type: 'decideExtension', taskId, approve: s.approve }],
        ];
      }
    }
  }

  it('never over-escalates, never repeats a notification key, and numbers the audit trail strictly', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        let state = createdItem({
          policy: POLICY,
          problems: [problemInput('p1'), problemInput('p2')],
          tasks: [
            taskInput('t1', { deadline: { kind: 'instant', at: iso(NOW + 2 * DAY) } }),
            taskInput('t2', { problemIds: ['p1', 'p2'], deadline: { kind: 'instant', at: iso(NOW + 5 * DAY) } }),
            taskInput('t3', { problemIds: ['p2'], ownerUnit: 'unit-b', ownerPerson: 'owner-b', deadline: { kind: 'workingDays', days: 3 } }),
          ],
        });
        let now = NOW;
        const seqs: number[] = [1];
        const keys: string[] = [];
        const escalations: EscalationRecord[] = [];
        const acceptedAt = new Map<string, number>();

        const take = (out: { state: ItemState; records: ItemRecords }) => {
          seqs.push(...out.records.auditEvents.map((e) => e.seq));
          keys.push(...out.records.notifications.map((n) => n.key));
          state = out.state;
        };

        for (const s of steps) {
          if (s.kind === 'advance') {
            now += s.ms;
            const out = advanceClock(state, now);
            escalations.push(...out.records.escalations);
            take(out);
            // everything due has fired: a second call at the same instant changes nothing
            expect(advanceClock(state, now).state).toBe(state);
            continue;
          }
          for (const [actor, command] of commandsFor(s, state, now)) {
            const before = snapshot(state);
            try {
              take(applyCommand(state, envelope(actor, command), now));
            } catch (e) {
              // a refusal is fine, as long as it is a typed one and changed nothing
              expect(typeof (e as { code?: unknown }).code).toBe('string');
              expect(state).toStrictEqual(before);
            }
            if (command.type === 'acceptTask' && state.tasks.find((t) => t.id === command.taskId)?.status === 'accepted') {
              if (!acceptedAt.has(command.taskId)) acceptedAt.set(command.taskId, now);
            }
          }
        }

        // audit seq strictly increasing, without gaps, and the item's counter agrees
        seqs.forEach((seq, i) => expect(seq).toBe(i + 1));
        expect(state.counters.auditSeq).toBe(seqs.length);
        // no notification key twice in the whole run
        expect(new Set(keys).size).toBe(keys.length);
        // per task and deadline: at most one record per rung, rungs 1, 2, 3… in order
        const byDeadline = new Map<string, number[]>();
        for (const e of escalations) {
          const k = `${e.taskId}@${e.dueAt}`;
          byDeadline.set(k, [...(byDeadline.get(k) ?? []), e.rung]);
        }
        for (const rungs of byDeadline.values()) {
          expect(rungs.length).toBeLessThanOrEqual(LADDER);
          expect(rungs).toEqual(rungs.map((_, i) => i + 1));
        }
        // nothing escalates after acceptance; nothing fires before deadline + offset
        for (const e of escalations) {
          const accepted = acceptedAt.get(e.taskId);
          if (accepted !== undefined) expect(Date.parse(e.firedAt)).toBeLessThanOrEqual(accepted);
          const offset = [0, DAY, 3 * DAY][e.rung - 1]!;
          expect(Date.parse(e.firedAt)).toBeGreaterThanOrEqual(Date.parse(e.dueAt) + offset);
        }
        expect(state.counters.escalations).toBe(escalations.length);
        // the highest level ever reached is never below the current one, nor below any rung that fired
        for (const t of state.tasks) {
          expect(t.maxEscalationLevel).toBeGreaterThanOrEqual(t.escalationLevel);
          const fired = escalations.filter((e) => e.taskId === t.id).map((e) => e.level);
          expect(t.maxEscalationLevel).toBe(Math.max(0, ...fired));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('advanceClock: many tasks sharing one deadline', () => {
  // 5,000 tasks (ten times an item's limit: the clock must not care) due at the same instant,
  // ids deliberately out of alphabetical order so item order and id order differ
  const N = 5000;
  function crowd(): ItemState {
    const base = fastItem({ supervisionLevel: 'city' });
    const template = task(base, 't1');
    const tasks = Array.from({ length: N }, (_, i) => ({
      ...snapshot(template),
      id: `task-${(i * 7919) % N}`,
      ownerUnit: `unit-${i % 7}`,
    }));
    return { ...base, tasks };
  }
  const state = crowd();
  const itemOrder = state.tasks.map((t) => t.id);

  it('the fixture really differs from id order', () => {
    expect(new Set(itemOrder).size).toBe(N);
    expect([...itemOrder].sort()).not.toEqual(itemOrder);
  });

  it('fires every warning, deadline and rung once, kind by kind, each kind in item order', () => {
    const out = advanceClock(state, D + DAY);
    const events = out.records.auditEvents;
    // per task: warning, overdue, three rungs
    expect(events).toHaveLength(5 * N);
    const byAction = (action: string) => events.filter((e) => e.action === action).map((e) => e.taskId);
    expect(byAction('deadlineWarning')).toEqual(itemOrder);
    expect(byAction('deadlineMissed')).toEqual(itemOrder);
    // instants: all warnings (D − 30 min), then at D all deadlines before any rung 1, then rung 2, then rung 3
    const blocks = ['deadlineWarning', 'deadlineMissed', 'escalated', 'escalated', 'escalated'];
    blocks.forEach((action, b) => {
      const block = events.slice(b * N, (b + 1) * N);
      expect(block.every((e) => e.action === action)).toBe(true);
      expect(block.map((e) => e.taskId)).toEqual(itemOrder);
    });
    expect(out.records.escalations.map((e) => e.rung)).toEqual([
      ...Array<number>(N).fill(1), ...Array<number>(N).fill(2), ...Array<number>(N).fill(3),
    ]);
    expect(out.records.escalations.slice(0, N).map((e) => e.taskId)).toEqual(itemOrder);
    // seq without gaps
    events.forEach((e, i) => expect(e.seq).toBe(i + 2));
    // notifications: warning, overdue, rung 1 (owner unit), rung 2 (unit leader), rung 3 (leader + city office)
    expect(out.records.notifications).toHaveLength(6 * N);
    expect(new Set(out.records.notifications.map((n) => n.key)).size).toBe(6 * N);
    expect(out.state.counters.escalations).toBe(3 * N);
    expect(out.state.tasks.every((t) => t.alarms.warned && t.alarms.overdue && t.alarms.rungsFired === 3 && t.maxEscalationLevel === 3)).toBe(true);
    // everything due has fired
    expect(advanceClock(out.state, D + DAY).state).toBe(out.state);
  });

  it('advancing step by step fires the same, once: nothing is fired twice or skipped', () => {
    const steps = [D - 30 * MINUTE, D, D + 5 * MINUTE, D + 15 * MINUTE];
    let s = state;
    const counts: number[] = [];
    for (const at of steps) {
      const out = advanceClock(s, at);
      counts.push(out.records.auditEvents.length);
      s = out.state;
    }
    // warning; deadline + rung 1; rung 2; rung 3
    expect(counts).toEqual([N, 2 * N, N, N]);
    expect(pendingEvents(s).filter((e) => e.taskId !== undefined)).toEqual([]);
  });

  it('pendingEvents lists the shared instant in item order too', () => {
    const atDue = pendingEvents(state).filter((e) => e.at === D);
    expect(atDue.map((e) => e.kind)).toEqual([...Array<string>(N).fill('overdue'), ...Array<string>(N).fill('rung')]);
    expect(atDue.slice(0, N).map((e) => e.taskId)).toEqual(itemOrder);
  });
});
