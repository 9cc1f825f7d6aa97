/**
 * The office rules of an item's clock, on China's 2026 statutory calendar:
 * rungs and warnings in working days, rounds moved off holidays, no stale week
 * without working days, a submission that stops the owner's clock, clock
 * pauses, the follow-up watch and the item's outcome.
 */
import { applyCalendarUpdate } from '../../domain/calendar-update';
import type { Command } from '../../domain/commands';
import { createItemState } from '../../domain/create-item';
import { headerOf } from '../../domain/item-changes';
import { itemSummary } from '../../domain/item-views';
import { withOfficeRules } from '../../domain/policy';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import { advanceClock, nextWakeAt, pendingEvents } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { Actor, ItemInput, ItemState, PolicyInput } from '../../domain/types';
import { codeOf, envelope, LEADER, OWNER_A, OWNER_B } from './item-builders';

/** an instant from Shanghai wall time */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const shIso = (local: string) => new Date(sh(local)).toISOString();

function officeItem(createdAt: string, due: string, policy: PolicyInput = {}, over: Partial<ItemInput> = {}): ItemState {
  const input: ItemInput = {
    id: 'office-1', title: 'Office time', supervisionLevel: 'county', leader: { id: LEADER.id, name: LEADER.name },
    problems: [{ id: 'p1', description: 'a problem', severity: 'high' }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'a task', ownerUnit: 'unit-a', ownerPerson: 'a', deadline: { kind: 'instant', at: `${due}+08:00` } }],
    policy: withOfficeRules(policy),
    ...over,
  };
  // what the API gives a new item: the package's data from last year on, with the fixed-date holidays of years without a notice
  return createItemState(input, LEADER, sh(createdAt), calendarForNewItem(sh(createdAt))).state;
}

/** The clock as the workflow runs it: woken at each event's own instant, up to `until`. */
function runUntil(state: ItemState, until: string): { state: ItemState; records: ReturnType<typeof advanceClock>['records'] } {
  let s = state;
  const records = advanceClock(s, 0).records;
  for (let at = nextWakeAt(s); at !== undefined && at <= sh(until); at = nextWakeAt(s)) {
    const out = advanceClock(s, at);
    s = out.state;
    for (const key of Object.keys(records) as Array<keyof typeof records>) (records[key] as unknown[]).push(...(out.records[key] as unknown[]));
  }
  return { state: s, records };
}

function act(state: ItemState, actor: Actor, command: Command, at: string): ItemState {
  return applyCommand(state, envelope(actor, command), sh(at)).state;
}

const taskEvents = (state: ItemState) => pendingEvents(state).filter((e) => e.taskId === 't1').map((e) => [e.kind, new Date(e.at).toISOString()]);

describe('rungs and warnings in working days', () => {
  it('rung 2 comes 3 working days after a Friday deadline, at 09:00 on Wednesday, never on the weekend', () => {
    const s = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59');
    expect(taskEvents(s)).toEqual([
      ['warning', shIso('2026-03-03T09:00:00')], // 3 working days before Fri 6: Thu 5, Wed 4, Tue 3
      ['overdue', shIso('2026-03-06T23:59:59')],
      ['rung', shIso('2026-03-06T23:59:59')], // rung 1 at the deadline
    ]);
    const after = advanceClock(s, sh('2026-03-07T00:00:00')).state;
    expect(taskEvents(after)).toEqual([['rung', shIso('2026-03-11T09:00:00')]]);
  });

  it('rung 3, which reaches the supervision office, does not land in Spring Festival', () => {
    const s = advanceClock(officeItem('2026-02-02T10:00:00', '2026-02-12T23:59:59'), sh('2026-02-13T00:00:00')).state;
    // rung 2: Fri 13 (1), Sat 14 make-up (2), 15–23 holidays, Tue 24 (3)
    expect(taskEvents(s)).toEqual([['rung', shIso('2026-02-24T09:00:00')]]);
    const third = advanceClock(s, sh('2026-02-24T09:00:00')).state;
    // rung 3: 5 working days after the deadline → Thu 26 Feb, with the office told
    expect(taskEvents(third)).toEqual([['rung', shIso('2026-02-26T09:00:00')]]);
    const { records } = advanceClock(third, sh('2026-02-26T09:00:00'));
    expect(records.escalations).toEqual([expect.objectContaining({ rung: 3, level: 3, notify: ['itemLeader', 'supervisionOffice'], firedAt: shIso('2026-02-26T09:00:00') })]);
  });
});

