import type { Command, CommandEnvelope } from '../../domain/commands';
import { resolveDeadline } from '../../domain/deadline';
import { REQUEST_MEMORY } from '../../domain/item-helpers';
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

describe('applyCommand: owner commands', () => {
  it('reportProgress moves the task in progress and records the report', () => {
    const before = createdItem();
    const copy = snapshot(before);
    const env = envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'half the villages visited', percent: 40, evidence: ['e1'] });
    const out = applyCommand(before, env, AT);

    expect(out.duplicate).toBe(false);
    expect(task(out.state, 't1')).toMatchObject({
      status: 'inProgress',
      percent: 40,
      lastProgressAt: iso(AT),
      lastReport: { at: iso(AT), by: 'owner-a', text: 'half the villages visited', percent: 40, evidence: ['e1'] },
      reportCount: 1,
    });
    expect(task(out.state, 't2')).toEqual(task(before, 't2'));
    expect(out.state.updatedAt).toBe(iso(AT));
    expect(out.state.appliedRequests).toEqual([env.requestId]);
    expect(out.state.counters.auditSeq).toBe(2);
    expect(out.auditEvents).toEqual([
      {
        itemId: 'item-1',
        seq: 2,
        at: iso(AT),
        actor: OWNER_A,
        action: 'progressReported',
        requestId: env.requestId,
        taskId: 't1',
        details: { percent: 40, text: 'half the villages visited', evidence: ['e1'] },
      },
    ]);
    expect(out.notifications).toEqual([]);
    // the input state is a value: untouched
    expect(before).toStrictEqual(copy);
  });

  it('reportProgress counts reports, defaults evidence to none and clears a stale mark', () => {
    const stale = snapshot(createdItem());
    task(stale, 't1').stale = true;
    const s1 = apply(stale, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'started', percent: 10 }).state;
    const s2 = apply(s1, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'going', percent: 30 }, AT + HOUR).state;
    expect(task(s1, 't1').stale).toBe(false);
    expect(task(s1, 't1').lastReport!.evidence).toEqual([]);
    expect(task(s2, 't1')).toMatchObject({ reportCount: 2, percent: 30, lastProgressAt: iso(AT + HOUR) });
  });

  it('a co-owner unit may report on a 双包保 task, in its own name', () => {
    const out = apply(createdItem(), OWNER_C, { type: 'reportProgress', taskId: 't1', text: 'township team visited', percent: 20 });
    expect(task(out.state, 't1').lastReport!.by).toBe('owner-c');
    expect(out.auditEvents[0]!.actor).toEqual(OWNER_C);
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
      submission: { at: iso(AT), by: 'owner-a', evidence, note: 'all done' },
      lastProgressAt: iso(AT),
    });
    expect(out.auditEvents.map((e) => e.action)).toEqual(['taskSubmitted']);
    expect(out.notifications).toEqual([
      {
        key: 'item-1|t1|submitted|2|itemLeader|leader-1',
        itemId: 'item-1',
        taskId: 't1',
        kind: 'submitted',
        recipientRole: 'itemLeader',
        recipient: 'leader-1',
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
    expect(t1.extensions).toEqual([
      { requestedAt: iso(AT), requestedBy: 'owner-a', newDeadline: { kind: 'instant', at: LATER }, reason: 'floods', status: 'pending' },
    ]);
    expect(t1.deadline.dueAt).toBe(iso(T1_DUE));
    expect(t1.alarms.dueAt).toBe(iso(T1_DUE));
    expect(out.auditEvents[0]).toMatchObject({ action: 'extensionRequested', details: { proposedDueAt: '2026-05-01T10:00:00.000Z', reason: 'floods' } });
    expect(out.notifications.map((n) => [n.kind, n.recipientRole, n.recipient])).toEqual([['extensionRequested', 'itemLeader', 'leader-1']]);
  });

  it('requestExtension is allowed while the task is submitted (before acceptance)', () => {
    const out = apply(submitted(createdItem()), OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'audit pending' }, AT + DAY);
    expect(task(out.state, 't1').extensions).toHaveLength(1);
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
    expect(task(out.state, 't1')).toMatchObject({ status: 'accepted', acceptedAt: iso(AT + DAY), acceptedBy: 'leader-1', stale: false });
    expect(problem(out.state, 'p1')).toEqual({ id: 'p1', description: 'problem p1', severity: 'high', status: 'closed', closedAt: iso(AT + DAY) });
    expect(problem(out.state, 'p2').status).toBe('open');
    expect(out.state.status).toBe('active');
    expect(out.state.completedAt).toBeUndefined();
    expect(out.auditEvents[0]).toMatchObject({ action: 'taskAccepted', actor: LEADER, details: { note: 'verified on site', late: false } });
    expect(out.notifications.map((n) => [n.kind, n.recipientRole, n.recipient])).toEqual([['accepted', 'ownerUnit', 'unit-a']]);
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
    expect(out.auditEvents[0]!.details).toMatchObject({ late: true });
  });

  it('acceptance closes a pending extension request as denied', () => {
    const s = applyAll(createdItem(), [
      [OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'rain' }],
      [OWNER_A, { type: 'submitTask', taskId: 't1', evidence }],
      [LEADER, { type: 'acceptTask', taskId: 't1' }],
    ]);
    expect(task(s, 't1').extensions.map((e) => e.status)).toEqual(['denied']);
    expect(task(s, 't1').deadline.dueAt).toBe(iso(T1_DUE));
  });

  it('sendBackTask returns the task to work, counts the rework and tells the owner unit', () => {
    const s = submitted(createdItem());
    const out = apply(s, LEADER, { type: 'sendBackTask', taskId: 't1', reason: 'photos missing' }, AT + DAY);
    const t1 = task(out.state, 't1');
    expect(t1.status).toBe('inProgress');
    expect(t1.reworkCount).toBe(1);
    expect(t1.submission).toBeUndefined();
    expect(out.state.counters).toMatchObject({ reworks: 1, reworksSinceReview: 1 });
    expect(out.auditEvents[0]).toMatchObject({ action: 'taskSentBack', details: { reason: 'photos missing', reworkCount: 1 } });
    expect(out.notifications.map((n) => [n.kind, n.recipient])).toEqual([['sentBack', 'unit-a']]);

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
      expect(t1.escalationLevel).toBe(2);
    });

    it('approval moves the deadline, re-arms the alarms, resets the escalation level and keeps the original deadline', () => {
      const s = overdueWithRequest();
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: true, note: 'justified' }, decideAt);
      const t1 = task(out.state, 't1');
      const newDue = '2026-05-01T10:00:00.000Z';
      expect(t1.deadline).toEqual({ dueAt: newDue, spec: { kind: 'instant', at: LATER }, resolvedAt: iso(decideAt), basis: 'fixed instant' });
      expect(t1.originalDueAt).toBe(iso(T1_DUE));
      expect(t1.alarms).toEqual({ dueAt: newDue, warned: false, overdue: false, rungsFired: 0 });
      expect(t1.escalationLevel).toBe(0);
      expect(t1.extensions[0]).toMatchObject({
        status: 'approved',
        decidedAt: iso(decideAt),
        decidedBy: 'leader-1',
        note: 'justified',
        resolvedDueAt: newDue,
      });
      // what already happened stays counted
      expect(out.state.counters.escalations).toBe(s.counters.escalations);
      expect(out.auditEvents[0]).toMatchObject({ action: 'extensionApproved', details: { dueAt: newDue } });
      expect(out.notifications.map((n) => [n.kind, n.recipient, n.dueAt])).toEqual([['extensionDecided', 'unit-a', newDue]]);
    });

    it('approval of a working-day request counts from the decision, not the request', () => {
      const s = overdueWithRequest({ kind: 'workingDays', days: 5 });
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, decideAt);
      const expected = resolveDeadline({ kind: 'workingDays', days: 5 }, decideAt, 'Asia/Shanghai', CAL);
      expect(task(out.state, 't1').deadline).toEqual(expected);
      // 2026-04-05 (Sun, Qingming) → 5 working days after the Qingming holiday on 4 to 6 April
      expect(expected.dueAt).toBe('2026-04-13T15:59:59.000Z');
    });

    it('denial leaves the deadline and alarms alone and allows a new request', () => {
      const s = overdueWithRequest();
      const out = apply(s, LEADER, { type: 'decideExtension', taskId: 't1', approve: false, note: 'no' }, decideAt);
      const t1 = task(out.state, 't1');
      expect(t1.extensions[0]).toMatchObject({ status: 'denied', decidedBy: 'leader-1', note: 'no' });
      expect(t1.extensions[0]!.resolvedDueAt).toBeUndefined();
      expect(t1.deadline).toEqual(task(s, 't1').deadline);
      expect(t1.alarms).toEqual(task(s, 't1').alarms);
      expect(t1.escalationLevel).toBe(2);
      expect(out.auditEvents[0]!.action).toBe('extensionDenied');
      const again = apply(out.state, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'please' }, decideAt + HOUR);
      expect(task(again.state, 't1').extensions.map((e) => e.status)).toEqual(['denied', 'pending']);
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
    expect(out.auditEvents[0]).toMatchObject({
      action: 'taskReassigned',
      details: {
        from: { ownerUnit: 'unit-a', ownerPerson: 'owner-a', coOwners: ['unit-c'] },
        to: { ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [] },
      },
    });
    expect(out.notifications.map((n) => [n.kind, n.recipient])).toEqual([['reassigned', 'unit-b']]);
    const report: Command = { type: 'reportProgress', taskId: 't1', text: 'x', percent: 1 };
    expectRefused(out.state, OWNER_A, report, 'FORBIDDEN', AT + HOUR);
    expectRefused(out.state, OWNER_C, report, 'FORBIDDEN', AT + HOUR);
    expect(() => apply(out.state, OWNER_B, report, AT + HOUR)).not.toThrow();
  });

  it('reassignTask without coOwners keeps the co-owners; without an owner unit it is refused', () => {
    const out = apply(createdItem(), LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit-d', ownerPerson: 'owner-d' });
    expect(task(out.state, 't1').coOwners).toEqual(['unit-c']);
    expectRefused(createdItem(), LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: '', ownerPerson: 'x' }, 'VALIDATION_FAILED');
  });

  it('addProblem adds an open problem; the item cannot complete until it has a task', () => {
    const out = apply(createdItem(), LEADER, { type: 'addProblem', problem: problemInput('p3', { severity: 'critical' }) });
    expect(problem(out.state, 'p3')).toEqual({ id: 'p3', description: 'problem p3', severity: 'critical', status: 'open' });
    expect(out.auditEvents[0]).toMatchObject({ action: 'problemAdded', taskId: undefined });
    // accept both original tasks: p3 (no task yet) keeps the item active
    let s = accepted(out.state);
    s = accepted(s, 't2', OWNER_B);
    expect(s.problems.map((p) => [p.id, p.status])).toEqual([['p1', 'closed'], ['p2', 'closed'], ['p3', 'open']]);
    expect(s.status).toBe('active');
  });

  it('addTask assigns a task now with a resolved deadline', () => {
    const addAt = NOW + 2 * DAY;
    const out = apply(createdItem(), LEADER, { type: 'addTask', task: taskInput('t3', { problemIds: ['p2'], ownerUnit: 'unit-b', deadline: { kind: 'workingDays', days: 3 } }) }, addAt);
    const t3 = task(out.state, 't3');
    expect(t3).toMatchObject({ status: 'assigned', assignedAt: iso(addAt), ownerUnit: 'unit-b', problemIds: ['p2'] });
    // Fri 2026-03-06 → Mon 9, Tue 10, Wed 11 March, end of day in Shanghai
    expect(t3.deadline.dueAt).toBe('2026-03-11T15:59:59.000Z');
    expect(t3.alarms).toEqual({ dueAt: t3.deadline.dueAt, warned: false, overdue: false, rungsFired: 0 });
    expect(out.auditEvents[0]).toMatchObject({ action: 'taskAdded', taskId: 't3', details: { ownerUnit: 'unit-b', dueAt: t3.deadline.dueAt } });
  });

  it('addTask on a closed problem reopens it', () => {
    const s = accepted(createdItem());
    expect(problem(s, 'p1').status).toBe('closed');
    const out = apply(s, LEADER, { type: 'addTask', task: taskInput('t3') }, AT + DAY);
    expect(problem(out.state, 'p1')).toEqual({ id: 'p1', description: 'problem p1', severity: 'high', status: 'open' });
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
    expect(task(out.state, 't1')).toMatchObject({ status: 'cancelled', cancelledAt: iso(AT), cancelReason: 'duplicate of another item' });
    expect(problem(out.state, 'p1')).toMatchObject({ status: 'closed', closedAt: iso(AT) });
    expect(out.state.status).toBe('active');
    expect(out.notifications).toEqual([]);
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
    expect(out.state).toMatchObject({ status: 'cancelled', cancelledAt: iso(AT), cancelReason: 'superseded by the provincial plan' });
    expect(out.state.completedAt).toBeUndefined();
    expect(out.auditEvents[0]).toMatchObject({ action: 'itemCancelled', actor: LEADER, details: { reason: 'superseded by the provincial plan' } });
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

  it.each(everyCommand.slice(0, 3).map((c) => [c.type, c] as const))('an owner of another unit issuing %s → FORBIDDEN', (_type, command) => {
    expectRefused(createdItem(), OWNER_B, command, 'FORBIDDEN');
  });

  it('a co-owner unit may submit; the owner of another unit may not', () => {
    const out = apply(createdItem(), OWNER_C, { type: 'submitTask', taskId: 't1', evidence });
    expect(task(out.state, 't1').submission!.by).toBe('owner-c');
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

describe('applyCommand: idempotency by request id', () => {
  it('a repeated request id returns duplicate: true and changes nothing, whatever the command says', () => {
    const first = applyCommand(createdItem(), envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'a', percent: 10 }, 'req-x'), AT);
    const copy = snapshot(first.state);
    for (const command of [
      { type: 'reportProgress', taskId: 't1', text: 'a', percent: 10 },
      { type: 'reportProgress', taskId: 't1', text: 'b', percent: 90 },
      { type: 'submitTask', taskId: 't1', evidence },
    ] as Command[]) {
      const again = applyCommand(first.state, envelope(OWNER_A, command, 'req-x'), AT + HOUR);
      expect(again).toEqual({ state: first.state, auditEvents: [], notifications: [], duplicate: true });
      expect(again.state).toBe(first.state);
    }
    expect(first.state).toStrictEqual(copy);
    expect(task(first.state, 't1').reportCount).toBe(1);
  });

  it('a retry of the request that ended the item is a duplicate, not ITEM_CLOSED', () => {
    const s = submitted(accepted(createdItem()), 't2', OWNER_B);
    const env = envelope(LEADER, { type: 'acceptTask', taskId: 't2' }, 'final-accept');
    const done = applyCommand(s, env, AT + 3 * DAY).state;
    expect(done.status).toBe('completed');
    expect(applyCommand(done, env, AT + 3 * DAY + 1).duplicate).toBe(true);
  });

  it('a refused request does not use up its id', () => {
    const s = createdItem();
    expect(codeOf(() => applyCommand(s, envelope(LEADER, { type: 'acceptTask', taskId: 't1' }, 'req-y'), AT))).toBe('INVALID_TRANSITION');
    const out = applyCommand(s, envelope(OWNER_A, { type: 'submitTask', taskId: 't1', evidence }, 'req-y'), AT);
    expect(out.duplicate).toBe(false);
    expect(task(out.state, 't1').status).toBe('submitted');
  });

  it(`remembers the last ${REQUEST_MEMORY} request ids, no more`, () => {
    let s = createdItem();
    const ids: string[] = [];
    for (let i = 0; i < REQUEST_MEMORY + 5; i++) {
      const id = `bulk-${i}`;
      ids.push(id);
      s = applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: `r${i}`, percent: i % 101 }, id), AT + i * 1000).state;
    }
    expect(s.appliedRequests).toHaveLength(REQUEST_MEMORY);
    expect(s.appliedRequests).toEqual(ids.slice(5));
    expect(task(s, 't1').reportCount).toBe(REQUEST_MEMORY + 5);
    const last = ids[ids.length - 1]!;
    expect(applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'again', percent: 1 }, last), AT + DAY).duplicate).toBe(true);
    // the oldest ids are forgotten: such a late retry is applied again
    expect(applyCommand(s, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'again', percent: 1 }, 'bulk-0'), AT + DAY).duplicate).toBe(false);
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
  let final: ItemState;

  beforeAll(() => {
    let s = createdItem();
    steps.forEach(([actor, command], i) => {
      const env = envelope(actor, command);
      envelopes.push(env);
      const out = applyCommand(s, env, AT + i * HOUR);
      events = events.concat(out.auditEvents);
      notifications = notifications.concat(out.notifications);
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

  it('the final state remembers every request id and is cancelled', () => {
    expect(final.appliedRequests).toEqual(envelopes.map((e) => e.requestId));
    expect(final.status).toBe('cancelled');
  });

  it('the timeline: t2 due time untouched by everything that happened to t1', () => {
    expect(task(final, 't2').deadline.dueAt).toBe(iso(T2_DUE));
  });
});
