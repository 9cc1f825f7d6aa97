import type { Command, CommandEnvelope } from '../../domain/commands';
import { resolveDeadline } from '../../domain/deadline';
import { emptyRecords, RECORD_KINDS, type ItemRecords } from '../../domain/item-records';
import { LIMITS } from '../../domain/limits';
import { advanceClock } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { AuditEvent, DeadlineSpec, ItemState, Notification } from '../../domain/types';
import {
  ADMIN,
  apply,
  applyAll,
  codeOf,
  createdItem,
  DAY,
  envelope,
  expectRefused,
  HOUR,
  iso,
  LEADER,
  NOW,
  OWNER_A,
  OWNER_B,
  OWNER_C,
  problem,
  problemInput,
  snapshot,
  submitted,
  SUPERVISOR,
  T1_DUE,
  T2_DUE,
  task,
  taskInput,
} from './item-builders';
import { statutoryCalendar } from '../../domain/statutory-calendar';

const CAL = statutoryCalendar();

const AT = NOW + HOUR;
const evidence = ['rectification-report.pdf', 'site-photo.jpg'];
const LATER = '2026-05-01T18:00:00+08:00'; // later than t1's 2026-04-01 18:00

function accepted(state: ItemState, taskId = 't1', owner = OWNER_A): ItemState {
  return applyAll(submitted(state, taskId, owner), [[LEADER, { type: 'acceptTask', taskId }]], AT + HOUR);
}

/** The kinds of records that are not empty, e.g. ['auditEvents', 'notifications']. */
function kindsOf(records: ItemRecords): string[] {
  return RECORD_KINDS.filter((k) => records[k].length > 0);
}

/** No text is kept in the task's state: it travels in the records. */
const TEXT_FIELDS = ['description', 'measures', 'lastReport', 'submission', 'extensions', 'acceptedBy', 'cancelReason'];
function expectNoText(state: ItemState): void {
  for (const t of state.tasks) {
    for (const field of TEXT_FIELDS) expect(t).not.toHaveProperty(field);
    expect(t.deadline).not.toHaveProperty('basis');
  }
  for (const p of state.problems) expect(p).not.toHaveProperty('description');
  expect(state).not.toHaveProperty('cancelReason');
}

