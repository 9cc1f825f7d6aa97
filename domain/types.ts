/**
 * The vocabulary of supervision work (README "The item") as types. Sandbox-safe: types only.
 * Every date is an ISO-8601 string; every duration an ISO-8601 duration.
 */

export type SupervisionLevel = 'province' | 'city' | 'county' | 'none';
export const SUPERVISION_LEVELS: readonly SupervisionLevel[] = ['province', 'city', 'county', 'none'];

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type Role = 'leader' | 'owner' | 'supervisor' | 'admin' | 'system';

/** Who acts. Comes from the bearer token at the API, never from a request body. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  /** the responsible unit an owner belongs to */
  unit?: string;
  /** the plans a leader answers for, as the API found them when the command came (not recorded) */
  plans?: string[];
}

/** How a deadline was given: a fixed instant, or N working days from assignment. */
export type DeadlineSpec = { kind: 'instant'; at: string } | { kind: 'workingDays'; days: number };

/** A deadline resolved to an instant, with how it was computed (the basis goes on record, not into state). */
export interface ResolvedDeadline extends TaskDeadline {
  /** human-readable explanation, e.g. which holidays and make-up workdays were counted */
  basis: string;
}

/** Who an escalation rung or a notification is addressed to. */
export type RecipientRole = 'ownerUnit' | 'unitLeader' | 'itemLeader' | 'supervisionOffice';

/**
 * A span of office time: an ISO-8601 duration (calendar time, e.g. "P3D", "PT0S"),
 * or N working days on the item's holiday calendar, landing at a local time
 * (default 09:00) on the Nth working day counted from the day after (or before) the reference.
 */
export type Offset = string | WorkingDayOffset;

export interface WorkingDayOffset {
  workingDays: number;
  /** HH:MM local time on that working day; default 09:00 */
  at?: string;
}

export interface EscalationRung {
  /** after the deadline: a duration (PT0S means at the deadline) or working days */
  after: Offset;
  /** 1, 2, 3…: the level the item reaches when this rung fires */
  level: number;
  notify: RecipientRole[];
}

/** Weekly event at a local weekday and time. weekday: ISO 1 = Monday … 7 = Sunday. */
export interface WeeklySchedule {
  weekday: number;
  time: string; // HH:MM, local to the policy's timezone
}

/** Monthly event on a local day of month (1–28 so every month has it) and time. */
export interface MonthlySchedule {
  day: number;
  time: string; // HH:MM
}

/**
 * China's statutory holidays (法定节假日) and make-up workdays (调休) as data.
 * It travels in the workflow input and the item's state, so it is recorded in
 * history: a replay resolves working days exactly as the first run did, even
 * after the calendar package is updated.
 */
export interface HolidayCalendar {
  /** where the data came from, e.g. "chinese-days 1.5.7" */
  source: string;
  /** the published calendar's version (absent: the package data an item started with before versions existed) */
  version?: number;
  /**
   * 'fixed-date': in a year without its State Council notice, the fixed-date statutory
   * holidays (1 January, 1–2 May, 1–3 October) are already skipped and deadlines that
   * count over them are provisional. Absent on calendars of items started before this rule.
   */
  fallback?: 'fixed-date';
  /** years whose State Council holiday notice is in the data */
  years: number[];
  /** YYYY-MM-DD → holiday name */
  holidays: Record<string, string>;
  /** YYYY-MM-DD → the holiday a weekend workday makes up for */
  workdays: Record<string, string>;
}

export interface ItemPolicy {
  timezone: string;
  weeklyDispatch: WeeklySchedule;
  monthlyReview: MonthlySchedule;
  /** before a deadline, when the yellow warning fires: a duration or working days */
  warningLead: Offset;
  escalationLadder: EscalationRung[];
  /**
   * Time as an office counts it (rounds on working days, a submission stops the
   * owner's clock, follow-up watch). Every item created since it exists has it;
   * items started before keep the rules they started with.
   */
  office?: OfficeRules;
}

/** A reminder to the leader while a submitted task waits for acceptance. */
export interface ReviewRung {
  /** after the submission */
  after: Offset;
  notify: RecipientRole[];
}

export interface OfficeRules {
  /** a weekly dispatch or monthly review that falls on a non-working day moves to the next working day, same local time */
  roundsOnWorkingDays: boolean;
  /** a task is stale at a dispatch only if the period since the previous one held at least this many working days */
  staleMinWorkingDays: number;
  /** reminders, then escalation, to the leader while a submitted task waits (the owner's clock is stopped meanwhile) */
  reviewLadder: ReviewRung[];
  /** a follow-up check (回头看) this long after the last task is accepted; the item stays open until the leader confirms it */
  followUp?: { after: Offset };
}

