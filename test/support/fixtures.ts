/**
 * Builders of valid domain snapshots for tests: every required field filled,
 * anything overridable. Times default to a fixed instant so tests are
 * deterministic; pass `asOf`/`dueAt` explicitly when a light or overdue count matters.
 */
import type { ItemChanges } from '../../activities/item-changes';
import type {
  AuditEvent,
  DispatchRecord,
  EscalationRecord,
  ItemPolicy,
  ItemState,
  Notification,
  ProblemState,
  ReviewFigures,
  ReviewRecord,
  TaskState,
} from '../../domain/types';
import { statutoryCalendar } from '../../domain/statutory-calendar';

export const T0 = '2024-03-01T00:00:00.000Z';

/** ISO instant `days` days after `from` (may be negative or fractional). */
export function daysAfter(from: string, days: number): string {
  return new Date(Date.parse(from) + days * 86_400_000).toISOString();
}

export function buildPolicy(overrides: Partial<ItemPolicy> = {}): ItemPolicy {
  return {
    timezone: 'Asia/Shanghai',
    weeklyDispatch: { weekday: 1, time: '09:00' },
    monthlyReview: { day: 1, time: '09:00' },
    warningLead: 'P3D',
    escalationLadder: [
      { after: 'PT0S', level: 1, notify: ['ownerUnit', 'unitLeader'] },
      { after: 'P3D', level: 2, notify: ['itemLeader'] },
      { after: 'P7D', level: 3, notify: ['supervisionOffice'] },
    ],
    ...overrides,
  };
}

export function buildProblem(overrides: Partial<ProblemState> = {}): ProblemState {
  return { id: 'p1', description: 'problem found by inspection', severity: 'medium', status: 'open', ...overrides };
}

/** A task assigned at T0, due `dueAt` (default T0 + 30 days), owned by `ownerUnit`. */
export function buildTask(overrides: Partial<TaskState> = {}): TaskState {
  const dueAt = overrides.deadline?.dueAt ?? daysAfter(T0, 30);
  return {
    id: 't1',
    problemIds: ['p1'],
    description: 'rectification task',
    ownerUnit: 'unit-a',
    ownerPerson: 'owner-1',
    coOwners: [],
    status: 'assigned',
    assignedAt: T0,
    deadline: { dueAt, spec: { kind: 'instant', at: dueAt }, resolvedAt: T0, basis: 'fixed instant' },
    originalDueAt: dueAt,
    percent: 0,
    reportCount: 0,
    reworkCount: 0,
    extensions: [],
    alarms: { dueAt, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: 0,
    stale: false,
    ...overrides,
  };
}

/** A task due at `dueAt`: sets deadline, originalDueAt and alarms consistently. */
export function taskDue(dueAt: string, overrides: Partial<TaskState> = {}): TaskState {
  return buildTask({
    originalDueAt: dueAt,
    alarms: { dueAt, warned: false, overdue: false, rungsFired: 0 },
    ...overrides,
    deadline: { dueAt, spec: { kind: 'instant', at: dueAt }, resolvedAt: T0, basis: 'fixed instant' },
  });
}

export function buildItemState(overrides: Partial<ItemState> = {}): ItemState {
  return {
    id: 'item-1',
    title: 'Rectification item',
    supervisionLevel: 'none',
    leader: { id: 'leader-1', name: 'Leader One' },
    policy: buildPolicy(),
    calendar: statutoryCalendar(),
    status: 'active',
    createdAt: T0,
    createdBy: 'leader-1',
    updatedAt: T0,
    problems: [buildProblem()],
    tasks: [buildTask()],
    schedule: { nextDispatchAt: daysAfter(T0, 7), nextReviewAt: daysAfter(T0, 30), dispatchCount: 0, reviewCount: 0 },
    counters: { escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 1 },
    appliedRequests: [],
    ...overrides,
  };
}

export function buildItemChanges(state: ItemState, overrides: Partial<Omit<ItemChanges, 'state'>> = {}): ItemChanges {
  return {
    asOf: state.updatedAt,
    state,
    auditEvents: [],
    notifications: [],
    escalations: [],
    dispatches: [],
    reviews: [],
    ...overrides,
  };
}

export function buildAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    itemId: 'item-1',
    seq: 1,
    at: T0,
    actor: { id: 'leader-1', name: 'Leader One', role: 'leader' },
    action: 'itemCreated',
    details: {},
    ...overrides,
  };
}

export function buildNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    key: 'item-1:t1:warning:1',
    itemId: 'item-1',
    taskId: 't1',
    kind: 'warning',
    recipientRole: 'ownerUnit',
    recipient: 'unit-a',
    reason: 'deadline in 3 days',
    firedAt: T0,
    ...overrides,
  };
}

export function buildEscalation(overrides: Partial<EscalationRecord> = {}): EscalationRecord {
  return {
    itemId: 'item-1',
    taskId: 't1',
    ownerUnit: 'unit-a',
    dueAt: daysAfter(T0, 30),
    rung: 1,
    level: 1,
    notify: ['ownerUnit', 'unitLeader'],
    firedAt: daysAfter(T0, 30),
    ...overrides,
  };
}

export function buildDispatch(overrides: Partial<DispatchRecord> = {}): DispatchRecord {
  return { itemId: 'item-1', seq: 1, at: daysAfter(T0, 7), openTasks: 1, staleTasks: 0, overdueTasks: 0, lines: [], ...overrides };
}

export function buildReviewFigures(overrides: Partial<ReviewFigures> = {}): ReviewFigures {
  return {
    totalTasks: 1,
    acceptedTasks: 0,
    cancelledTasks: 0,
    completionRate: 0,
    openProblems: 1,
    overdueCount: 0,
    escalationsThisPeriod: 0,
    reworksThisPeriod: 0,
    risk: 'low',
    ...overrides,
  };
}

export function buildReview(overrides: Partial<ReviewRecord> = {}): ReviewRecord {
  return { itemId: 'item-1', seq: 1, at: daysAfter(T0, 30), period: '2024-03', figures: buildReviewFigures(), ...overrides };
}