describe('applyCommand: owner commands', () => {
  it('reportProgress moves the task in progress and records the report', () => {
    const before = createdItem();
    const copy = snapshot(before);
    const env = envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'half the villages visited', percent: 40, evidence: ['e1'] });
    const out = applyCommand(before, env, AT);

    expect(out.result).toEqual({ itemId: 'item-1', version: 2, status: 'active', duplicate: false, task: task(out.state, 't1') });
    expect(task(out.state, 't1')).toMatchObject({
      status: 'inProgress',
      percent: 40,
      lastProgressAt: iso(AT),
      reportCount: 1,
    });
    expect(task(out.state, 't2')).toEqual(task(before, 't2'));
    expect(out.state.updatedAt).toBe(iso(AT));
    expect(out.state.appliedRequests).toEqual([{ id: env.requestId, fingerprint: '' }]);
    expect(out.state.counters.auditSeq).toBe(2);
    // the report's text is on record, in its audit event, never in the state
    expect(out.records.auditEvents).toEqual([
      {
        itemId: 'item-1',
        seq: 2,
        at: iso(AT),
        actor: OWNER_A,
        action: 'progressReported',
        requestId: env.requestId,
        taskId: 't1',
        units: ['unit-a', 'unit-c'],
        details: { percent: 40, text: 'half the villages visited', evidence: ['e1'] },
      },
    ]);
    expect(kindsOf(out.records)).toEqual(['auditEvents']);
    expect(JSON.stringify(out.state)).not.toContain('half the villages visited');
    expectNoText(out.state);
    // the input state is a value: untouched
    expect(before).toStrictEqual(copy);
  });

  it('reportProgress counts reports, defaults evidence to none and clears a stale mark', () => {
    const stale = snapshot(createdItem());
    task(stale, 't1').stale = true;
    const s1 = apply(stale, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'started', percent: 10 }).state;
    const s2 = apply(s1, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'going', percent: 30 }, AT + HOUR).state;
    expect(task(s1, 't1').stale).toBe(false);
    const first = apply(stale, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'started', percent: 10 });
    expect(first.records.auditEvents[0]!.details).toEqual({ percent: 10, text: 'started', evidence: [] });
    expect(task(s2, 't1')).toMatchObject({ reportCount: 2, percent: 30, lastProgressAt: iso(AT + HOUR) });
  });

  it('a co-owner unit may report on a 双包保 task, in its own name', () => {
    const out = apply(createdItem(), OWNER_C, { type: 'reportProgress', taskId: 't1', text: 'township team visited', percent: 20 });
    expect(task(out.state, 't1')).toMatchObject({ status: 'inProgress', percent: 20, reportCount: 1 });
    expect(out.records.auditEvents[0]).toMatchObject({ actor: OWNER_C, details: { text: 'township team visited' } });
  });

  it.each([-1, 101, 12.5, Number.NaN])('reportProgress refuses percent %p with VALIDATION_FAILED', (percent) => {
    expectRefused(createdItem(), OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'x', percent }, 'VALIDATION_FAILED');
  });

  it('reportProgress refuses an empty text, and any report on a submitted task', () => {
    expectRefused(createdItem(), OWNER_A, { type: 'reportProgress', taskId: 't1', text: ' ', percent: 5 }, 'VALIDATION_FAILED');
    expectRefused(submitted(createdItem()), OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'more', percent: 5 }, 'INVALID_TRANSITION', AT + DAY);
  });

  it('submitTask puts the task up for acceptance with its evidence and tells the item leader', () => {
    const env = envelope(OWNER_A, { type: 'submitTask', taskId: 't1', evidence, note: 'all done' });
    const out = applyCommand(createdItem(), env, AT);
    expect(task(out.state, 't1')).toMatchObject({
      status: 'submitted',
      percent: 100,
      submittedAt: iso(AT),
      lastProgressAt: iso(AT),
    });
    expectNoText(out.state);
    expect(out.records.auditEvents.map((e) => [e.action, e.actor.id, e.details])).toEqual([
      ['taskSubmitted', 'owner-a', { evidence, note: 'all done' }],
    ]);
    expect(out.records.notifications).toEqual([
      {
        key: 'item-1|t1|submitted|2|itemLeader|leader-1',
        itemId: 'item-1',
        taskId: 't1',
        kind: 'submitted',
        recipientRole: 'itemLeader',
        recipient: 'leader-1',
        units: ['unit-a', 'unit-c'],
        reason: 'task t1 submitted for acceptance',
        level: undefined,
        firedAt: iso(AT),
        dueAt: iso(T1_DUE),
      },
    ]);
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['an empty string', ['']],
    ['a non-string', [42]],
    ['nothing', undefined],
  ])('submitTask without evidence (%s) is refused with VALIDATION_FAILED', (_name, ev) => {
    expectRefused(createdItem(), OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ev as string[] }, 'VALIDATION_FAILED');
  });

  it('submitting twice is refused with INVALID_TRANSITION', () => {
    expectRefused(submitted(createdItem()), OWNER_A, { type: 'submitTask', taskId: 't1', evidence }, 'INVALID_TRANSITION', AT + DAY);
  });

  it('requestExtension records a pending request, leaves the deadline alone and tells the leader', () => {
    const env = envelope(OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'floods' });
    const out = applyCommand(createdItem(), env, AT);
    const t1 = task(out.state, 't1');
    expect(t1.pendingExtension).toEqual({
      requestedAt: iso(AT), newDeadline: { kind: 'instant', at: LATER }, proposedDueAt: '2026-05-01T10:00:00.000Z',
    });
    expect(t1).toMatchObject({ extensionsApproved: 0, extensionsDenied: 0 });
    expect(t1.deadline.dueAt).toBe(iso(T1_DUE));
    expect(t1.alarms.dueAt).toBe(iso(T1_DUE));
    // the reason is text: on record, not in the state
    expect(JSON.stringify(out.state)).not.toContain('floods');
    expect(out.records.auditEvents[0]).toMatchObject({
      action: 'extensionRequested',
      details: { newDeadline: { kind: 'instant', at: LATER }, proposedDueAt: '2026-05-01T10:00:00.000Z', reason: 'floods' },
    });
    expect(out.records.notifications.map((n) => [n.kind, n.recipientRole, n.recipient])).toEqual([['extensionRequested', 'itemLeader', 'leader-1']]);
    expect(out.records.notifications[0]!.reason).toMatch(/floods/);
  });

  it('requestExtension is allowed while the task is submitted (before acceptance)', () => {
    const out = apply(submitted(createdItem()), OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'audit pending' }, AT + DAY);
    expect(task(out.state, 't1')).toMatchObject({ status: 'submitted', pendingExtension: { requestedAt: iso(AT + DAY) } });
  });

  it('requestExtension refusals', () => {
    const s = createdItem();
    const ask = (at: string, reason = 'why'): Command => ({ type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at }, reason });
    // an earlier date, or the same date
    expectRefused(s, OWNER_A, ask('2026-03-20T18:00:00+08:00'), 'VALIDATION_FAILED');
    expectRefused(s, OWNER_A, ask('2026-04-01T18:00:00+08:00'), 'VALIDATION_FAILED');
    // no reason; a malformed date
    expectRefused(s, OWNER_A, ask(LATER, ''), 'VALIDATION_FAILED');
    expectRefused(s, OWNER_A, ask('2026-05-01'), 'VALIDATION_FAILED');
    // a second pending request
    const pending = apply(s, OWNER_A, ask(LATER)).state;
    expectRefused(pending, OWNER_A, ask('2026-06-01T18:00:00+08:00'), 'INVALID_TRANSITION', AT + HOUR);
    // after acceptance (p2 keeps the item active)
    expectRefused(accepted(s), OWNER_A, ask(LATER), 'INVALID_TRANSITION', AT + DAY);
  });

  it('requestExtension refuses a new deadline that has already passed, even if later than the missed one', () => {
    // t2 was due 2026-03-18; on 2026-03-25 its owner asks for 2026-03-20: later than the old
    // deadline but already gone, so a leader could never approve it (decideExtension refuses a past deadline)
    const overdue = advanceClock(createdItem(), Date.parse('2026-03-25T02:00:00Z')).state;
    expectRefused(
      overdue,
      OWNER_B,
      { type: 'requestExtension', taskId: 't2', newDeadline: { kind: 'instant', at: '2026-03-20T18:00:00+08:00' }, reason: 'late' },
      'VALIDATION_FAILED',
      Date.parse('2026-03-25T03:00:00Z'),
    );
  });
});

