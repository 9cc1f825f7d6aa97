/**
 * What each command does to one open task. Refusals are DomainErrors with a
 * stable code. Text a command brings (progress, evidence, reasons, notes) goes
 * into its audit event, never into the task's state.
 */
import type { Command } from './commands';
import { deadlineOf } from './create-item';
import { resolveDeadline } from './deadline';
import { DomainError } from './errors';
import { appendAudit, appendNotifications, iso, taskUnits } from './item-helpers';
import { checkEvidence, checkLine, checkText, checkUnitList } from './item-limits';
import type { ItemRecords } from './item-records';
import { LIMITS } from './limits';
import { calendarOf, warningAt } from './lights';
import { shiftByWorkingDays, workingDaysElapsed } from './office-time';
import type { Actor, AuditEvent, ItemState, Notification, TaskState } from './types';

export interface CommandContext {
  state: ItemState;
  nowMs: number;
  actor: Actor;
  requestId: string;
  records: ItemRecords;
}

type TaskCommand = Exclude<Command, { type: 'addProblem' | 'addTask' | 'cancelItem' | 'confirmFollowUp' | 'reopenProblem' }>;
type Handler<T extends TaskCommand['type']> = (ctx: CommandContext, task: TaskState, command: Extract<TaskCommand, { type: T }>) => void;

function optionalText(value: unknown, path: string): void {
  if (value !== undefined) checkText(value, path);
}

function refuse(task: TaskState, action: string): never {
  throw new DomainError('INVALID_TRANSITION', `cannot ${action} task ${task.id} while it is ${task.status}`, {
    taskId: task.id,
    status: task.status,
  });
}

function audit(ctx: CommandContext, task: TaskState, action: string, details: Record<string, unknown> = {}, units?: string[]): AuditEvent {
  return appendAudit(ctx.state, ctx.records.auditEvents, ctx.nowMs, ctx.actor, action, { requestId: ctx.requestId, task, units, details });
}

function notify(
  ctx: CommandContext, task: TaskState, event: AuditEvent, kind: Notification['kind'], roles: Array<'ownerUnit' | 'itemLeader' | 'unitLeader'>,
  reason: string, extra: { note?: string; newDueAt?: string } = {},
): void {
  appendNotifications(ctx.state, ctx.records.notifications, { kind, occurrence: String(event.seq), task, roles, reason, firedAt: ctx.nowMs, ...extra });
}

/** Details without undefined fields: they are JSON. */
function defined(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

const reportProgress: Handler<'reportProgress'> = (ctx, task, c) => {
  if (task.status === 'submitted') refuse(task, 'report progress on');
  const percent = c.percent;
  if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new DomainError('VALIDATION_FAILED', 'percent must be an integer from 0 to 100', { path: 'percent' });
  }
  checkText(c.text, 'text');
  checkEvidence(c.evidence, 'evidence', false);
  task.status = 'inProgress';
  task.percent = percent;
  task.lastProgressAt = iso(ctx.nowMs);
  task.reportCount += 1;
  task.stale = false;
  audit(ctx, task, 'progressReported', { percent, text: c.text, evidence: c.evidence ?? [] });
};

/**
 * The task's clock ran again after standing still since `sinceMs` (a pause, or
 * a wait for the leader's review). Standing still is measured in working time,
 * rounded to whole working days. A task not yet due when its clock stopped gets
 * them back: its deadline, and the deadline lateness is scored on, move by
 * them, and a warning not yet due comes again. A task already late when its
 * clock stopped stays late: its deadline and its fired alarms stand, and only
 * the rungs still to come move, so no rung fires for the time the clock stood still.
 */