describe('rounds on working days', () => {
  it('a Monday dispatch in National Day week moves to Thursday 8 October, and the next is Monday again', () => {
    const s = officeItem('2026-09-28T10:00:00', '2026-12-31T18:00:00');
    expect(s.schedule.nextDispatchAt).toBe(shIso('2026-10-08T09:00:00'));
    const after = advanceClock(s, sh('2026-10-08T09:00:00')).state;
    expect(after.schedule.dispatchCount).toBe(1);
    expect(after.schedule.nextDispatchAt).toBe(shIso('2026-10-12T09:00:00'));
  });

  it('the review of 1 October moves to 8 October and still reviews September', () => {
    const s = officeItem('2026-09-28T10:00:00', '2026-12-31T18:00:00');
    expect(s.schedule.nextReviewAt).toBe(shIso('2026-10-08T09:00:00'));
    const { records } = advanceClock(s, sh('2026-10-08T09:00:00'));
    expect(records.reviews).toEqual([expect.objectContaining({ period: '2026-09', at: shIso('2026-10-08T09:00:00') })]);
  });

  it('with the rule off, rounds keep their slots', () => {
    const s = officeItem('2026-09-28T10:00:00', '2026-12-31T18:00:00', { office: { roundsOnWorkingDays: false } });
    expect(s.schedule.nextDispatchAt).toBe(shIso('2026-10-05T09:00:00'));
  });
});

describe('stale weeks', () => {
  it('a week of Spring Festival is no week without progress; a working week after it is', () => {
    // rounds kept on their slots so a dispatch falls inside the holiday
    const s0 = officeItem('2026-02-02T10:00:00', '2026-06-30T18:00:00', { office: { roundsOnWorkingDays: false } });
    const feb16 = advanceClock(advanceClock(s0, sh('2026-02-09T09:00:00')).state, sh('2026-02-16T09:00:00'));
    // 9–13 Feb and the make-up Saturday: six working days, nothing reported
    expect(feb16.records.dispatches[0]!.lines[0]!.stale).toBe(true);
    const feb23 = advanceClock(feb16.state, sh('2026-02-23T09:00:00'));
    // 16–22 Feb: all holidays
    expect(feb23.records.dispatches[0]!.lines[0]!.stale).toBe(false);
    expect(feb23.records.notifications.filter((n) => n.kind === 'chase')).toEqual([]);
  });
});

describe('a submission stops the owner\'s clock', () => {
  const submittedOnTime = () => act(officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59'), OWNER_A,
    { type: 'submitTask', taskId: 't1', evidence: ['report.pdf'] }, '2026-03-05T15:00:00');

  it('no deadline alarm, no rung: the leader is reminded after 3 working days, then escalated to with the office after 5', () => {
    const s = submittedOnTime();
    expect(taskEvents(s)).toEqual([['reviewReminder', shIso('2026-03-10T09:00:00')]]);
    const { state, records } = runUntil(s, '2026-03-20T09:00:00');
    expect(records.escalations).toEqual([]);
    expect(records.notifications.filter((n) => n.kind === 'overdue')).toEqual([]);
    const reminders = records.notifications.filter((n) => n.kind === 'reviewReminder');
    expect(reminders.map((n) => [n.recipientRole, n.firedAt])).toEqual([
      ['itemLeader', shIso('2026-03-10T09:00:00')],
      ['itemLeader', shIso('2026-03-12T09:00:00')],
      ['supervisionOffice', shIso('2026-03-12T09:00:00')],
    ]);
    expect(state.tasks[0]!.escalationLevel).toBe(0);
    expect(headerOf(state, sh('2026-03-20T09:00:00')).figures).toMatchObject({ light: 'green', overdueTasks: 0 });
  });

  it('lateness is scored on the submission: accepted two weeks after the deadline, it is not late', () => {
    const s = act(advanceClock(submittedOnTime(), sh('2026-03-20T09:00:00')).state, LEADER, { type: 'acceptTask', taskId: 't1' }, '2026-03-20T10:00:00');
    expect(s.status).toBe('completed');
    expect(itemSummary(s)).toMatchObject({ acceptedLate: 0, escalations: 0 });
  });

  it('a send-back gives back the working days the leader took: submitted Wed 4 Mar, sent back Wed 11 Mar, due moves from Fri 6 to Fri 13', () => {
    const s0 = act(officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59'), OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['r.pdf'] }, '2026-03-04T10:00:00');
    const s = act(s0, LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'incomplete' }, '2026-03-11T10:00:00');
    const t = s.tasks[0]!;
    expect(t.deadline.dueAt).toBe(shIso('2026-03-13T23:59:59'));
    expect(t.originalDueAt).toBe(shIso('2026-03-13T23:59:59'));
    expect(t.deadline.shiftedDays).toBe(5);
    expect(t.alarms).toMatchObject({ dueAt: shIso('2026-03-13T23:59:59'), overdue: false });
    // 3 working days before Fri 13 is Tue 10, already gone: the warning comes at once
    expect(taskEvents(s)[0]).toEqual(['warning', shIso('2026-03-10T09:00:00')]);
  });

  it('items without office rules keep counting: a submitted task still goes red and escalates', () => {
    const s0 = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59');
    const { office: _o, ...legacyPolicy } = s0.policy;
    const legacy = act({ ...s0, policy: legacyPolicy }, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['r.pdf'] }, '2026-03-05T15:00:00');
    const { records } = advanceClock(legacy, sh('2026-03-20T09:00:00'));
    expect(records.escalations.length).toBeGreaterThan(0);
  });
});