export interface ProblemInput {
  id: string;
  description: string;
  severity: Severity;
}

export interface TaskInput {
  id: string;
  problemIds: string[];
  description: string;
  measures?: string;
  ownerUnit: string;
  ownerPerson: string;
  coOwners?: string[];
  deadline: DeadlineSpec;
}

export interface PersonRef {
  id: string;
  name: string;
}

/** What a leader submits to start an item. */
export interface ItemInput {
  id: string;
  planId?: string;
  title: string;
  source?: string;
  category?: string;
  supervisionLevel: SupervisionLevel;
  leader: PersonRef;
  problems: ProblemInput[];
  tasks: TaskInput[];
  policy?: PolicyInput;
}

/** A policy as a leader gives it: any field may be left to its default. */
export type PolicyInput = Partial<Omit<ItemPolicy, 'office'>> & { office?: Partial<OfficeRules> };

export type TaskStatus = 'assigned' | 'inProgress' | 'submitted' | 'accepted' | 'cancelled';
export type ProblemStatus = 'open' | 'closed';
export type ItemStatus = 'active' | 'completed' | 'cancelled';
/** green on track; yellow inside the warning lead or stale; red overdue; none when closed */
export type Light = 'green' | 'yellow' | 'red' | 'none';

/** An extension an owner asked for, waiting for the leader's decision (at most one per task). */
export interface PendingExtension {
  requestedAt: string;
  /** who asked is on record in the audit trail, not here: the state keeps only what the rules need */
  newDeadline: DeadlineSpec;
  /** the deadline it would give if approved at the time it was asked */
  proposedDueAt: string;
}

/** Which time-based events already fired for the task's current due instant. */
export interface TaskAlarms {
  dueAt: string;
  warned: boolean;
  overdue: boolean;
  /** number of ladder rungs fired, in order */
  rungsFired: number;
  /** review reminders fired for the current submission (office rules) */
  reviewReminders?: number;
}

/** A task's deadline as the clock needs it; how it was computed (`basis`) is text kept on the read side. */
export interface TaskDeadline {
  dueAt: string;
  spec: DeadlineSpec;
  /** the instant the resolution was made (assignment, or the extension decision) */
  resolvedAt: string;
  /** counted over a year whose holiday notice is not published yet: it may move when it is */
  provisional?: true;
  /** working days pauses and review waits added to this deadline */
  shiftedDays?: number;
}

/**
 * A task as the workflow keeps it: only what the clock and the rules need, so
 * an item's state has a size its limits bound (domain/limits.ts). Text (the
 * description, measures, progress reports, evidence, reasons, notes) travels
 * with the command that brings it into the item's records and the read side,
 * never into this state.
 */
export interface TaskState {
  id: string;
  problemIds: string[];
  ownerUnit: string;
  ownerPerson: string;
  coOwners: string[];
  status: TaskStatus;
  assignedAt: string;
  deadline: TaskDeadline;
  /** the first deadline ever set; kept for scoring after extensions */
  originalDueAt: string;
  percent: number;
  lastProgressAt?: string;
  reportCount: number;
  submittedAt?: string;
  reworkCount: number;
  pendingExtension?: PendingExtension;
  extensionsApproved: number;
  extensionsDenied: number;
  alarms: TaskAlarms;
  /** escalation level against the current deadline (0 = none); an approved extension re-arms it */
  escalationLevel: number;
  /** highest escalation level ever reached by this task, whatever extensions came after */
  maxEscalationLevel: number;
  /** set by a weekly dispatch that found no progress since the previous one */
  stale: boolean;
  acceptedAt?: string;
  cancelledAt?: string;
  /** the clock is suspended (中止计时) since this instant */
  pausedAt?: string;
  /** pauses so far, and the working days they moved the deadline by */
  pauses?: number;
  pausedWorkingDays?: number;
}

export interface ProblemState {
  id: string;
  severity: Severity;
  status: ProblemStatus;
  closedAt?: string;
}

export type RiskRating = 'low' | 'medium' | 'high';

export interface ReviewFigures {
  totalTasks: number;
  acceptedTasks: number;
  cancelledTasks: number;
  /** accepted / (total − cancelled), 0..1; 1 when nothing is left to do */
  completionRate: number;
  openProblems: number;
  overdueCount: number;
  escalationsThisPeriod: number;
  reworksThisPeriod: number;
  risk: RiskRating;
}

export interface ItemSchedule {
  nextDispatchAt: string;
  nextReviewAt: string;
  dispatchCount: number;
  reviewCount: number;
  lastDispatchAt?: string;
  lastReviewAt?: string;
  lastReview?: ReviewFigures;
}

export interface ItemCounters {
  escalations: number;
  reworks: number;
  escalationsSinceReview: number;
  reworksSinceReview: number;
  /** sequence of audit events; also the item's version */
  auditSeq: number;
}