describe('applyCommand: leader commands', () => {
  it('acceptTask strikes the task off, closes its problem and tells the owner unit; the item stays active while p2 is open', () => {
    const s = submitted(createdItem());
    const copy = snapshot(s);
    const out = apply(s, LEADER, { type: 'acceptTask', taskId: 't1', note: 'verified on site' }, AT + DAY);
    expect(task(out.state, 't1')).toMatchObject({ status: 'accepted', acceptedAt: iso(AT + DAY), stale: false });
    expect(problem(out.state, 'p1')).toEqual({ id: 'p1', severity: 'high', status: 'closed', closedAt: iso(AT + DAY) });
    expect(problem(out.state, 'p2').status).toBe('open');
    expect(out.state.status).toBe('active');
    expect(out.state.completedAt).toBeUndefined();
    // who accepted is the audit event's actor
    expect(out.records.auditEvents).toHaveLength(1);
    expect(out.records.auditEvents[0]).toMatchObject({ action: 'taskAccepted', actor: LEADER, units: ['unit-a', 'unit-c'] });
    expect(out.records.auditEvents[0]!.details).toEqual({ note: 'verified on site', late: false });
    expect(out.records.notifications.map((n) => [n.kind, n.recipientRole, n.recipient])).toEqual([['accepted', 'ownerUnit', 'unit-a']]);
    expectNoText(out.state);
    expect(s).toStrictEqual(copy);
  });

  it('accepting the last open task completes the item', () => {
    const s = accepted(createdItem());
    const out = apply(submitted(s, 't2', OWNER_B), LEADER, { type: 'acceptTask', taskId: 't2' }, AT + 2 * DAY);
    expect(out.state.problems.map((p) => p.status)).toEqual(['closed', 'closed']);
    expect(out.state.status).toBe('completed');
    expect(out.state.completedAt).toBe(iso(AT + 2 * DAY));
  });

  it('acceptance after the original deadline is recorded as late', () => {
    const late = T1_DUE + DAY;
    const s = applyAll(createdItem(), [[OWNER_A, { type: 'submitTask', taskId: 't1', evidence }]], late);
    const out = apply(s, LEADER, { type: 'acceptTask', taskId: 't1' }, late + HOUR);
    expect(out.records.auditEvents[0]!.details).toEqual({ late: true });
  });

  it('acceptance closes a pending extension request, without counting it as decided', () => {
    const s = applyAll(createdItem(), [
      [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'rain' }],
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
    ]);
    expect(task(s, 't1').pendingExtension).toBeDefined();
    const out = apply(s, LEADER, { type: 'acceptTask', taskId: 't1' }, AT + DAY);
    const t1 = task(out.state, 't1');
    expect(t1.pendingExtension).toBeUndefined();
    expect(t1).toMatchObject({ status: 'accepted', extensionsApproved: 0, extensionsDenied: 0 });
    expect(t1.deadline.dueAt).toBe(iso(T1_DUE));
    expect(out.records.auditEvents[0]!.details).toEqual({ late: false, closedPendingExtension: true });
  });

  it('sendBackTask returns the task to work, counts the rework and tells the owner unit', () => {
    const s = submitted(createdItem());
    const out = apply(s, LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'photos missing' }, AT + DAY);
    const t1 = task(out.state, 't1');
    expect(task(s, 't1').submittedAt).toBe(iso(AT));
    expect(t1.status).toBe('inProgress');
    expect(t1.reworkCount).toBe(1);
    expect(t1.submittedAt).toBeUndefined();
    expect(out.state.counters).toMatchObject({ reworks: 1, reworksSinceReview: 1 });
    expect(out.records.auditEvents[0]).toMatchObject({ action: 'taskSentBack', details: { reason: 'photos missing', reworkCount: 1 } });
    expect(out.records.notifications.map((n) => [n.kind, n.recipient])).toEqual([['sentBack', 'unit-a']]);

    // a second round: submit again, send back again
    const again = applyAll(out.state, [
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'still missing' }],
    ], AT + 2 * DAY);
    expect(task(again, 't1').reworkCount).toBe(2);
    expect(again.counters).toMatchObject({ reworks: 2, reworksSinceReview: 2 });
  });

  it('sendBackTask refusals: a task not submitted; no reason', () => {
    expectRefused(createdItem(), LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'no' }, 'INVALID_TRANSITION');
    expectRefused(submitted(createdItem()), LEADER, { type: 'sendBackTask', taskId: 't1', reason: '' }, 'VALIDATION_FAILED', AT + DAY);
  });

  describe('decideExtension', () => {
    // t1 is 4 days past its deadline: warned, overdue, rungs 1 (PT0S) and 2 (P3D) fired
    const decideAt = T1_DUE + 4 * DAY;
    function overdueWithRequest(newDeadline: DeadlineSpec = { kind: 'instant', at: LATER }) {
      const clocked = advanceClock(createdItem(), decideAt - HOUR).state;
      return apply(clocked, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline, reason: 'floods' }, decideAt - HOUR).state;
    }

    it('the precondition: the ladder has fired against the old deadline', () => {
      const t1 = task(overdueWithRequest(), 't1');
      expect(t1.alarms).toEqual({ dueAt: iso(T1_DUE), warned: true, overdue: true, rungsFired: 2 });
      expect(t1).toMatchObject({ escalationLevel: 2, maxEscalationLevel: 2 });
      expect(t1.pendingExtension).toMatchObject({ requestedAt: iso(decideAt - HOUR), proposedDueAt: '2026-05-01T10:00:00.000Z' });
    });

    it('approval moves the deadline, re-arms the alarms, resets the escalation level and keeps the original deadline', () => {
      const s = overdueWithRequest();
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: true, note: 'justified' }, decideAt);
      const t1 = task(out.state, 't1');
      const newDue = '2026-05-01T10:00:00.000Z';
      expect(t1.deadline).toEqual({ dueAt: newDue, spec: { kind: 'instant', at: LATER }, resolvedAt: iso(decideAt) });
      expect(t1.originalDueAt).toBe(iso(T1_DUE));
      expect(t1.alarms).toEqual({ dueAt: newDue, warned: false, overdue: false, rungsFired: 0 });
      // the ladder starts again; the highest level reached stays known
      expect(t1).toMatchObject({ escalationLevel: 0, maxEscalationLevel: 2, extensionsApproved: 1, extensionsDenied: 0 });
      expect(t1.pendingExtension).toBeUndefined();
      // how the new deadline was computed goes to the read side as the task's text
      expect(out.records.taskTexts).toEqual([{ taskId: 't1', deadlineBasis: 'fixed instant' }]);
      // what already happened stays counted
      expect(out.state.counters.escalations).toBe(s.counters.escalations);
      expect(out.records.auditEvents[0]).toMatchObject({ action: 'extensionApproved', actor: LEADER });
      expect(out.records.auditEvents[0]!.details).toEqual({
        note: 'justified', requestedAt: iso(decideAt - HOUR), newDeadline: { kind: 'instant', at: LATER }, dueAt: newDue,
      });
      expect(out.records.notifications.map((n) => [n.kind, n.recipient, n.dueAt])).toEqual([['extensionDecided', 'unit-a', newDue]]);
    });

    it('approval of a working-day request counts from the decision, not the request', () => {
      const s = overdueWithRequest({ kind: 'workingDays', days: 5 });
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, decideAt);
      const { basis, ...expected } = resolveDeadline({ kind: 'workingDays', days: 5 }, decideAt, 'Asia/Shanghai', CAL);
      expect(task(out.state, 't1').deadline).toEqual(expected);
      expect(out.records.taskTexts).toEqual([{ taskId: 't1', deadlineBasis: basis }]);
      expect(basis).toMatch(/5 working days/);
      // 2026-04-05 (Sun, Qingming) → 5 working days after the Qingming holiday on 4 to 6 April
      expect(expected.dueAt).toBe('2026-04-13T15:59:59.000Z');
    });

    it('denial leaves the deadline and alarms alone and allows a new request', () => {
      const s = overdueWithRequest();
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: false, note: 'no' }, decideAt);
      const t1 = task(out.state, 't1');
      expect(t1).toMatchObject({ extensionsApproved: 0, extensionsDenied: 1, escalationLevel: 2, maxEscalationLevel: 2 });
      expect(t1.pendingExtension).toBeUndefined();
      expect(t1.deadline).toEqual(task(s, 't1').deadline);
      expect(t1.alarms).toEqual(task(s, 't1').alarms);
      expect(out.records.taskTexts).toEqual([]);
      expect(out.records.auditEvents[0]).toMatchObject({ action: 'extensionDenied', actor: LEADER });
      expect(out.records.auditEvents[0]!.details).toEqual({
        note: 'no', requestedAt: iso(decideAt - HOUR), newDeadline: { kind: 'instant', at: LATER }, dueAt: iso(T1_DUE),
      });
      const again = apply(out.state, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'please' }, decideAt + HOUR);
      expect(task(again.state, 't1')).toMatchObject({ extensionsDenied: 1, pendingExtension: { requestedAt: iso(decideAt + HOUR) } });
    });

    it('a second approved extension counts too; the highest level ever reached survives both', () => {
      const first = apply(overdueWithRequest(), LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, decideAt).state;
      // miss the new deadline by a day: rung 1 fires again (level 1)
      const newDue = Date.parse('2026-05-01T10:00:00.000Z');
      const missed = advanceClock(first, newDue + DAY).state;
      expect(task(missed, 't1')).toMatchObject({ escalationLevel: 1, maxEscalationLevel: 2 });
      const s = applyAll(missed, [
        [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: '2026-06-01T18:00:00+08:00' }, reason: 'again' }],
        [LEADER, { type: 'decideExtension', taskId: 't1', approve: true }],
      ], newDue + DAY + HOUR);
      expect(task(s, 't1')).toMatchObject({ extensionsApproved: 2, escalationLevel: 0, maxEscalationLevel: 2, originalDueAt: iso(T1_DUE) });
    });

    it('refusals: none pending; approve not a boolean; an approved deadline already past', () => {
      expectRefused(createdItem(), LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, 'INVALID_TRANSITION');
      const s = overdueWithRequest();
      expectRefused(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: 'yes' as never }, 'VALIDATION_FAILED', decideAt);
      // decided after the requested date went by
      expectRefused(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, 'VALIDATION_FAILED', Date.parse('2026-05-02T00:00:00Z'));
    });
  });

  it('reassignTask hands the task to another unit, which alone may then act on it', () => {
    const out = apply(createdItem(), LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [] });
    const t1 = task(out.state, 't1');
    expect(t1).toMatchObject({ ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [] });
    expect(out.records.auditEvents[0]).toMatchObject({
      action: 'taskReassigned',
      details: {
        from: { ownerUnit: 'unit-a', ownerPerson: 'owner-a', coOwners: ['unit-c'] },
        to: { ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [] },
      },
    });
    // the event is about both sides: the units handing over keep it in their record
    expect([...out.records.auditEvents[0]!.units].sort()).toEqual(['unit-a', 'unit-b', 'unit-c']);
    // the notification is about the task as it is now
    expect(out.records.notifications.map((n) => [n.kind, n.recipient, n.units])).toEqual([['reassigned', 'unit-b', ['unit-b']]]);
    const report: Command = { type: 'reportProgress', taskId: 't1', text: 'x', percent: 1 };
    // the units that handed it over have no task left in the item: to them it is not there
    expectRefused(out.state, OWNER_A, report, 'NOT_FOUND', AT + HOUR);
    expectRefused(out.state, OWNER_C, report, 'NOT_FOUND', AT + HOUR);
    expect(() => apply(out.state, OWNER_B, report, AT + HOUR)).not.toThrow();
  });

  it('reassignTask without coOwners keeps the co-owners; without an owner unit it is refused', () => {
    const out = apply(createdItem(), LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit-d', ownerPerson: 'owner-d' });
    expect(task(out.state, 't1').coOwners).toEqual(['unit-c']);
    expectRefused(createdItem(), LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: '', ownerPerson: 'x' }, 'VALIDATION_FAILED');
  });

  it('addProblem adds an open problem; the item cannot complete until it has a task', () => {
    const out = apply(createdItem(), LEADER, { type: 'addProblem', problem: problemInput('p3', { severity: 'critical' }) });
    expect(problem(out.state, 'p3')).toEqual({ id: 'p3', severity: 'critical', status: 'open' });
    expect(out.result.problem).toEqual(problem(out.state, 'p3'));
    expect(out.records.problemTexts).toEqual([{ problemId: 'p3', description: 'problem p3' }]);
    expect(out.records.auditEvents[0]).toMatchObject({
      action: 'problemAdded', taskId: undefined, units: [],
      details: { problem: { id: 'p3', severity: 'critical', status: 'open', description: 'problem p3' } },
    });
    // accept both original tasks: p3 (no task yet) keeps the item active
    let s = accepted(out.state);
    s = accepted(s, 't2', OWNER_B);
    expect(s.problems.map((p) => [p.id, p.status])).toEqual([['p1', 'closed'], ['p2', 'closed'], ['p3', 'open']]);
    expect(s.status).toBe('active');
  });

  it('addTask assigns a task now with a resolved deadline', () => {
    const addAt = NOW + 2 * DAY;
    const out = apply(createdItem(), LEADER, { type: 'addTask', task: taskInput('t3', { problemIds: ['p2'], ownerUnit: 'unit-b', measures: 'fix it', deadline: { kind: 'workingDays', days: 3 } }) }, addAt);
    const t3 = task(out.state, 't3');
    expect(t3).toMatchObject({
      status: 'assigned', assignedAt: iso(addAt), ownerUnit: 'unit-b', problemIds: ['p2'],
      extensionsApproved: 0, extensionsDenied: 0, escalationLevel: 0, maxEscalationLevel: 0,
    });
    expect(out.result.task).toEqual(t3);
    // Fri 2026-03-06 → Mon 9, Tue 10, Wed 11 March, end of day in Shanghai
    expect(t3.deadline.dueAt).toBe('2026-03-11T15:59:59.000Z');
    expect(t3.alarms).toEqual({ dueAt: t3.deadline.dueAt, warned: false, overdue: false, rungsFired: 0 });
    expectNoText(out.state);
    expect(out.records.taskTexts).toEqual([
      { taskId: 't3', description: 'task t3', measures: 'fix it', deadlineBasis: expect.stringMatching(/^3 working days from 2026-03-06/) },
    ]);
    expect(out.records.auditEvents[0]).toMatchObject({
      action: 'taskAdded', taskId: 't3', units: ['unit-b'],
      details: { ownerUnit: 'unit-b', dueAt: t3.deadline.dueAt, basis: out.records.taskTexts[0]!.deadlineBasis },
    });
  });

  it('addTask on a closed problem reopens it', () => {
    const s = accepted(createdItem());
    expect(problem(s, 'p1').status).toBe('closed');
    const out = apply(s, LEADER, { type: 'addTask', task: taskInput('t3') }, AT + DAY);
    expect(problem(out.state, 'p1')).toEqual({ id: 'p1', severity: 'high', status: 'open' });
    expect(out.state.status).toBe('active');
  });

  it('addProblem / addTask refusals', () => {
    const s = createdItem();
    expectRefused(s, LEADER, { type: 'addProblem', problem: problemInput('p1') }, 'ALREADY_EXISTS');
    expectRefused(s, LEADER, { type: 'addProblem', problem: problemInput('p3', { severity: 'huge' as never }) }, 'VALIDATION_FAILED');
    expectRefused(s, LEADER, { type: 'addTask', task: taskInput('t2') }, 'ALREADY_EXISTS');
    expectRefused(s, LEADER, { type: 'addTask', task: taskInput('t3', { problemIds: ['p9'] }) }, 'VALIDATION_FAILED');
    expectRefused(s, LEADER, { type: 'addTask', task: taskInput('t3', { deadline: { kind: 'instant', at: iso(NOW) } }) }, 'VALIDATION_FAILED');
  });

  it('cancelTask closes a problem whose only task it was; cancelling every task ends the item', () => {
    const out = apply(createdItem(), LEADER, { type: 'cancelTask', taskId: 't1', reason: 'duplicate of another item' });
    expect(task(out.state, 't1')).toMatchObject({ status: 'cancelled', cancelledAt: iso(AT), stale: false });
    expectNoText(out.state);
    expect(out.records.auditEvents.map((e) => [e.action, e.taskId, e.details])).toEqual([
      ['taskCancelled', 't1', { reason: 'duplicate of another item' }],
    ]);
    expect(problem(out.state, 'p1')).toMatchObject({ status: 'closed', closedAt: iso(AT) });
    expect(out.state.status).toBe('active');
    expect(out.records.notifications).toEqual([]);
    const end = apply(out.state, LEADER, { type: 'cancelTask', taskId: 't2', reason: 'merged' }, AT + HOUR).state;
    expect(end.status).toBe('completed');
  });

  it('cancelTask keeps a problem open while another of its tasks is open', () => {
    const s = apply(createdItem(), LEADER, { type: 'addTask', task: taskInput('t3') }).state;
    const out = apply(s, LEADER, { type: 'cancelTask', taskId: 't1', reason: 'replaced by t3' }, AT + HOUR);
    expect(problem(out.state, 'p1').status).toBe('open');
  });

  it('cancelItem cancels the item, and nothing more is accepted', () => {
    const out = apply(createdItem(), LEADER, { type: 'cancelItem', reason: 'superseded by the provincial plan' });
    expect(out.state).toMatchObject({ status: 'cancelled', cancelledAt: iso(AT) });
    expect(out.result).toMatchObject({ status: 'cancelled', duplicate: false, version: 2 });
    expect(out.state.tasks.map((t) => [t.id, t.status, t.cancelledAt])).toEqual([['t1', 'cancelled', iso(AT)], ['t2', 'cancelled', iso(AT)]]);
    expect(out.state.completedAt).toBeUndefined();
    expectNoText(out.state);
    expect(out.records.auditEvents).toHaveLength(1);
    expect(out.records.auditEvents[0]).toMatchObject({ action: 'itemCancelled', actor: LEADER, units: [], details: { reason: 'superseded by the provincial plan' } });
    expectRefused(createdItem(), LEADER, { type: 'cancelItem', reason: ' ' }, 'VALIDATION_FAILED');
  });

  it('an admin may issue owner and leader commands alike', () => {
    const s = applyAll(createdItem(), [
      [ADMIN, { type: 'submitTask', taskId: 't1', evidence }],
      [ADMIN, { type: 'acceptTask', taskId: 't1' }],
    ]);
    expect(task(s, 't1').status).toBe('accepted');
  });
});