describe('clock pause (中止计时)', () => {
  const paused = () => act(officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59'), LEADER,
    { type: 'pauseTask', taskId: 't1', reason: 'waiting for the province\'s ruling' }, '2026-03-02T15:00:00');

  it('nothing comes while paused, and the light stays as it was', () => {
    const s = paused();
    expect(taskEvents(s)).toEqual([]);
    const { state, records } = advanceClock(s, sh('2026-03-20T09:00:00'));
    expect(records.escalations).toEqual([]);
    expect(records.notifications.filter((n) => n.taskId === 't1' && n.kind !== 'chase')).toEqual([]);
    expect(headerOf(state, sh('2026-03-20T09:00:00')).figures.light).not.toBe('red');
  });

  it('resuming moves the deadline by the working days paused (Mon 2 → Mon 9 March: 5), and counts the pause', () => {
    const s = act(paused(), LEADER, { type: 'resumeTask', taskId: 't1', note: 'ruling received' }, '2026-03-09T10:00:00');
    const t = s.tasks[0]!;
    expect(t.pausedAt).toBeUndefined();
    expect(t.deadline.dueAt).toBe(shIso('2026-03-13T23:59:59'));
    expect(t).toMatchObject({ pauses: 1, pausedWorkingDays: 5 });
    expect(itemSummary({ ...s, status: 'completed' })).toMatchObject({ pauses: 1, pausedWorkingDays: 5 });
  });

  it('refuses a second pause, a resume of a running clock, an owner pausing, and a pause of submitted work', () => {
    expect(codeOf(() => act(paused(), LEADER, { type: 'pauseTask', taskId: 't1', reason: 'again' }, '2026-03-03T10:00:00'))).toBe('INVALID_TRANSITION');
    const s = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59');
    expect(codeOf(() => act(s, LEADER, { type: 'resumeTask', taskId: 't1' }, '2026-03-03T10:00:00'))).toBe('INVALID_TRANSITION');
    expect(codeOf(() => act(s, OWNER_A, { type: 'pauseTask', taskId: 't1', reason: 'x' }, '2026-03-03T10:00:00'))).toBe('FORBIDDEN');
    const sub = act(s, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['r.pdf'] }, '2026-03-03T10:00:00');
    expect(codeOf(() => act(sub, LEADER, { type: 'pauseTask', taskId: 't1', reason: 'x' }, '2026-03-03T11:00:00'))).toBe('INVALID_TRANSITION');
  });

  it('work handed in during a pause resumes the clock first', () => {
    const s = act(paused(), OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['r.pdf'] }, '2026-03-04T10:00:00');
    expect(s.tasks[0]).toMatchObject({ status: 'submitted', pausedWorkingDays: 2 });
    expect(s.tasks[0]!.pausedAt).toBeUndefined();
  });
});