/** The follow-up watch (回头看) of an item whose tasks are all done. */
export interface FollowUpWatch {
  /** when the last task was accepted */
  since: string;
  /** when the leader is asked to check */
  dueAt: string;
  notified: boolean;
}

export interface ItemState {
  id: string;
  planId?: string;
  title: string;
  source?: string;
  category?: string;
  supervisionLevel: SupervisionLevel;
  leader: PersonRef;
  policy: ItemPolicy;
  calendar: HolidayCalendar;
  status: ItemStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  completedAt?: string;
  cancelledAt?: string;
  problems: ProblemState[];
  tasks: TaskState[];
  schedule: ItemSchedule;
  counters: ItemCounters;
  /** waiting for the follow-up check (office rules with followUp): the item stays active until the leader confirms */
  followUp?: FollowUpWatch;
  /** recent requests already applied (bounded by LIMITS.requestMemory), so a retried request is not applied twice */
  appliedRequests: AppliedRequest[];
}

/** A request the item applied: its id (bound to the caller) and the fingerprint of what was asked. */
export interface AppliedRequest {
  id: string;
  fingerprint: string;
}

/**
 * The item as the workflow's state query answers it: everything but the
 * holiday calendar and the remembered request ids, which only the workflow's
 * own rules need.
 */
export type ItemSnapshot = Omit<ItemState, 'calendar' | 'appliedRequests'>;

/** One entry of the audit trail: who did what, when. */
export interface AuditEvent {
  itemId: string;
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  requestId?: string;
  taskId?: string;
  /** the units this event is about (a task's owner and co-owner units at the time; both sides of a reassignment) */
  units: string[];
  details: Record<string, unknown>;
}

export type NotificationKind =
  | 'warning'
  | 'overdue'
  | 'escalation'
  | 'chase'
  | 'submitted'
  | 'extensionRequested'
  | 'extensionDecided'
  | 'sentBack'
  | 'accepted'
  | 'reassigned'
  | 'reviewReminder'
  | 'paused'
  | 'resumed'
  | 'followUpDue'
  | 'deadlineMoved';

/** A row of the notification outbox. `key` is unique: a replay or retry never writes a second row. */
export interface Notification {
  key: string;
  itemId: string;
  taskId?: string;
  kind: NotificationKind;
  recipientRole: RecipientRole;
  /** who exactly: a unit name, a person id, or a supervision level */
  recipient: string;
  /** the units the notification is about: the task's owner and co-owner units when it fired */
  units: string[];
  reason: string;
  /** the text a person gave with it (a send-back reason, an extension's reason or decision note) */
  note?: string;
  /** extensionRequested: the deadline asked for; extensionDecided (approved): the new deadline */
  newDueAt?: string;
  level?: number;
  firedAt: string;
  dueAt?: string;
}

/** An escalation rung that fired for a task (one row per rung and deadline). */
export interface EscalationRecord {
  itemId: string;
  taskId: string;
  ownerUnit: string;
  /** the task's owner and co-owner units when the rung fired */
  units: string[];
  dueAt: string;
  rung: number;
  level: number;
  notify: RecipientRole[];
  firedAt: string;
}

export interface DispatchTaskLine {
  taskId: string;
  ownerUnit: string;
  coOwners: string[];
  ownerPerson: string;
  status: TaskStatus;
  percent: number;
  lastProgressAt?: string;
  dueAt: string;
  /** positive: time left; negative: time past the deadline */
  msToDeadline: number;
  light: Light;
  stale: boolean;
}

export interface DispatchRecord {
  itemId: string;
  seq: number;
  at: string;
  openTasks: number;
  staleTasks: number;
  overdueTasks: number;
  lines: DispatchTaskLine[];
}

export interface ReviewRecord {
  itemId: string;
  seq: number;
  at: string;
  /** the month reviewed, YYYY-MM in the item's timezone */
  period: string;
  figures: ReviewFigures;
  previous?: ReviewFigures;
  /** change in completion rate since the previous review, in percentage points */
  completionRateChange?: number;
}

/** What the workflow returns when the item ends. */
export interface ItemSummary {
  itemId: string;
  status: 'completed' | 'cancelled';
  endedAt: string;
  createdAt: string;
  problems: number;
  tasks: number;
  acceptedTasks: number;
  cancelledTasks: number;
  /** accepted after their original deadline (office rules: submitted after it) */
  acceptedLate: number;
  reworks: number;
  escalations: number;
  /** the highest escalation level any task reached */
  maxEscalationLevel?: number;
  extensionsApproved: number;
  /** clock pauses (中止计时) and the working days they added */
  pauses?: number;
  pausedWorkingDays?: number;
  dispatches: number;
  reviews: number;
}
