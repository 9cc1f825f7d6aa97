/**
 * A state saved before bounded items (text in its tasks, the list of extension
 * requests, request ids as strings) upgrades to today's shape and goes on
 * working (domain/legacy-state.ts).
 */
import { upgradeLegacyState } from '../../domain/legacy-state';
import { advanceClock } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { ItemState, TaskState } from '../../domain/types';
import { createdItem, DAY, envelope, HOUR, iso, LEADER, NOW, OWNER_A, OWNER_B, snapshot, T1_DUE, task } from './item-builders';

const LATER = { kind: 'instant' as const, at: '2026-05-01T18:00:00+08:00' };

/** What a legacy run's state looked like: today's numbers plus the text and lists it used to keep. */
function legacyState(): ItemState {
  const s = snapshot(createdItem()) as unknown as Record<string, any>;
  const [t1, t2] = s.tasks as Array<Record<string, any>>;
  for (const t of [t1!, t2!]) {
    delete t.extensionsApproved;
    delete t.extensionsDenied;
    delete t.maxEscalationLevel;
    t.description = `task ${t.id}`;
    t.deadline.basis = 'fixed instant';
  }
  Object.assign(t1!, {
    measures: 'visit every household',
    status: 'submitted',
    percent: 100,
    escalationLevel: 2,
    lastProgressAt: iso(NOW + 2 * HOUR),
    lastReport: { at: iso(NOW + HOUR), by: 'owner-a', text: 'half', percent: 50, evidence: [] },
    reportCount: 1,
    submission: { at: iso(NOW + 2 * HOUR), by: 'owner-a', evidence: ['photo.jpg'], note: 'done' },
    extensions: [
      { requestedAt: iso(NOW), requestedBy: 'owner-a', newDeadline: LATER, reason: 'rain', status: 'approved', decidedAt: iso(NOW), decidedBy: 'leader-1', resolvedDueAt: iso(T1_DUE) },
      { requestedAt: iso(NOW + HOUR), requestedBy: 'owner-a', newDeadline: LATER, reason: 'again', status: 'denied', decidedAt: iso(NOW + HOUR), decidedBy: 'leader-1' },
      { requestedAt: iso(NOW + 3 * HOUR), requestedBy: 'owner-a', newDeadline: LATER, reason: 'flood', status: 'pending' },
    ],
  });
  Object.assign(t2!, { extensions: [], status: 'cancelled', cancelledAt: iso(NOW + HOUR), cancelReason: 'merged', acceptedBy: undefined });
  for (const p of s.problems) p.description = `problem ${p.id}`;
  s.cancelReason = 'old field';
  s.appliedRequests = ['old-1', 'old-2'];
  return s as unknown as ItemState;
}

