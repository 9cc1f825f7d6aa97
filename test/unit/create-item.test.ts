import { createItemState } from '../../domain/create-item';
import { LEGACY_DEFAULT_POLICY } from '../../domain/policy';
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
  const { state, records } = createItemState(itemInput(), LEADER, NOW, CAL);
  const { auditEvents } = records;

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
      { id: 'p1', severity: 'high', status: 'open' },
      { id: 'p2', severity: 'medium', status: 'open' },
    ]);
  });

  it('keeps the text out of the state and hands it over as records', () => {
    expect(records.problemTexts).toEqual([
      { problemId: 'p1', description: 'problem p1' },
      { problemId: 'p2', description: 'problem p2' },
    ]);
    expect(records.taskTexts).toEqual([
      { taskId: 't1', description: 'task t1', measures: 'visit every household', deadlineBasis: 'fixed instant' },
      { taskId: 't2', description: 'task t2', deadlineBasis: expect.stringMatching(/^10 working days from 2026-03-04/) },
    ]);
    const json = JSON.stringify(state);
    for (const text of ['problem p1', 'task t1', 'visit every household', 'working days']) expect(json).not.toContain(text);
    expect(records.notifications).toEqual([]);
    expect(records.escalations).toEqual([]);
  });

  it('fills the default policy (items without office rules: the one they started with)', () => {
    expect(state.policy).toEqual(LEGACY_DEFAULT_POLICY);
  });

  it('resolves a fixed deadline to a UTC instant and keeps the spec', () => {
    const t1 = state.tasks[0]!;
    expect(t1.deadline).toEqual({
      dueAt: iso(T1_DUE),
      spec: { kind: 'instant', at: '2026-04-01T18:00:00+08:00' },
      resolvedAt: iso(NOW),
    });
    expect(t1.originalDueAt).toBe(iso(T1_DUE));
  });

  it('resolves a working-day deadline to the end of the Nth working day, local time', () => {
    const t2 = state.tasks[1]!;
    expect(t2.deadline.dueAt).toBe(iso(T2_DUE)); // Wed 2026-03-18 23:59:59 +08:00
    expect(t2.deadline.spec).toEqual({ kind: 'workingDays', days: 10 });
    expect(records.taskTexts[1]!.deadlineBasis).toMatch(/^10 working days from 2026-03-04 \(Asia\/Shanghai\)/);
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
        extensionsApproved: 0,
        extensionsDenied: 0,
        escalationLevel: 0,
        maxEscalationLevel: 0,
        stale: false,
      });
      expect(t.pendingExtension).toBeUndefined();
      expect(t.submittedAt).toBeUndefined();
      expect(t.alarms).toEqual({ dueAt: t.deadline.dueAt, warned: false, overdue: false, rungsFired: 0 });
    }
    expect(state.tasks[0]).toMatchObject({ ownerUnit: 'unit-a', ownerPerson: 'owner-a', coOwners: ['unit-c'] });
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
      details: { problems: 2, tasks: 2, policy: LEGACY_DEFAULT_POLICY },
    });
    // about the item as a whole, not about one unit: an owner's record shows only what concerns their unit
    expect(auditEvents[0]!.units).toEqual([]);
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
    expect(s.policy).toEqual({ ...LEGACY_DEFAULT_POLICY, timezone: 'Europe/Berlin', warningLead: 'PT12H' });
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
    // ids: a fixed alphabet, at most 64 characters
    ['an item id with a slash', (i) => void (i.id = 'a/b')],
    ['an item id starting with a dot', (i) => void (i.id = '.hidden')],
    ['an item id of 65 characters', (i) => void (i.id = 'x'.repeat(65))],
    ['a task id with a space', (i) => void (i.tasks[0]!.id = 't 1')],
    ['a problem id with a non-ASCII letter', (i) => void (i.problems[0]!.id = 'pé')],
    ['a plan id with a slash', (i) => void (i.planId = 'plan/1')],
    // the text rule
    ['a title with a newline', (i) => void (i.title = 'two\nlines')],
    ['a title with a NUL', (i) => void (i.title = 'Roads\u0000')],
    ['a description with a lone surrogate', (i) => void (i.problems[0]!.description = 'cut \uD83D')],
    ['a description with a low surrogate alone', (i) => void (i.tasks[0]!.description = '\uDE00 first')],
    ['measures with a control character', (i) => void (i.tasks[0]!.measures = 'bell \u0007')],
    ['a co-owner unit with a tab', (i) => void (i.tasks[0]!.coOwners = ['unit\tc'])],
    ['a policy string with a NUL', (i) => void (i.policy = { timezone: 'Asia/Shanghai\u0000' })],
    ['a leader id with a space', (i) => void (i.leader = { id: 'leader 1', name: 'x' })],
    // lengths and counts
    ['a description of 2001 characters', (i) => void (i.problems[0]!.description = 'x'.repeat(2001))],
    ['a title of 201 characters', (i) => void (i.title = 'x'.repeat(201))],
    ['six co-owner units', (i) => void (i.tasks[0]!.coOwners = ['a', 'b', 'c', 'd', 'e', 'f'])],
    ['a task naming eleven problems', (i) => void (i.tasks[0]!.problemIds = Array.from({ length: 11 }, (_, k) => `p${k}`))],
    // instants must lie in [2000, 2100)
    ['a deadline in the year 2100', (i) => void (i.tasks[0]!.deadline = { kind: 'instant', at: '2100-01-01T00:00:00Z' })],
    ['a deadline in the year 9999', (i) => void (i.tasks[0]!.deadline = { kind: 'instant', at: '9999-12-31T23:59:59Z' })],
    // the policy: 1..10 rungs, at most a year
    ['an empty ladder', (i) => void (i.policy = { escalationLadder: [] })],
    ['eleven rungs', (i) => void (i.policy = {
      escalationLadder: Array.from({ length: 11 }, (_, k) => ({ after: `P${k}D`, level: 1, notify: ['ownerUnit' as const] })),
    })],
    ['a warning lead over a year', (i) => void (i.policy = { warningLead: 'P367D' })],
  ];

  it.each(cases)('refuses %s with VALIDATION_FAILED', (_name, spoil) => {
    const input = itemInput();
    spoil(input);
    expect(codeOf(() => createItemState(input, LEADER, NOW, CAL))).toBe('VALIDATION_FAILED');
  });

  it('refuses an item of more than 300 problems or 500 tasks with VALIDATION_FAILED', () => {
    const many = itemInput();
    many.problems = Array.from({ length: 301 }, (_, k) => problemInput(`p${k}`));
    many.tasks = [taskInput('t1', { problemIds: ['p0'] })];
    expect(codeOf(() => createItemState(many, LEADER, NOW, CAL))).toBe('VALIDATION_FAILED');
    const tasks = itemInput({ problems: [problemInput('p1')] });
    tasks.tasks = Array.from({ length: 501 }, (_, k) => taskInput(`t${k}`));
    expect(codeOf(() => createItemState(tasks, LEADER, NOW, CAL))).toBe('VALIDATION_FAILED');
  });

  it('accepts the edges of the rules: a 64-character id, . _ : - in ids, a deadline in 2099, equal rung levels, ten rungs', () => {
    const input = itemInput({
      id: `a${'b'.repeat(62)}z`,
      policy: { escalationLadder: Array.from({ length: 10 }, (_, k) => ({ after: `P${k}D`, level: k < 5 ? 1 : 2, notify: ['ownerUnit' as const] })) },
    });
    input.tasks[0]!.id = 'T1.a_b:c-d';
    input.tasks[0]!.deadline = { kind: 'instant', at: '2099-12-31T23:59:59Z' };
    const s = createItemState(input, LEADER, NOW, CAL).state;
    expect(s.id).toHaveLength(64);
    expect(s.tasks[0]).toMatchObject({ id: 'T1.a_b:c-d', originalDueAt: '2099-12-31T23:59:59.000Z' });
    expect(s.policy.escalationLadder).toHaveLength(10);
  });

  it('replays an item accepted before these limits existed when told to (enforceLimits: false)', () => {
    const old = itemInput({ id: 'legacy/item', title: 'two\nlines' });
    expect(codeOf(() => createItemState(old, LEADER, NOW, CAL))).toBe('VALIDATION_FAILED');
    const { state } = createItemState(old, LEADER, NOW, CAL, { enforceLimits: false });
    expect(state).toMatchObject({ id: 'legacy/item', title: 'two\nlines', status: 'active' });
    // the business rules still hold
    const uncovered = itemInput();
    uncovered.problems.push(problemInput('p3'));
    expect(codeOf(() => createItemState(uncovered, LEADER, NOW, CAL, { enforceLimits: false }))).toBe('VALIDATION_FAILED');
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
