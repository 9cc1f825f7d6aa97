import { createItemState } from '../../domain/create-item';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { ItemInput } from '../../domain/types';
import {
  codeOf,
  DAY,
  HOUR,
  iso,
  itemInput,
  LEADER,
  NOW,
  problemInput,
  T1_DUE,
  T2_DUE,
  taskInput,
} from './item-builders';
import { statutoryCalendar } from '../../domain/statutory-calendar';

const CAL = statutoryCalendar();

describe('createItemState: a valid plan', () => {
  const { state, auditEvents } = createItemState(itemInput(), LEADER, NOW, CAL);

  it('copies the item fields and starts active', () => {
    expect(state).toMatchObject({
      id: 'item-1',
      planId: 'plan-2026',
      title: 'Rectify the findings of the inspection',
      source: 'central inspection feedback',
      category: 'poverty alleviation',
      supervisionLevel: 'city',
      leader: { id: 'leader-1', name: 'Leader One' },
      status: 'active',
      createdAt: iso(NOW),
      createdBy: 'leader-1',
      updatedAt: iso(NOW),
      appliedRequests: [],
    });
    expect(state.completedAt).toBeUndefined();
    expect(state.problems).toEqual([
      { id: 'p1', description: 'problem p1', severity: 'high', status: 'open' },
      { id: 'p2', description: 'problem p2', severity: 'medium', status: 'open' },
    ]);
  });

  it('fills the default policy', () => {
    expect(state.policy).toEqual(DEFAULT_POLICY);
  });

  it('resolves a fixed deadline to a UTC instant and keeps the spec', () => {
    const t1 = state.tasks[0]!;
    expect(t1.deadline).toEqual({
      dueAt: iso(T1_DUE),
      spec: { kind: 'instant', at: '2026-04-01T18:00:00+08:00' },
      resolvedAt: iso(NOW),
      basis: 'fixed instant',
    });
    expect(t1.originalDueAt).toBe(iso(T1_DUE));
  });

  it('resolves a working-day deadline to the end of the Nth working day, local time', () => {
    const t2 = state.tasks[1]!;
    expect(t2.deadline.dueAt).toBe(iso(T2_DUE)); // Wed 2026-03-18 23:59:59 +08:00
    expect(t2.deadline.spec).toEqual({ kind: 'workingDays', days: 10 });
    expect(t2.deadline.basis).toMatch(/^10 working days from 2026-03-04 \(Asia\/Shanghai\)/);
    expect(t2.originalDueAt).toBe(iso(T2_DUE));
  });

  it('assigns every task now, with its alarms armed on its deadline', () => {
    expect(state.tasks.map((t) => t.id)).toEqual(['t1', 't2']);
    for (const t of state.tasks) {
      expect(t).toMatchObject({
        status: 'assigned',
        assignedAt: iso(NOW),
        percent: 0,
        reportCount: 0,
        reworkCount: 0,
        extensions: [],
        escalationLevel: 0,
        stale: false,
      });
      expect(t.alarms).toEqual({ dueAt: t.deadline.dueAt, warned: false, overdue: false, rungsFired: 0 });
    }
    expect(state.tasks[0]).toMatchObject({ ownerUnit: 'unit-a', ownerPerson: 'owner-a', coOwners: ['unit-c'], measures: 'visit every household' });
    expect(state.tasks[1]).toMatchObject({ ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [], problemIds: ['p2'] });
  });

  it('schedules the first dispatch on the next Monday 09:00 Shanghai and the first review on the 1st 09:00', () => {
    // created Wed 2026-03-04 10:00 Shanghai
    expect(state.schedule).toEqual({
      nextDispatchAt: '2026-03-09T01:00:00.000Z', // Mon 2026-03-09 09:00 +08:00
      nextReviewAt: '2026-04-01T01:00:00.000Z', // Wed 2026-04-01 09:00 +08:00
      dispatchCount: 0,
      reviewCount: 0,
    });
  });

  it('a creation at exactly Monday 09:00 on the 1st schedules both a full period later (strictly after)', () => {
    const at = Date.parse('2026-06-01T01:00:00.000Z'); // Mon 2026-06-01 09:00 Shanghai
    const later = itemInput();
    later.tasks[0]!.deadline = { kind: 'instant', at: '2026-07-15T18:00:00+08:00' };
    const s = createItemState(later, LEADER, at, CAL).state;
    expect(s.schedule.nextDispatchAt).toBe('2026-06-08T01:00:00.000Z');
    expect(s.schedule.nextReviewAt).toBe('2026-07-01T01:00:00.000Z');
  });

  it('starts the counters at zero and records one audit event with seq 1', () => {
    expect(state.counters).toEqual({ escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 1 });
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0]).toMatchObject({
      itemId: 'item-1',
      seq: 1,
      at: iso(NOW),
      actor: LEADER,
      action: 'itemCreated',
      details: { problems: 2, tasks: 2 },
    });
  });

  it('does not share arrays with the input', () => {
    const input = itemInput();
    const s = createItemState(input, LEADER, NOW, CAL).state;
    input.tasks[0]!.problemIds.push('p2');
    input.tasks[0]!.coOwners!.push('unit-z');
    expect(s.tasks[0]!.problemIds).toEqual(['p1']);
    expect(s.tasks[0]!.coOwners).toEqual(['unit-c']);
  });

  it('merges a partial policy over the defaults', () => {
    const s = createItemState(
      itemInput({ policy: { timezone: 'Europe/Berlin', warningLead: 'PT12H' } }),
      LEADER,
      NOW, CAL
    ).state;
    expect(s.policy).toEqual({ ...DEFAULT_POLICY, timezone: 'Europe/Berlin', warningLead: 'PT12H' });
    // Wed 2026-03-04 03:00 Berlin → Mon 2026-03-09 09:00 CET = 08:00Z
    expect(s.schedule.nextDispatchAt).toBe('2026-03-09T08:00:00.000Z');
  });

  it('accepts a task addressing several problems, and a deadline 1 ms ahead', () => {
    const s = createItemState(
      itemInput({ tasks: [taskInput('t1', { problemIds: ['p1', 'p2'], deadline: { kind: 'instant', at: iso(NOW + 1) } })] }),
      LEADER,
      NOW, CAL
    ).state;
    expect(s.tasks[0]!.problemIds).toEqual(['p1', 'p2']);
    expect(s.tasks[0]!.deadline.dueAt).toBe(iso(NOW + 1));
  });
});