describe('upgradeLegacyState', () => {
  const legacy = legacyState();
  const before = snapshot(legacy);
  const state = upgradeLegacyState(legacy);
  const t1 = task(state, 't1');
  const t2 = task(state, 't2');

  it('drops every text and list the state used to keep', () => {
    for (const t of [t1, t2]) {
      for (const field of ['description', 'measures', 'lastReport', 'submission', 'extensions', 'acceptedBy', 'cancelReason']) {
        expect(t).not.toHaveProperty(field);
      }
      expect(Object.keys(t.deadline).sort()).toEqual(['dueAt', 'resolvedAt', 'spec']);
    }
    expect(t1.deadline).toEqual({ dueAt: iso(T1_DUE), spec: { kind: 'instant', at: '2026-04-01T18:00:00+08:00' }, resolvedAt: iso(NOW) });
    for (const p of state.problems) expect(p).not.toHaveProperty('description');
    expect(state).not.toHaveProperty('cancelReason');
    expect(JSON.stringify(state)).not.toMatch(/rain|flood|visit every household|problem p1|task t1/);
  });

  it('counts the decided extensions, keeps the pending one, the submission instant and the level reached', () => {
    expect(t1).toMatchObject({
      extensionsApproved: 1,
      extensionsDenied: 1,
      submittedAt: iso(NOW + 2 * HOUR),
      escalationLevel: 2,
      maxEscalationLevel: 2,
      status: 'submitted',
      reportCount: 1,
      lastProgressAt: iso(NOW + 2 * HOUR),
    });
    expect(t1.pendingExtension).toMatchObject({ requestedAt: iso(NOW + 3 * HOUR), newDeadline: LATER });
    expect(t2).toMatchObject({ extensionsApproved: 0, extensionsDenied: 0, maxEscalationLevel: 0, status: 'cancelled' });
    expect(t2.pendingExtension).toBeUndefined();
    expect(t2.submittedAt).toBeUndefined();
  });

  it('turns remembered request ids into requests without a fingerprint', () => {
    expect(state.appliedRequests).toEqual([{ id: 'old-1', fingerprint: '' }, { id: 'old-2', fingerprint: '' }]);
  });

  it('keeps everything else as it was, and does not touch its input', () => {
    expect(legacy).toStrictEqual(before);
    const { problems: _p, tasks: _t, appliedRequests: _a, cancelReason: _c, ...rest } = legacy as ItemState & { cancelReason?: string };
    const { problems: _p2, tasks: _t2, appliedRequests: _a2, ...upgraded } = state;
    expect(upgraded).toEqual(rest);
    expect(state.problems.map((p) => [p.id, p.status, p.severity])).toEqual(legacy.problems.map((p) => [p.id, p.status, p.severity]));
  });

  it('is the identity on a state of today', () => {
    const current = createdItem();
    expect(upgradeLegacyState(current)).toEqual(current);
    expect(upgradeLegacyState(state)).toEqual(state);
  });

  it('the upgraded state goes on: a retry of an old request is a duplicate, the pending request can be decided, the clock runs', () => {
    const retry = applyCommand(state, envelope(LEADER, { type: 'acceptTask', taskId: 't1' }, 'old-2'), NOW + 4 * HOUR);
    expect(retry.result.duplicate).toBe(true);
    const decided = applyCommand(state, envelope(LEADER, { type: 'decideExtension', taskId: 't1', approve: true }), NOW + 4 * HOUR);
    expect(task(decided.state, 't1')).toMatchObject({ extensionsApproved: 2, escalationLevel: 0, maxEscalationLevel: 2 });
    expect(task(decided.state, 't1').pendingExtension).toBeUndefined();
    expect(task(decided.state, 't1').deadline.dueAt).toBe('2026-05-01T10:00:00.000Z');
    const accepted = applyCommand(decided.state, envelope(LEADER, { type: 'acceptTask', taskId: 't1' }), NOW + 5 * HOUR).state;
    expect(accepted.status).toBe('completed'); // t2 was cancelled
    // the pending request is a real one: a second is refused until it is decided
    let code: unknown;
    try {
      applyCommand(state, envelope(OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: LATER, reason: 'x' }), NOW + 4 * HOUR);
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe('INVALID_TRANSITION');
  });
});

describe('upgradeLegacyState on a legacy task without extensions list entries', () => {
  it('a task with an empty list of extensions upgrades with zero counts', () => {
    const s = legacyState();
    (s.tasks[0] as unknown as { extensions: unknown[] }).extensions = [];
    const t = upgradeLegacyState(s).tasks[0] as TaskState;
    expect(t).toMatchObject({ extensionsApproved: 0, extensionsDenied: 0 });
    expect(t.pendingExtension).toBeUndefined();
  });

  it('the clock runs on an upgraded item', () => {
    const s = legacyState();
    (s.tasks[0] as unknown as Record<string, unknown>).status = 'inProgress';
    const up = upgradeLegacyState(s);
    const out = advanceClock(up, T1_DUE + DAY);
    expect(out.records.auditEvents.map((e) => e.action)).toContain('deadlineMissed');
    expect(task(out.state, 't1').maxEscalationLevel).toBeGreaterThanOrEqual(task(up, 't1').maxEscalationLevel);
    // a refusal for the other unit, as ever
    expect(() => applyCommand(up, envelope(OWNER_B, { type: 'reportProgress', taskId: 't1', text: 'x', percent: 1 }), NOW + DAY)).toThrow();
  });
});