export function moveClock(ctx: CommandContext, task: TaskState, sinceMs: number): { workingDays: number; dueAt: string } {
  const { timezone } = ctx.state.policy;
  const calendar = calendarOf(ctx.state);
  const days = workingDaysElapsed(sinceMs, ctx.nowMs, timezone, calendar);
  if (days === 0) return { workingDays: 0, dueAt: task.deadline.dueAt };
  const shift = (iso: string) => new Date(Math.min(shiftByWorkingDays(Date.parse(iso), days, timezone, calendar), LIMITS.latestInstant - 1000)).toISOString();
  if (sinceMs >= Date.parse(task.deadline.dueAt)) {
    task.alarms = { ...task.alarms, dueAt: shift(task.alarms.dueAt) };
    return { workingDays: days, dueAt: task.deadline.dueAt };
  }
  const dueAt = shift(task.deadline.dueAt);
  task.originalDueAt = shift(task.originalDueAt);
  task.deadline = { ...task.deadline, dueAt, shiftedDays: (task.deadline.shiftedDays ?? 0) + days };
  task.alarms = { ...task.alarms, dueAt, warned: task.alarms.warned && warningAt(task, ctx.state) <= ctx.nowMs };
  return { workingDays: days, dueAt };
}

/** Resumes a paused clock; the deadline moves by the working days it was paused. */
function resumeClock(ctx: CommandContext, task: TaskState): { pausedWorkingDays: number; dueAt: string } {
  const moved = moveClock(ctx, task, Date.parse(task.pausedAt!));
  delete task.pausedAt;
  task.pausedWorkingDays = (task.pausedWorkingDays ?? 0) + moved.workingDays;
  return { pausedWorkingDays: moved.workingDays, dueAt: moved.dueAt };
}

const submitTask: Handler<'submitTask'> = (ctx, task, c) => {
  if (task.status === 'submitted') refuse(task, 'submit');
  checkEvidence(c.evidence, 'evidence', true);
  optionalText(c.note, 'note');
  // work finished during a pause: the clock resumes, then stops again at the submission
  const resumed = task.pausedAt !== undefined ? resumeClock(ctx, task) : undefined;
  if (ctx.state.policy.office) task.alarms.reviewReminders = 0;
  task.status = 'submitted';
  task.percent = 100;
  task.submittedAt = iso(ctx.nowMs);
  task.lastProgressAt = task.submittedAt;
  task.stale = false;
  const event = audit(ctx, task, 'taskSubmitted', defined({ evidence: c.evidence, note: c.note, resumed }));
  notify(ctx, task, event, 'submitted', ['itemLeader'], `task ${task.id} submitted for acceptance`);
};

const requestExtension: Handler<'requestExtension'> = (ctx, task, c) => {
  if (task.pendingExtension) refuse(task, 'request a second pending extension for');
  checkText(c.reason, 'reason');
  const proposed = resolveDeadline(c.newDeadline, ctx.nowMs, ctx.state.policy.timezone, ctx.state.calendar);
  if (Date.parse(proposed.dueAt) <= Date.parse(task.deadline.dueAt)) {
    throw new DomainError('VALIDATION_FAILED', `the new deadline ${proposed.dueAt} is not later than ${task.deadline.dueAt}`, {
      path: 'newDeadline',
    });
  }
  // An overdue task's owner could name a date later than the missed deadline but already
  // gone: decideExtension could never approve it, and it would block any new request.
  if (Date.parse(proposed.dueAt) <= ctx.nowMs) {
    throw new DomainError('VALIDATION_FAILED', `the new deadline ${proposed.dueAt} has already passed`, { path: 'newDeadline' });
  }
  task.pendingExtension = { requestedAt: iso(ctx.nowMs), newDeadline: c.newDeadline, proposedDueAt: proposed.dueAt };
  const event = audit(ctx, task, 'extensionRequested', { newDeadline: c.newDeadline, proposedDueAt: proposed.dueAt, reason: c.reason });
  notify(ctx, task, event, 'extensionRequested', ['itemLeader'], `extension requested for task ${task.id}: ${c.reason}`, {
    note: c.reason, newDueAt: proposed.dueAt,
  });
};