describe('follow-up watch (回头看)', () => {
  const watched = () => {
    const s = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59', { office: { followUp: { after: { workingDays: 10 } } } });
    const sub = act(s, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['r.pdf'] }, '2026-03-05T10:00:00');
    return act(sub, LEADER, { type: 'acceptTask', taskId: 't1' }, '2026-03-05T16:00:00');
  };

  it('every task accepted, the item stays active and the leader is asked to check 10 working days later', () => {
    const s = watched();
    expect(s.status).toBe('active');
    expect(s.followUp).toEqual({ since: shIso('2026-03-05T16:00:00'), dueAt: shIso('2026-03-19T09:00:00'), notified: false });
    const { state, records } = advanceClock(s, sh('2026-03-19T09:00:00'));
    expect(records.notifications.filter((n) => n.kind === 'followUpDue').map((n) => n.recipientRole)).toEqual(['itemLeader']);
    expect(state.followUp!.notified).toBe(true);
    const done = act(state, LEADER, { type: 'confirmFollowUp', note: 'no recurrence found on site' }, '2026-03-20T10:00:00');
    expect(done.status).toBe('completed');
    expect(done.followUp).toBeUndefined();
  });

  it('a problem that came back opens again with new tasks, and the watch starts over once they are done', () => {
    const s = act(watched(), LEADER, {
      type: 'reopenProblem', problemId: 'p1', reason: 'the potholes are back',
      tasks: [{ id: 't2', problemIds: ['p1'], description: 'repair again', ownerUnit: 'unit-b', ownerPerson: 'b', deadline: { kind: 'workingDays', days: 5 } }],
    }, '2026-03-10T10:00:00');
    expect(s.problems[0]!.status).toBe('open');
    expect(s.followUp).toBeUndefined();
    expect(s.tasks.map((t) => [t.id, t.status])).toEqual([['t1', 'accepted'], ['t2', 'assigned']]);
    const sub = act(s, OWNER_B, { type: 'submitTask', taskId: 't2', evidence: ['r2.pdf'] }, '2026-03-11T10:00:00');
    const again = act(sub, LEADER, { type: 'acceptTask', taskId: 't2' }, '2026-03-12T10:00:00');
    expect(again.followUp?.since).toBe(shIso('2026-03-12T10:00:00'));
  });

  it('refuses to confirm an item that is not waiting, and to reopen an open problem or without a task for it', () => {
    const s = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59', { office: { followUp: { after: 'P7D' } } });
    expect(codeOf(() => act(s, LEADER, { type: 'confirmFollowUp' }, '2026-03-03T10:00:00'))).toBe('INVALID_TRANSITION');
    const task = { id: 't9', problemIds: ['p1'], description: 'd', ownerUnit: 'unit-a', ownerPerson: 'a', deadline: { kind: 'workingDays' as const, days: 3 } };
    expect(codeOf(() => act(s, LEADER, { type: 'reopenProblem', problemId: 'p1', reason: 'r', tasks: [task] }, '2026-03-03T10:00:00'))).toBe('INVALID_TRANSITION');
    expect(codeOf(() => act(watched(), LEADER, { type: 'reopenProblem', problemId: 'p1', reason: 'r', tasks: [] }, '2026-03-10T10:00:00'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => act(watched(), LEADER, { type: 'reopenProblem', problemId: 'p9', reason: 'r', tasks: [task] }, '2026-03-10T10:00:00'))).toBe('NOT_FOUND');
  });
});

