import {
  buildDispatchLines,
  buildDispatchRecord,
  buildReviewRecord,
  completionRateChange,
  reviewFigures,
  riskRating,
} from '../../domain/records';
import type { ItemState, ReviewFigures, TaskState } from '../../domain/types';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 2, 1, 0); // Mon 2026-03-02 09:00 Shanghai
const iso = (ms: number) => new Date(ms).toISOString();

function task(id: string, over: Partial<TaskState> = {}, dueMs = NOW + 10 * DAY): TaskState {
  const dueAt = iso(dueMs);
  return {
    id,
    problemIds: ['p1'],
    ownerUnit: 'unit-a',
    ownerPerson: 'owner-a',
    coOwners: [],
    status: 'inProgress',
    assignedAt: iso(NOW - 20 * DAY),
    deadline: { dueAt, spec: { kind: 'instant', at: dueAt }, resolvedAt: iso(NOW - 20 * DAY) },
    originalDueAt: dueAt,
    percent: 40,
    reportCount: 0,
    reworkCount: 0,
    extensionsApproved: 0,
    extensionsDenied: 0,
    alarms: { dueAt, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: 0,
    maxEscalationLevel: 0,
    stale: false,
    ...over,
  };
}

function item(tasks: TaskState[], over: Partial<ItemState> = {}): ItemState {
  return {
    id: 'item-1',
    title: 'rectify',
    supervisionLevel: 'city',
    leader: { id: 'l1', name: 'Leader' },
    calendar: { source: 'none', years: [], holidays: {}, workdays: {} },
    policy: {
      timezone: 'Asia/Shanghai',
      weeklyDispatch: { weekday: 1, time: '09:00' },
      monthlyReview: { day: 1, time: '09:00' },
      warningLead: 'P3D',
      escalationLadder: [],
    },
    status: 'active',
    createdAt: iso(NOW - 30 * DAY),
    createdBy: 'l1',
    updatedAt: iso(NOW - DAY),
    problems: [
      { id: 'p1', severity: 'high', status: 'open' },
      { id: 'p2', severity: 'low', status: 'closed', closedAt: iso(NOW - DAY) },
    ],
    tasks,
    schedule: { nextDispatchAt: iso(NOW), nextReviewAt: iso(NOW), dispatchCount: 0, reviewCount: 0 },
    counters: { escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 1 },
    appliedRequests: [],
    ...over,
  };
}

describe('buildDispatchLines', () => {
  const lastDispatch = NOW - 7 * DAY;
  const state = item([
    task('fresh', { lastProgressAt: iso(lastDispatch + 1), coOwners: ['unit-c', 'unit-d'], ownerPerson: 'owner-f' }),
    task('same-instant', { lastProgressAt: iso(lastDispatch) }),
    task('silent'),
    task('done', { status: 'accepted' }),
    task('dropped', { status: 'cancelled' }),
    task('late', { lastProgressAt: iso(NOW - DAY) }, NOW - 2 * DAY),
    task('near', { lastProgressAt: iso(NOW - DAY) }, NOW + 2 * DAY),
  ]);
  const lines = buildDispatchLines(state, NOW, lastDispatch);
  const line = (id: string) => lines.find((l) => l.taskId === id);

  it('has one line per open task only', () => {
    expect(lines.map((l) => l.taskId)).toEqual(['fresh', 'same-instant', 'silent', 'late', 'near']);
  });
  it('marks stale when nothing was reported after the last dispatch', () => {
    expect(line('fresh')).toMatchObject({ stale: false, light: 'green', lastProgressAt: iso(lastDispatch + 1) });
    expect(line('same-instant')).toMatchObject({ stale: true, light: 'yellow' });
    expect(line('silent')).toMatchObject({ stale: true, light: 'yellow' });
    expect(line('silent')).not.toHaveProperty('lastProgressAt');
  });
  it('names the owner, the co-owner units and the person, and carries no text', () => {
    expect(line('fresh')).toEqual({
      taskId: 'fresh', ownerUnit: 'unit-a', coOwners: ['unit-c', 'unit-d'], ownerPerson: 'owner-f', status: 'inProgress',
      percent: 40, lastProgressAt: iso(lastDispatch + 1), dueAt: iso(NOW + 10 * DAY), msToDeadline: 10 * DAY, light: 'green', stale: false,
    });
    expect(line('silent')!.coOwners).toEqual([]);
  });
  it('colours by deadline and gives signed time to it', () => {
    expect(line('late')).toMatchObject({ light: 'red', msToDeadline: -2 * DAY, stale: false });
    expect(line('near')).toMatchObject({ light: 'yellow', msToDeadline: 2 * DAY, stale: false });
    expect(line('fresh')?.msToDeadline).toBe(10 * DAY);
  });
  it('without a previous dispatch judges the last week, and spares tasks younger than a week', () => {
    const assigned = NOW - 10 * DAY;
    const s = item([
      task('reported-this-week', { assignedAt: iso(assigned), lastProgressAt: iso(NOW - 2 * DAY) }),
      task('reported-before', { assignedAt: iso(assigned), lastProgressAt: iso(NOW - 7 * DAY) }),
      task('never', { assignedAt: iso(assigned) }),
      task('new', { assignedAt: iso(NOW - 2 * DAY) }),
    ]);
    expect(buildDispatchLines(s, NOW, undefined).map((l) => l.stale)).toEqual([false, true, true, false]);
  });

  it('spares a task assigned after the previous dispatch', () => {
    const s = item([task('added', { assignedAt: iso(NOW - DAY) })]);
    expect(buildDispatchLines(s, NOW, NOW - 7 * DAY)[0]!.stale).toBe(false);
  });
  it('does not change the state it reads', () => {
    expect(state.tasks.every((t) => t.stale === false)).toBe(true);
  });
  it('buildDispatchRecord counts open, stale and overdue lines', () => {
    expect(buildDispatchRecord(state, 4, NOW, lastDispatch)).toMatchObject({
      itemId: 'item-1',
      seq: 4,
      at: iso(NOW),
      openTasks: 5,
      staleTasks: 2,
      overdueTasks: 1,
    });
  });
});

describe('reviewFigures', () => {
  it('counts tasks, completion, overdue, problems and the period counters', () => {
    const s = item(
      [
        task('a', { status: 'accepted' }),
        task('b', { status: 'accepted' }),
        task('c', { status: 'cancelled' }),
        task('d'),
        task('e', {}, NOW), // due exactly now: overdue
      ],
      { counters: { escalations: 5, reworks: 3, escalationsSinceReview: 0, reworksSinceReview: 2, auditSeq: 9 } },
    );
    expect(reviewFigures(s, NOW)).toEqual({
      totalTasks: 5,
      acceptedTasks: 2,
      cancelledTasks: 1,
      completionRate: 0.5,
      openProblems: 1,
      overdueCount: 1,
      escalationsThisPeriod: 0,
      reworksThisPeriod: 2,
      risk: 'high', // 1 of 2 open tasks overdue ≥ 30 %
    });
  });
  it('treats nothing left to do as complete', () => {
    expect(reviewFigures(item([]), NOW).completionRate).toBe(1);
    expect(reviewFigures(item([task('x', { status: 'cancelled' })]), NOW).completionRate).toBe(1);
  });
});

describe('riskRating', () => {
  const base = {
    totalTasks: 10,
    acceptedTasks: 0,
    cancelledTasks: 0,
    completionRate: 0,
    openProblems: 3,
    overdueCount: 0,
    escalationsThisPeriod: 0,
    reworksThisPeriod: 0,
  };
  it.each([
    [{}, 'low'],
    [{ reworksThisPeriod: 1 }, 'medium'],
    [{ escalationsThisPeriod: 1 }, 'medium'],
    [{ overdueCount: 2 }, 'medium'], // 2 of 10 open = 20 %
    [{ overdueCount: 3 }, 'high'], // exactly 30 %
    [{ overdueCount: 1, escalationsThisPeriod: 1 }, 'high'],
    [{ overdueCount: 1, acceptedTasks: 6, cancelledTasks: 1 }, 'high'], // 1 of 3 open
  ])('%j → %s', (over, expected) => expect(riskRating({ ...base, ...over })).toBe(expected));
});

describe('completionRateChange', () => {
  const f = (completionRate: number) => ({ completionRate }) as ReviewFigures;
  it('is undefined at the first review', () => expect(completionRateChange(f(0.5))).toBeUndefined());
  it.each([
    [0.6, 0.5, 10],
    [0.5, 0.6, -10],
    [1 / 3, 0, 33.3],
    [2 / 3, 0, 66.7],
    [0, 2 / 3, -66.7],
    [0.75, 0.75, 0],
  ])('%d after %d → %d points', (cur, prev, expected) => {
    const change = completionRateChange(f(cur), f(prev));
    expect(change).toBe(expected);
    expect(Object.is(change, -0)).toBe(false);
  });
});

describe('buildReviewRecord', () => {
  it('reviews the previous local month and compares with the previous figures', () => {
    const reviewAt = Date.UTC(2026, 0, 31, 17); // 1 Feb 01:00 Shanghai
    const s = item([task('a', { status: 'accepted' }), task('b')]);
    const prev = reviewFigures(item([task('a'), task('b')]), reviewAt);
    const r = buildReviewRecord(s, 2, reviewAt, prev);
    expect(r).toMatchObject({ itemId: 'item-1', seq: 2, period: '2026-01', previous: prev, completionRateChange: 50 });
    expect(buildReviewRecord(s, 1, reviewAt)).not.toHaveProperty('completionRateChange');
  });
});