describe('createItemState: refusals', () => {
  const cases: Array<[string, (i: ItemInput) => void]> = [
    ['no problems', (i) => void (i.problems = [])],
    ['no tasks', (i) => void (i.tasks = [])],
    ['a duplicate problem id', (i) => void i.problems.push(problemInput('p1'))],
    ['a duplicate task id', (i) => void i.tasks.push(taskInput('t1'))],
    ['a task addressing an unknown problem', (i) => void (i.tasks[1]!.problemIds = ['p2', 'p9'])],
    ['a task addressing no problem', (i) => void (i.tasks[1]!.problemIds = [])],
    ['a problem without a task', (i) => void i.problems.push(problemInput('p3'))],
    ['a deadline in the past', (i) => void (i.tasks[0]!.deadline = { kind: 'instant', at: iso(NOW - DAY) })],
    ['a deadline exactly now', (i) => void (i.tasks[0]!.deadline = { kind: 'instant', at: iso(NOW) })],
    ['a deadline without an offset', (i) => void (i.tasks[0]!.deadline = { kind: 'instant', at: '2026-04-01T18:00:00' })],
    ['zero working days', (i) => void (i.tasks[0]!.deadline = { kind: 'workingDays', days: 0 })],
    ['a bad timezone', (i) => void (i.policy = { timezone: 'Mars/Olympus' })],
    [
      'a ladder with non-ascending offsets',
      (i) =>
        void (i.policy = {
          escalationLadder: [
            { after: 'P3D', level: 1, notify: ['ownerUnit'] },
            { after: 'P1D', level: 2, notify: ['unitLeader'] },
          ],
        }),
    ],
    ['a ladder offset in months (P1M)', (i) => void (i.policy = { escalationLadder: [{ after: 'P1M', level: 1, notify: ['ownerUnit'] }] })],
    ['a bad supervision level', (i) => void (i.supervisionLevel = 'national' as never)],
    ['a bad severity', (i) => void (i.problems[0]!.severity = 'extreme' as never)],
    ['an empty title', (i) => void (i.title = '  ')],
    ['an empty item id', (i) => void (i.id = '')],
    ['a task without an owner unit', (i) => void (i.tasks[0]!.ownerUnit = '')],
    ['a task without an owner person', (i) => void (i.tasks[0]!.ownerPerson = '')],
  ];

  it.each(cases)('refuses %s with VALIDATION_FAILED', (_name, spoil) => {
    const input = itemInput();
    spoil(input);
    expect(codeOf(() => createItemState(input, LEADER, NOW, CAL))).toBe('VALIDATION_FAILED');
  });

  it('names what is wrong', () => {
    const unknown = itemInput();
    unknown.tasks[1]!.problemIds = ['p9'];
    expect(() => createItemState(unknown, LEADER, NOW, CAL)).toThrow(/unknown problem 'p9'/);

    const uncovered = itemInput();
    uncovered.problems.push(problemInput('p3'));
    expect(() => createItemState(uncovered, LEADER, NOW, CAL)).toThrow(/problem 'p3' has no task/);

    const dup = itemInput();
    dup.tasks.push(taskInput('t2'));
    expect(() => createItemState(dup, LEADER, NOW, CAL)).toThrow(/duplicate task id 't2'/);

    const past = itemInput();
    past.tasks[1]!.deadline = { kind: 'instant', at: iso(NOW - HOUR) };
    expect(() => createItemState(past, LEADER, NOW, CAL)).toThrow(/tasks\.1\.deadline .* is not in the future/);
  });
});