const acceptTask: Handler<'acceptTask'> = (ctx, task, c) => {
  if (task.status !== 'submitted') refuse(task, 'accept');
  optionalText(c.note, 'note');
  task.status = 'accepted';
  task.acceptedAt = iso(ctx.nowMs);
  task.stale = false;
  const closedExtension = task.pendingExtension !== undefined;
  delete task.pendingExtension;
  // office rules: lateness is the owner's, scored when they handed the work in, not when the leader got to it
  const scoredAt = ctx.state.policy.office && task.submittedAt ? Date.parse(task.submittedAt) : ctx.nowMs;
  const late = scoredAt > Date.parse(task.originalDueAt);
  const event = audit(ctx, task, 'taskAccepted', defined({ note: c.note, late, closedPendingExtension: closedExtension || undefined }));
  notify(ctx, task, event, 'accepted', ['ownerUnit'], `task ${task.id} accepted and struck off`, defined({ note: c.note }));
};

const sendBackTask: Handler<'sendBackTask'> = (ctx, task, c) => {
  if (task.status !== 'submitted') refuse(task, 'send back');
  checkText(c.reason, 'reason');
  // office rules: the owner's clock stood still while the leader reviewed; it resumes with that time given back
  const moved = ctx.state.policy.office ? moveClock(ctx, task, Date.parse(task.submittedAt!)) : undefined;
  if (moved) delete task.alarms.reviewReminders;
  task.status = 'inProgress';
  task.reworkCount += 1;
  delete task.submittedAt;
  ctx.state.counters.reworks += 1;
  ctx.state.counters.reworksSinceReview += 1;
  const event = audit(ctx, task, 'taskSentBack', defined({
    reason: c.reason, reworkCount: task.reworkCount,
    reviewWorkingDays: moved?.workingDays, dueAt: moved && moved.workingDays > 0 ? moved.dueAt : undefined,
  }));
  notify(ctx, task, event, 'sentBack', ['ownerUnit'], `task ${task.id} sent back for rework: ${c.reason}`, defined({
    note: c.reason, newDueAt: moved && moved.workingDays > 0 ? moved.dueAt : undefined,
  }));
};

const decideExtension: Handler<'decideExtension'> = (ctx, task, c) => {
  const pending = task.pendingExtension;
  if (!pending) refuse(task, 'decide an extension (none is pending) for');
  if (typeof c.approve !== 'boolean') throw new DomainError('VALIDATION_FAILED', 'approve must be true or false', { path: 'approve' });
  optionalText(c.note, 'note');
  if (c.approve) {
    // The deadline is resolved again now: a working-day count runs from the decision.
    const deadline = resolveDeadline(pending.newDeadline, ctx.nowMs, ctx.state.policy.timezone, ctx.state.calendar);
    if (Date.parse(deadline.dueAt) <= ctx.nowMs) {
      throw new DomainError('VALIDATION_FAILED', `the requested deadline ${deadline.dueAt} has already passed`, { path: 'newDeadline' });
    }
    task.deadline = deadlineOf(deadline);
    // the ladder starts again on the new deadline; reminders to the leader about work already handed in do not
    const reminders = task.alarms.reviewReminders;
    task.alarms = { dueAt: deadline.dueAt, warned: false, overdue: false, rungsFired: 0, ...(reminders !== undefined ? { reviewReminders: reminders } : {}) };
    // a pause goes on, counted from now: the new deadline already runs from this decision
    if (task.pausedAt !== undefined) task.pausedAt = iso(ctx.nowMs);
    // maxEscalationLevel keeps what was reached
    task.escalationLevel = 0;
    task.extensionsApproved += 1;
    ctx.records.taskTexts.push({ taskId: task.id, deadlineBasis: deadline.basis });
  } else {
    task.extensionsDenied += 1;
  }
  delete task.pendingExtension;
  const event = audit(ctx, task, c.approve ? 'extensionApproved' : 'extensionDenied', defined({
    note: c.note, requestedAt: pending.requestedAt, newDeadline: pending.newDeadline, dueAt: task.deadline.dueAt,
  }));
  notify(ctx, task, event, 'extensionDecided', ['ownerUnit'], `extension ${c.approve ? 'approved' : 'denied'} for task ${task.id}`,
    defined({ note: c.note, newDueAt: c.approve ? task.deadline.dueAt : undefined }));
};

