import { itemSummary, searchAttributeValues, snapshotOf } from '../../domain/item-views';
import { advanceClock } from '../../domain/timeline';
import type { ItemState } from '../../domain/types';
import {
  apply,
  applyAll,
  createdItem,
  DAY,
  HOUR,
  iso,
  LEADER,
  NOW,
  OWNER_A,
  OWNER_B,
  T1_DUE,
  T2_DUE,
  task,
} from './item-builders';

const evidence = ['report.pdf'];

describe('itemSummary', () => {
  it('sums up a completed item: late acceptances against the original deadline, reworks, escalations, extensions, rounds', () => {
    // t2 (due 18 March) misses its deadline and is escalated; t1 is extended, sent back once, then accepted in time for the new deadline
    let s: ItemState = applyAll(createdItem(), [
      [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: '2026-05-01T18:00:00+08:00' }, reason: 'r' }],
      [LEADER, { type: 'decideExtension', taskId: 't1', approve: true }],
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'again' }],
    ]);
    const april = Date.parse('2026-04-10T02:00:00Z');
    s = advanceClock(s, april).state;
    s = applyAll(s, [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
      [OWNER_B, { type: 'submitTask', taskId: 't2', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't2' }],
    ], april + HOUR);
    expect(s.status).toBe('completed');
    expect(itemSummary(s)).toEqual({
      itemId: 'item-1',
      status: 'completed',
      endedAt: iso(april + 4 * HOUR),
      createdAt: iso(NOW),
      problems: 2,
      tasks: 2,
      acceptedTasks: 2,
      cancelledTasks: 0,
      // t1 accepted on 10 April, after its original 1 April deadline (extended to 1 May): late for scoring
      acceptedLate: 2,
      reworks: 1,
      escalations: 3, // t2's whole ladder; t1's deadline moved before its ladder began
      maxEscalationLevel: 3,
      extensionsApproved: 1,
      pauses: 0,
      pausedWorkingDays: 0,
      dispatches: 1, // one round: the clock was advanced once over five weeks
      reviews: 1,
    });
  });

  it('sums up a cancelled item: its open tasks end with it', () => {
    const s = applyAll(createdItem(), [
      [LEADER, { type: 'cancelTask', taskId: 't1', reason: 'x' }],
      [LEADER, { type: 'cancelItem', reason: 'superseded' }],
    ]);
    expect(itemSummary(s)).toMatchObject({
      status: 'cancelled',
      endedAt: iso(NOW + 2 * HOUR),
      acceptedTasks: 0,
      cancelledTasks: 2,
      acceptedLate: 0,
    });
  });
});

describe('searchAttributeValues', () => {
  it('reflects the open tasks of a fresh item', () => {
    expect(searchAttributeValues(createdItem(), NOW)).toEqual({
      status: 'active',
      ownerUnits: ['unit-a', 'unit-b'],
      nextDeadline: iso(T2_DUE),
      overdueCount: 0,
      escalationLevel: 0,
      planId: 'plan-2026',
      supervisionLevel: 'city',
    });
  });

  it('counts overdue tasks and the highest escalation among open tasks only', () => {
    const clocked = advanceClock(createdItem(), T2_DUE + 4 * DAY).state; // t2: rungs 1 and 2
    expect(searchAttributeValues(clocked, T2_DUE + 4 * DAY)).toMatchObject({ overdueCount: 1, escalationLevel: 2 });
    // once t2 is accepted, neither its unit, its deadline nor its escalation counts
    const done = applyAll(clocked, [
      [OWNER_B, { type: 'submitTask', taskId: 't2', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't2' }],
    ], T2_DUE + 4 * DAY);
    expect(searchAttributeValues(done, T2_DUE + 5 * DAY)).toMatchObject({
      ownerUnits: ['unit-a'],
      nextDeadline: iso(T1_DUE),
      overdueCount: 0,
      escalationLevel: 0,
    });
  });

  it('lists a unit once; once nothing is open, the units that did the work; failing that, every unit', () => {
    const shared = apply(createdItem(), LEADER, { type: 'reassignTask', taskId: 't2', ownerUnit: 'unit-a', ownerPerson: 'owner-a' }).state;
    expect(searchAttributeValues(shared, NOW).ownerUnits).toEqual(['unit-a']);
    const cancelled = applyAll(createdItem(), [[LEADER, { type: 'cancelItem', reason: 'x' }]]);
    expect(searchAttributeValues(cancelled, NOW)).toMatchObject({ status: 'cancelled', ownerUnits: ['unit-a', 'unit-b'], nextDeadline: undefined });
    // t1 accepted, t2 cancelled: unit-a rectified the item
    const done = applyAll(createdItem(), [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
      [LEADER, { type: 'cancelTask', taskId: 't2', reason: 'x' }],
    ]);
    expect(searchAttributeValues(done, NOW)).toMatchObject({ status: 'completed', ownerUnits: ['unit-a'], nextDeadline: undefined, overdueCount: 0 });
    const closed = applyAll(createdItem(), [
      [LEADER, { type: 'cancelTask', taskId: 't1', reason: 'x' }],
      [LEADER, { type: 'cancelTask', taskId: 't2', reason: 'x' }],
    ]);
    expect(searchAttributeValues(closed, NOW)).toMatchObject({ status: 'completed', ownerUnits: ['unit-a', 'unit-b'], nextDeadline: undefined });
  });

  it('the current escalation level drops after an approved extension (the figures keep the highest)', () => {
    const clocked = advanceClock(createdItem(), T2_DUE + 4 * DAY).state;
    const extended = applyAll(clocked, [
      [OWNER_B, { type: 'requestExtension', taskId: 't2', newDeadline: { kind: 'instant', at: '2026-05-01T18:00:00+08:00' }, reason: 'r' }],
      [LEADER, { type: 'decideExtension', taskId: 't2', approve: true }],
    ], T2_DUE + 4 * DAY);
    expect(searchAttributeValues(extended, T2_DUE + 5 * DAY)).toMatchObject({ overdueCount: 0, escalationLevel: 0 });
    expect(task(extended, 't2')).toMatchObject({ escalationLevel: 0, maxEscalationLevel: 2 });
  });
});

describe('snapshotOf', () => {
  it('leaves out the calendar and the remembered requests, and nothing else', () => {
    const s = apply(createdItem(), OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'x', percent: 1 }).state;
    const snap = snapshotOf(s);
    expect(snap).not.toHaveProperty('calendar');
    expect(snap).not.toHaveProperty('appliedRequests');
    const { calendar: _c, appliedRequests: _a, ...rest } = s;
    expect(snap).toEqual(rest);
  });
});