describe('applyCommand: refusals leave the state exactly as it was', () => {
  const report: Command = { type: 'reportProgress', taskId: 't1', text: 'x', percent: 5 };

  it('an owner accepting → FORBIDDEN', () => {
    expectRefused(submitted(createdItem()), OWNER_A, { type: 'acceptTask', taskId: 't1' }, 'FORBIDDEN', AT + DAY);
  });

  const everyCommand: Command[] = [
    report,
    { type: 'submitTask', taskId: 't1', evidence },
    { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'r' },
    { type: 'acceptTask', taskId: 't1' },
    { type: 'sendBackTask', taskId: 't1', reason: 'r' },
    { type: 'decideExtension', taskId: 't1', approve: true },
    { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit-b', ownerPerson: 'b' },
    { type: 'addProblem', problem: problemInput('p3') },
    { type: 'addTask', task: taskInput('t3') },
    { type: 'cancelTask', taskId: 't1', reason: 'r' },
    { type: 'cancelItem', reason: 'r' },
  ];

  it.each(everyCommand.map((c) => [c.type, c] as const))('a supervisor issuing %s → FORBIDDEN', (_type, command) => {
    expectRefused(submitted(createdItem()), SUPERVISOR, command, 'FORBIDDEN', AT + DAY);
  });

  it.each(everyCommand.slice(0, 3).map((c) => [c.type, c] as const))('an owner of another unit issuing %s → NOT_FOUND (another unit’s task reads as no task)', (_type, command) => {
    expectRefused(createdItem(), OWNER_B, command, 'NOT_FOUND');
  });

  it('a co-owner unit may submit; the owner of another unit may not', () => {
    const out = apply(createdItem(), OWNER_C, { type: 'submitTask', taskId: 't1', evidence });
    expect(task(out.state, 't1')).toMatchObject({ status: 'submitted', submittedAt: iso(AT) });
    expect(out.records.auditEvents[0]).toMatchObject({ action: 'taskSubmitted', actor: OWNER_C });
    expectRefused(createdItem(), OWNER_B, { type: 'submitTask', taskId: 't1', evidence }, 'NOT_FOUND');
  });

  it('accepting before submission → INVALID_TRANSITION (assigned and in progress)', () => {
    expectRefused(createdItem(), LEADER, { type: 'acceptTask', taskId: 't1' }, 'INVALID_TRANSITION');
    const inProgress = apply(createdItem(), OWNER_A, report).state;
    expectRefused(inProgress, LEADER, { type: 'acceptTask', taskId: 't1' }, 'INVALID_TRANSITION', AT + HOUR);
  });

  it('accepting a task twice → INVALID_TRANSITION', () => {
    expectRefused(accepted(createdItem()), LEADER, { type: 'acceptTask', taskId: 't1' }, 'INVALID_TRANSITION', AT + DAY);
  });

  it.each(everyCommand.filter((c) => 'taskId' in c).map((c) => [c.type, c] as const))(
    '%s on a cancelled task → INVALID_TRANSITION',
    (_type, command) => {
      const cancelled = apply(createdItem(), LEADER, { type: 'cancelTask', taskId: 't1', reason: 'dropped' }).state;
      const actor = ['reportProgress', 'submitTask', 'requestExtension'].includes(command.type) ? OWNER_A : LEADER;
      expectRefused(cancelled, actor, command, 'INVALID_TRANSITION', AT + DAY);
    },
  );

  it('an unknown task → NOT_FOUND', () => {
    expectRefused(createdItem(), OWNER_A, { ...report, taskId: 't9' }, 'NOT_FOUND');
    expectRefused(createdItem(), LEADER, { type: 'acceptTask', taskId: 't9' }, 'NOT_FOUND');
  });

  function completedItem(): ItemState {
    return accepted(accepted(createdItem()), 't2', OWNER_B);
  }
  function cancelledItem(): ItemState {
    return apply(createdItem(), LEADER, { type: 'cancelItem', reason: 'superseded' }).state;
  }

  it.each(everyCommand.map((c) => [c.type, c] as const))('%s on a completed or cancelled item → ITEM_CLOSED', (_type, command) => {
    const actor = ['reportProgress', 'submitTask', 'requestExtension'].includes(command.type) ? OWNER_A : LEADER;
    const done = completedItem();
    expect(done.status).toBe('completed');
    expectRefused(done, actor, command, 'ITEM_CLOSED', AT + 3 * DAY);
    const cancelled = cancelledItem();
    expect(cancelled.status).toBe('cancelled');
    expectRefused(cancelled, actor, command, 'ITEM_CLOSED', AT + 3 * DAY);
  });

  it.each<[string, Partial<CommandEnvelope>]>([
    ['no request id', { requestId: '' }],
    ['an absurdly long request id', { requestId: 'r'.repeat(10_000) }],
    ['no actor', { actor: undefined }],
    ['an actor without a role', { actor: { id: 'x', name: 'x' } as never }],
    ['no command', { command: undefined }],
  ])('an envelope with %s → VALIDATION_FAILED', (_name, spoil) => {
    const s = createdItem();
    const before = snapshot(s);
    const env = { ...envelope(OWNER_A, report), ...spoil } as CommandEnvelope;
    expect(codeOf(() => applyCommand(s, env, AT))).toBe('VALIDATION_FAILED');
    expect(s).toStrictEqual(before);
  });
});

describe('applyCommand: idempotency by request id and fingerprint', () => {
  const reportA: Command = { type: 'reportProgress', taskId: 't1', text: 'a', percent: 10 };

  it('a repeated request id without fingerprints returns duplicate: true and changes nothing, whatever the command says', () => {
    const first = applyCommand(createdItem(), envelope(OWNER_A, reportA, 'req-x'), AT);
    const copy = snapshot(first.state);
    for (const command of [
      reportA,
      { type: 'reportProgress', taskId: 't1', text: 'b', percent: 90 },
      { type: 'submitTask', taskId: 't1', evidence },
    ] as Command[]) {
      const again = applyCommand(first.state, envelope(OWNER_A, command, 'req-x'), AT + HOUR);
      expect(again.state).toBe(first.state);
      expect(again.records).toEqual(emptyRecords());
      expect(again.result).toMatchObject({ itemId: 'item-1', version: 2, status: 'active', duplicate: true });
    }
    expect(first.state).toStrictEqual(copy);
    expect(task(first.state, 't1').reportCount).toBe(1);
  });

  it('the same request id with the same fingerprint is a duplicate; the answer names the task as it is', () => {
    const first = applyCommand(createdItem(), envelope(OWNER_A, reportA, 'req-f', 'fp-1'), AT);
    expect(first.state.appliedRequests).toEqual([{ id: 'req-f', fingerprint: 'fp-1' }]);
    const again = applyCommand(first.state, envelope(OWNER_A, reportA, 'req-f', 'fp-1'), AT + HOUR);
    expect(again.state).toBe(first.state);
    expect(again.records).toEqual(emptyRecords());
    expect(again.result).toEqual({ itemId: 'item-1', version: 2, status: 'active', duplicate: true, task: task(first.state, 't1') });
  });

  it('the same request id with another fingerprint is refused with IDEMPOTENCY_KEY_REUSED, changing nothing', () => {
    const first = applyCommand(createdItem(), envelope(OWNER_A, reportA, 'req-g', 'fp-1'), AT);
    const before = snapshot(first.state);
    const other: Command = { type: 'reportProgress', taskId: 't1', text: 'something else', percent: 60 };
    expect(codeOf(() => applyCommand(first.state, envelope(OWNER_A, other, 'req-g', 'fp-2'), AT + HOUR))).toBe('IDEMPOTENCY_KEY_REUSED');
    // also when the same command comes under another fingerprint, or none at all
    expect(codeOf(() => applyCommand(first.state, envelope(OWNER_A, reportA, 'req-g', 'fp-2'), AT + HOUR))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(codeOf(() => applyCommand(first.state, envelope(OWNER_A, reportA, 'req-g'), AT + HOUR))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(first.state).toStrictEqual(before);
    // another request id with the same fingerprint is a new request
    const fresh = applyCommand(first.state, envelope(OWNER_A, reportA, 'req-h', 'fp-1'), AT + HOUR);
    expect(fresh.result.duplicate).toBe(false);
    expect(task(fresh.state, 't1').reportCount).toBe(2);
  });

  it('the idempotency verdict comes before the rules: a retry is answered even on an ended item', () => {
    const s = submitted(accepted(createdItem()), 't2', OWNER_B);
    const env = envelope(LEADER, { type: 'acceptTask', taskId: 't2' }, 'final-accept', 'fp-final');
    const done = applyCommand(s, env, AT + 3 * DAY).state;
    expect(done.status).toBe('completed');
    expect(applyCommand(done, env, AT + 3 * DAY + 1).result).toMatchObject({ duplicate: true, status: 'completed' });
    expect(codeOf(() => applyCommand(done, { ...env, fingerprint: 'fp-other' }, AT + 3 * DAY + 1))).toBe('IDEMPOTENCY_KEY_REUSED');
    // a new request on the ended item is refused as usual
    expect(codeOf(() => applyCommand(done, envelope(LEADER, { type: 'acceptTask', taskId: 't2' }), AT + 3 * DAY + 1))).toBe('ITEM_CLOSED');
  });

  it('refuses a fingerprint that breaks the text rule, and request ids or fingerprints past their length', () => {
    const s = createdItem();
    expect(codeOf(() => applyCommand(s, envelope(OWNER_A, reportA, 'req-z', 'fp\u0000'), AT))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => applyCommand(s, envelope(OWNER_A, reportA, 'req-z', 'f'.repeat(LIMITS.requestIdLength + 1)), AT))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => applyCommand(s, envelope(OWNER_A, reportA, 'r'.repeat(LIMITS.requestIdLength + 1), 'fp'), AT))).toBe('VALIDATION_FAILED');
    const longest = applyCommand(s, envelope(OWNER_A, reportA, 'r'.repeat(LIMITS.requestIdLength), 'f'.repeat(LIMITS.requestIdLength)), AT);
    expect(longest.result.duplicate).toBe(false);
  });

  it('a refused request does not use up its id', () => {
    const s = createdItem();
    expect(codeOf(() => applyCommand(s, envelope(LEADER, { type: 'acceptTask', taskId: 't1' }, 'req-y'), AT))).toBe('INVALID_TRANSITION');
    const out = applyCommand(s, envelope(OWNER_A, { type: 'submitTask', taskId: 't1', evidence }, 'req-y'), AT);
    expect(out.result.duplicate).toBe(false);
    expect(task(out.state, 't1').status).toBe('submitted');
  });

  it(`remembers the last ${LIMITS.requestMemory} requests with their fingerprints, no more`, () => {
    let s = createdItem();
    const ids: string[] = [];
    for (let i = 0; i < LIMITS.requestMemory + 5; i++) {
      const id = `bulk-${i}`;
      ids.push(id);
      s = applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: `r${i}`, percent: i % 101 }, id, `fp-${i}`), AT + i * 1000).state;
    }
    expect(s.appliedRequests).toHaveLength(LIMITS.requestMemory);
    expect(s.appliedRequests).toEqual(ids.slice(5).map((id) => ({ id, fingerprint: `fp-${id.slice(5)}` })));
    expect(task(s, 't1').reportCount).toBe(LIMITS.requestMemory + 5);
    const last = ids[ids.length - 1]!;
    const lastFp = `fp-${LIMITS.requestMemory + 4}`;
    expect(applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'again', percent: 1 }, last, lastFp), AT + DAY).result.duplicate).toBe(true);
    // the oldest ids are forgotten: such a late retry is applied again, whatever its fingerprint
    expect(applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'again', percent: 1 }, 'bulk-0', 'fp-x'), AT + DAY).result.duplicate).toBe(false);
  });
});