describe('a calendar update reaching a running item', () => {
  /** a 2027 calendar fixture shaped like a State Council notice (the 2027 notice is not in the package's data) */
  const notice2027 = (version: number) => calendarForNewItem(sh('2026-12-01T10:00:00'), undefined, [{
    year: 2027, version, source: 'fixture notice 2027',
    holidays: Object.fromEntries(['2027-01-01', ...Array.from({ length: 9 }, (_, i) => `2027-02-${String(5 + i).padStart(2, '0')}`)].map((d) => [d, 'Spring Festival,春节'])),
    workdays: { '2027-02-14': 'Spring Festival,春节' },
  }]);
  const running = () => officeItem('2026-12-01T10:00:00', '2026-12-31T18:00:00', {}, {
    tasks: [
      { id: 't1', problemIds: ['p1'], description: 'long', ownerUnit: 'unit-a', ownerPerson: 'a', deadline: { kind: 'workingDays', days: 50 } },
      { id: 't2', problemIds: ['p1'], description: 'short', ownerUnit: 'unit-a', ownerPerson: 'a', deadline: { kind: 'workingDays', days: 3 } },
    ],
  });

  it('before the notice, the deadline is provisional (only 1 January is known in 2027)', () => {
    const t1 = running().tasks[0]!;
    expect(t1.deadline.provisional).toBe(true);
    // 2 Dec … 31 Dec: 22 working days; 2027 without 1 Jan: 4–29 Jan 20 (42), 1–10 Feb (50)
    expect(t1.deadline.dueAt).toBe(shIso('2027-02-10T23:59:59'));
  });

  it('the notice recounts a working-day deadline not yet passed (Spring Festival skipped), and leaves a passed one', () => {
    const s = advanceClock(running(), sh('2026-12-10T00:00:00')).state; // t2 (due 4 Dec) has passed
    const { state, records, applied } = applyCalendarUpdate(s, notice2027(1), sh('2026-12-10T10:00:00'));
    expect(applied).toBe(true);
    const [t1, t2] = state.tasks;
    // …42 on 29 Jan; 1–4 Feb (46), 5–13 Feb holidays, Sun 14 make-up (47), 15–17 Feb (50)
    expect(t1!.deadline.dueAt).toBe(shIso('2027-02-17T23:59:59'));
    expect(t1!.deadline.provisional).toBeUndefined();
    expect(t1!.originalDueAt).toBe(t1!.deadline.dueAt);
    expect(t2!.deadline.dueAt).toBe(s.tasks[1]!.deadline.dueAt);
    expect(state.calendar.version).toBe(1);
    expect(records.auditEvents).toEqual([expect.objectContaining({
      action: 'calendarUpdated', details: expect.objectContaining({ version: 1, moved: [{ taskId: 't1', from: shIso('2027-02-10T23:59:59'), to: shIso('2027-02-17T23:59:59') }] }),
    })]);
    expect(records.taskTexts.find((t) => t.taskId === 't1')?.deadlineBasis).toMatch(/calendar v1/);
    expect(records.notifications.map((n) => [n.kind, n.taskId, n.newDueAt])).toEqual([['deadlineMoved', 't1', shIso('2027-02-17T23:59:59')]]);
  });

  it('the same version twice, or an older one, changes nothing', () => {
    const once = applyCalendarUpdate(running(), notice2027(2), sh('2026-12-02T10:00:00')).state;
    expect(applyCalendarUpdate(once, notice2027(2), sh('2026-12-03T10:00:00')).applied).toBe(false);
    expect(applyCalendarUpdate(once, notice2027(1), sh('2026-12-03T10:00:00')).applied).toBe(false);
  });

  it('a malformed calendar is ignored', () => {
    expect(applyCalendarUpdate(running(), { source: 'x', version: 9, years: [2027], holidays: { nope: 'x' }, workdays: {} }, sh('2026-12-02T10:00:00')).applied).toBe(false);
  });
});

describe('escalation history', () => {
  it('an approved extension resets the ladder, not the record: maxEscalationLevel and the outcome keep level 2', () => {
    const s0 = advanceClock(officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59'), sh('2026-03-11T09:00:00')).state;
    expect(s0.tasks[0]).toMatchObject({ escalationLevel: 2, maxEscalationLevel: 2 });
    const asked = act(s0, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'workingDays', days: 10 }, reason: 'materials late' }, '2026-03-11T10:00:00');
    const s = act(asked, LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, '2026-03-11T11:00:00');
    expect(s.tasks[0]).toMatchObject({ escalationLevel: 0, maxEscalationLevel: 2 });
    expect(headerOf(s, sh('2026-03-11T11:00:00')).figures).toMatchObject({ escalationLevel: 0, maxEscalationLevel: 2 });
  });
});

test('the outcome is on the item header once it has ended, not before', () => {
  const s = officeItem('2026-03-02T10:00:00', '2026-03-06T23:59:59');
  expect(headerOf(s, sh('2026-03-03T10:00:00')).outcome).toBeUndefined();
  const ended = act(s, LEADER, { type: 'cancelItem', reason: 'merged into another item' }, '2026-03-03T10:00:00');
  expect(headerOf(ended, sh('2026-03-03T10:00:00')).outcome).toMatchObject({ status: 'cancelled', cancelledTasks: 1, acceptedLate: 0 });
});