const reassignTask: Handler<'reassignTask'> = (ctx, task, c) => {
  checkLine(c.ownerUnit, 'ownerUnit', LIMITS.nameLength);
  checkLine(c.ownerPerson, 'ownerPerson', LIMITS.nameLength);
  checkUnitList(c.coOwners, 'coOwners');
  const from = { ownerUnit: task.ownerUnit, ownerPerson: task.ownerPerson, coOwners: task.coOwners };
  const before = taskUnits(task);
  // an extension the old unit asked for is theirs: it ends with the hand-over, on their record, not the new unit's
  const closedExtension = task.pendingExtension !== undefined;
  delete task.pendingExtension;
  task.ownerUnit = c.ownerUnit;
  task.ownerPerson = c.ownerPerson;
  if (c.coOwners !== undefined) task.coOwners = [...c.coOwners];
  // both sides: the unit that hands the task over keeps this line in its record
  const units = [...new Set([...before, ...taskUnits(task)])];
  const event = audit(ctx, task, 'taskReassigned', defined({
    from, to: { ownerUnit: task.ownerUnit, ownerPerson: task.ownerPerson, coOwners: task.coOwners },
    closedPendingExtension: closedExtension || undefined,
  }), units);
  notify(ctx, task, event, 'reassigned', ['ownerUnit'], `task ${task.id} is now assigned to ${task.ownerUnit}`);
};

/** Ends an open task without acceptance; a pending extension request ends with it. */
export function cancelOpenTask(task: TaskState, nowMs: number): void {
  task.status = 'cancelled';
  task.cancelledAt = iso(nowMs);
  task.stale = false;
  delete task.pendingExtension;
  // a clock stops for good with the task: it is no longer paused
  delete task.pausedAt;
}

const cancelTask: Handler<'cancelTask'> = (ctx, task, c) => {
  checkText(c.reason, 'reason');
  cancelOpenTask(task, ctx.nowMs);
  audit(ctx, task, 'taskCancelled', { reason: c.reason });
};

const pauseTask: Handler<'pauseTask'> = (ctx, task, c) => {
  if (task.pausedAt !== undefined) refuse(task, 'pause (it is already paused)');
  if (task.status === 'submitted') refuse(task, 'pause');
  checkText(c.reason, 'reason');
  task.pausedAt = iso(ctx.nowMs);
  task.pauses = (task.pauses ?? 0) + 1;
  const event = audit(ctx, task, 'taskPaused', { reason: c.reason, dueAt: task.deadline.dueAt });
  notify(ctx, task, event, 'paused', ['ownerUnit'], `the clock of task ${task.id} is paused: ${c.reason}`, { note: c.reason });
};

const resumeTask: Handler<'resumeTask'> = (ctx, task, c) => {
  if (task.pausedAt === undefined) refuse(task, 'resume (it is not paused)');
  optionalText(c.note, 'note');
  const pausedAt = task.pausedAt;
  const resumed = resumeClock(ctx, task);
  const event = audit(ctx, task, 'taskResumed', defined({ note: c.note, pausedAt, ...resumed }));
  notify(ctx, task, event, 'resumed', ['ownerUnit'], `the clock of task ${task.id} runs again; it is due ${resumed.dueAt}`,
    defined({ note: c.note, newDueAt: resumed.dueAt }));
};

export const taskCommandHandlers: { [T in TaskCommand['type']]: Handler<T> } = {
  reportProgress,
  submitTask,
  requestExtension,
  acceptTask,
  sendBackTask,
  decideExtension,
  reassignTask,
  cancelTask,
  pauseTask,
  resumeTask,
};

/**
 * Commands that make the item bigger: they must leave it within its state
 * budget. An extension request is not one of them: the reserve every open task
 * keeps already holds a pending extension, so no owner loses the right to ask.
 */
export const GROWING_COMMANDS: ReadonlySet<Command['type']> = new Set(['addProblem', 'addTask', 'reassignTask', 'reopenProblem']);