describe('applyCommand: the text rule', () => {
  it('refuses lone surrogates and control characters anywhere in a command', () => {
    const s = createdItem();
    expectRefused(s, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'cut emoji \uD83D', percent: 10 }, 'VALIDATION_FAILED');
    expectRefused(s, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'bell\u0007', percent: 10 }, 'VALIDATION_FAILED');
    expectRefused(s, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['photo\n.jpg'] }, 'VALIDATION_FAILED');
    expectRefused(s, LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit\tb', ownerPerson: 'b' }, 'VALIDATION_FAILED');
    expectRefused(s, LEADER, { type: 'cancelItem', reason: 'C1 control \u0085' }, 'VALIDATION_FAILED');
    // fields the command does not know are held to the rule too
    expectRefused(s, LEADER, { type: 'cancelItem', reason: 'ok', extra: 'nul\u0000' } as unknown as Command, 'VALIDATION_FAILED');
  });

  it('accepts newlines, tabs and well-formed astral characters in multi-line text', () => {
    const text = 'line one\n\tline two 👍🏽 𠀀';
    const out = apply(createdItem(), OWNER_A, { type: 'reportProgress', taskId: 't1', text, percent: 10 });
    expect(out.records.auditEvents[0]!.details).toMatchObject({ text });
  });

  it('names the field that broke the rule', () => {
    const s = createdItem();
    expect(() => apply(s, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'x\u0000' }))
      .toThrow(/reason/);
  });
});

