/**
 * Builders of valid domain values for tests: every required field filled,
 * anything overridable. Times default to a fixed instant so tests are
 * deterministic; pass `asOf`/`dueAt` explicitly when a light or overdue count matters.
 *
 * The workflow's state holds no text; the read side gets text with the rows of
 * a save (ItemChanges). `buildItemChanges` turns a state into the save a new
 * item would produce: every row, with the default text of each task and problem.
 */
import { headerOf, type DispatchLineRow, type ItemChanges, type ProblemRow, type TaskRow } from '../../domain/item-changes';
import { taskLight } from '../../domain/lights';
import type {
  AuditEvent,
  DispatchRecord,
  DispatchTaskLine,
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

/** The text a row carries unless a test says otherwise. */
export const PROBLEM_TEXT = 'problem found by inspection';
export const TASK_TEXT = 'rectification task';
export const BASIS_TEXT = 'fixed instant';

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
  return { id: 'p1', severity: 'medium', status: 'open', ...overrides };
}

/** A task assigned at T0, due `dueAt` (default T0 + 30 days), owned by `ownerUnit`. */
export function buildTask(overrides: Partial<TaskState> = {}): TaskState {
  const dueAt = overrides.deadline?.dueAt ?? daysAfter(T0, 30);
  return {
    id: 't1',
    problemIds: ['p1'],
    ownerUnit: 'unit-a',
    ownerPerson: 'owner-1',
    coOwners: [],
    status: 'assigned',
    assignedAt: T0,
    deadline: { dueAt, spec: { kind: 'instant', at: dueAt }, resolvedAt: T0 },
    originalDueAt: dueAt,
    percent: 0,
    reportCount: 0,
    reworkCount: 0,
    extensionsApproved: 0,
    extensionsDenied: 0,
    alarms: { dueAt, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: 0,
    maxEscalationLevel: overrides.escalationLevel ?? 0,
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
    deadline: { dueAt, spec: { kind: 'instant', at: dueAt }, resolvedAt: T0 },
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

/** A task row as a save carries it: the task, its light at `asOf`, and (unless `text` is false) its text. */
export function taskRowOf(state: ItemState, task: TaskState, asOf: string, text = true): TaskRow {
  const row: TaskRow = { ...task, light: taskLight(task, state, Date.parse(asOf)) };
  if (text) {
    row.description = TASK_TEXT;
    row.deadlineBasis = BASIS_TEXT;
  }
  return row;
}

export function problemRowOf(problem: ProblemState, text = true): ProblemRow {
  return text ? { ...problem, description: PROBLEM_TEXT } : { ...problem };
}

/** Dispatch records as a save carries them: headers, and their lines as rows of their own. */
export function dispatchRows(dispatches: DispatchRecord[]): Pick<ItemChanges, 'dispatches' | 'dispatchLines'> {
  return {
    dispatches: dispatches.map(({ lines: _lines, ...header }) => header),
    dispatchLines: dispatches.flatMap((d) => d.lines.map((l): DispatchLineRow => ({ ...l, itemId: d.itemId, seq: d.seq }))),
  };
}

export interface ChangesOverrides extends Partial<Omit<ItemChanges, 'dispatches' | 'dispatchLines'>> {
  /** whole dispatch records, split into headers and lines */
  dispatches?: DispatchRecord[];
  /** false: rows without text (a later save of a task whose text the read side already has) */
  text?: boolean;
}

/**
 * The save of `state` as of `asOf` (default its updatedAt): the item's header,
 * every problem and task row (with text unless `text: false`) and the given records.
 * `tasks` / `problems` / `header` in the overrides replace the derived ones.
 */
export function buildItemChanges(state: ItemState, overrides: ChangesOverrides = {}): ItemChanges {
  const { dispatches = [], text = true, ...rest } = overrides;
  const asOf = rest.asOf ?? state.updatedAt;
  return {
    itemId: state.id,
    version: state.counters.auditSeq,
    asOf,
    header: headerOf(state, Date.parse(asOf)),
    problems: state.problems.map((p) => problemRowOf(p, text)),
    tasks: state.tasks.map((t) => taskRowOf(state, t, asOf, text)),
    auditEvents: [],
    notifications: [],
    escalations: [],
    reviews: [],
    ...dispatchRows(dispatches),
    ...rest,
  };
}

export function buildAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    itemId: 'item-1',
    seq: 1,
    at: T0,
    actor: { id: 'leader-1', name: 'Leader One', role: 'leader' },
    action: 'itemCreated',
    units: [],
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
    units: ['unit-a'],
    reason: 'deadline in 3 days',
    firedAt: T0,
    ...overrides,
  };
}

export function buildEscalation(overrides: Partial<EscalationRecord> = {}): EscalationRecord {
  const ownerUnit = overrides.ownerUnit ?? 'unit-a';
  return {
    itemId: 'item-1',
    taskId: 't1',
    ownerUnit,
    units: [ownerUnit],
    dueAt: daysAfter(T0, 30),
    rung: 1,
    level: 1,
    notify: ['ownerUnit', 'unitLeader'],
    firedAt: daysAfter(T0, 30),
    ...overrides,
  };
}

export function buildDispatchLine(overrides: Partial<DispatchTaskLine> = {}): DispatchTaskLine {
  return {
    taskId: 't1',
    ownerUnit: 'unit-a',
    coOwners: [],
    ownerPerson: 'owner-1',
    status: 'assigned',
    percent: 0,
    dueAt: daysAfter(T0, 30),
    msToDeadline: 23 * 86_400_000,
    light: 'green',
    stale: false,
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