describe('applyCommand: the audit trail and notifications of a whole lifecycle', () => {
  const steps: Array<[typeof OWNER_A, Command]> = [
    [OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'started', percent: 10 }],
    [OWNER_B, { type: 'reportProgress', taskId: 't2', text: 'started', percent: 5 }],
    [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'rain' }],
    [LEADER, { type: 'decideExtension', taskId: 't1', approve: true }],
    [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
    [LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'incomplete' }],
    [OWNER_C, { type: 'submitTask', taskId: 't1', evidence }],
    [LEADER, { type: 'acceptTask', taskId: 't1' }],
    [LEADER, { type: 'reassignTask', taskId: 't2', ownerUnit: 'unit-d', ownerPerson: 'owner-d' }],
    [LEADER, { type: 'addProblem', problem: problemInput('p3') }],
    [LEADER, { type: 'addTask', task: taskInput('t3', { problemIds: ['p3'] }) }],
    [LEADER, { type: 'cancelTask', taskId: 't3', reason: 'not needed' }],
    [LEADER, { type: 'cancelItem', reason: 'merged into another item' }],
  ];

  let events: AuditEvent[] = [];
  let notifications: Notification[] = [];
  let envelopes: CommandEnvelope[] = [];
  let taskTexts: ItemRecords['taskTexts'] = [];
  let problemTexts: ItemRecords['problemTexts'] = [];
  let final: ItemState;

  beforeAll(() => {
    let s = createdItem();
    steps.forEach(([actor, command], i) => {
      const env = envelope(actor, command);
      envelopes.push(env);
      const out = applyCommand(s, env, AT + i * HOUR);
      events = events.concat(out.records.auditEvents);
      notifications = notifications.concat(out.records.notifications);
      taskTexts = taskTexts.concat(out.records.taskTexts);
      problemTexts = problemTexts.concat(out.records.problemTexts);
      s = out.state;
    });
    final = s;
  });

  it('one audit event per command, numbered 2, 3, 4… after the creation, carrying the actor and request id', () => {
    expect(events.map((e) => e.seq)).toEqual(steps.map((_, i) => i + 2));
    expect(final.counters.auditSeq).toBe(steps.length + 1);
    events.forEach((e, i) => {
      expect(e.actor).toEqual(envelopes[i]!.actor);
      expect(e.requestId).toBe(envelopes[i]!.requestId);
      expect(e.at).toBe(iso(AT + i * HOUR));
      expect(e.itemId).toBe('item-1');
    });
    expect(events.map((e) => e.action)).toEqual([
      'progressReported',
      'progressReported',
      'extensionRequested',
      'extensionApproved',
      'taskSubmitted',
      'taskSentBack',
      'taskSubmitted',
      'taskAccepted',
      'taskReassigned',
      'problemAdded',
      'taskAdded',
      'taskCancelled',
      'itemCancelled',
    ]);
  });

  it('notifications have unique keys, one per occurrence', () => {
    expect(notifications.map((n) => n.kind)).toEqual([
      'extensionRequested',
      'extensionDecided',
      'submitted',
      'sentBack',
      'submitted',
      'accepted',
      'reassigned',
    ]);
    expect(new Set(notifications.map((n) => n.key)).size).toBe(notifications.length);
  });

  it('every audit event about a task names its units; the reassignment names both sides', () => {
    const units = events.map((e) => [e.action, e.taskId ?? '-', [...e.units].sort().join(',')]);
    expect(units).toEqual([
      ['progressReported', 't1', 'unit-a,unit-c'],
      ['progressReported', 't2', 'unit-b'],
      ['extensionRequested', 't1', 'unit-a,unit-c'],
      ['extensionApproved', 't1', 'unit-a,unit-c'],
      ['taskSubmitted', 't1', 'unit-a,unit-c'],
      ['taskSentBack', 't1', 'unit-a,unit-c'],
      ['taskSubmitted', 't1', 'unit-a,unit-c'],
      ['taskAccepted', 't1', 'unit-a,unit-c'],
      ['taskReassigned', 't2', 'unit-b,unit-d'],
      ['problemAdded', '-', ''],
      ['taskAdded', 't3', 'unit-a'],
      ['taskCancelled', 't3', 'unit-a'],
      ['itemCancelled', '-', ''],
    ]);
  });

  it('text comes out as records: the approved deadline basis, the added problem and task', () => {
    expect(taskTexts.map((t) => t.taskId)).toEqual(['t1', 't3']);
    expect(taskTexts[1]).toMatchObject({ description: 'task t3', deadlineBasis: 'fixed instant' });
    expect(problemTexts).toEqual([{ problemId: 'p3', description: 'problem p3' }]);
    expectNoText(final);
  });

  it('the final state remembers every request id and is cancelled', () => {
    expect(final.appliedRequests).toEqual(envelopes.map((e) => ({ id: e.requestId, fingerprint: '' })));
    expect(final.status).toBe('cancelled');
    expect(task(final, 't1')).toMatchObject({ extensionsApproved: 1, reworkCount: 1, status: 'accepted' });
  });

  it('the timeline: t2 due time untouched by everything that happened to t1', () => {
    expect(task(final, 't2').deadline.dueAt).toBe(iso(T2_DUE));
  });
});
