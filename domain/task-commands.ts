/** What each command does to one open task. Refusals are DomainErrors with a stable code. */
import type { Command } from './commands';
import { resolveDeadline } from './deadline';
import { DomainError } from './errors';
import { appendAudit, appendNotifications, iso } from './item-helpers';
import type { Actor, AuditEvent, ItemState, Notification, TaskState } from './types';

export interface CommandContext {
  state: ItemState;
  nowMs: number;
  actor: Actor;
  requestId: string;
  auditEvents: AuditEvent[];
  notifications: Notification[];
}

type TaskCommand = Exclude<Command, { type: 'addProblem' | 'addTask' | 'cancelItem' }>;
type Handler<T extends TaskCommand['type']> = (ctx: CommandContext, task: TaskState, command: Extract<TaskCommand, { type: T }>) => void;

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', `${path} is required`, { path });
  }
  return value;
}

function refuse(task: TaskState, action: string): never {
  throw new DomainError('INVALID_TRANSITION', `cannot ${action} task ${task.id} while it is ${task.status}`, {
    taskId: task.id,
    status: task.status,
  });
}

function audit(ctx: CommandContext, task: TaskState, action: string, details: Record<string, unknown> = {}): AuditEvent {
  return appendAudit(ctx.state, ctx.auditEvents, ctx.nowMs, ctx.actor, action, { requestId: ctx.requestId, taskId: task.id, details });
}

function notify(ctx: CommandContext, task: TaskState, event: AuditEvent, kind: Notification['kind'], roles: Array<'ownerUnit' | 'itemLeader'>, reason: string): void {
  appendNotifications(ctx.state, ctx.notifications, { kind, occurrence: String(event.seq), task, roles, reason, firedAt: ctx.nowMs });
}

/** A task that leaves the open states takes its pending extension request with it, on record. */
function closePendingExtension(ctx: CommandContext, task: TaskState, note: string): void {
  const pending = task.extensions.find((e) => e.status === 'pending');
  if (!pending) return;
  pending.status = 'denied';
  pending.decidedAt = iso(ctx.nowMs);
  pending.decidedBy = ctx.actor.id;
  pending.note = note;
}

const reportProgress: Handler<'reportProgress'> = (ctx, task, c) => {
  if (task.status === 'submitted') refuse(task, 'report progress on');
  const percent = c.percent;
  if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new DomainError('VALIDATION_FAILED', 'percent must be an integer from 0 to 100', { path: 'percent' });
  }
  const evidence = c.evidence ?? [];
  task.status = 'inProgress';
  task.percent = percent;
  task.lastProgressAt = iso(ctx.nowMs);
  task.lastReport = { at: task.lastProgressAt, by: ctx.actor.id, text: text(c.text, 'text'), percent, evidence };
  task.reportCount += 1;
  task.stale = false;
  audit(ctx, task, 'progressReported', { percent, text: c.text, evidence });
};

const submitTask: Handler<'submitTask'> = (ctx, task, c) => {
  if (task.status === 'submitted') refuse(task, 'submit');
  if (!Array.isArray(c.evidence) || c.evidence.length === 0 || c.evidence.some((e) => typeof e !== 'string' || !e)) {
    throw new DomainError('VALIDATION_FAILED', 'submitting for acceptance requires evidence', { path: 'evidence' });
  }
  task.status = 'submitted';
  task.percent = 100;
  task.submission = { at: iso(ctx.nowMs), by: ctx.actor.id, evidence: [...c.evidence], note: c.note };
  task.lastProgressAt = task.submission.at;
  task.stale = false;
  const event = audit(ctx, task, 'taskSubmitted', { evidence: c.evidence, note: c.note });
  notify(ctx, task, event, 'submitted', ['itemLeader'], `task ${task.id} submitted for acceptance`);
};

const requestExtension: Handler<'requestExtension'> = (ctx, task, c) => {
  if (task.extensions.some((e) => e.status === 'pending')) refuse(task, 'request a second pending extension for');
  const reason = text(c.reason, 'reason');
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
  task.extensions.push({ requestedAt: iso(ctx.nowMs), requestedBy: ctx.actor.id, newDeadline: c.newDeadline, reason, status: 'pending' });
  const event = audit(ctx, task, 'extensionRequested', { newDeadline: c.newDeadline, proposedDueAt: proposed.dueAt, reason });
  notify(ctx, task, event, 'extensionRequested', ['itemLeader'], `extension requested for task ${task.id}: ${reason}`);
};

const acceptTask: Handler<'acceptTask'> = (ctx, task, c) => {
  if (task.status !== 'submitted') refuse(task, 'accept');
  task.status = 'accepted';
  task.acceptedAt = iso(ctx.nowMs);
  task.acceptedBy = ctx.actor.id;
  task.stale = false;
  closePendingExtension(ctx, task, 'closed by acceptance');
  const late = ctx.nowMs > Date.parse(task.originalDueAt);
  const event = audit(ctx, task, 'taskAccepted', { note: c.note, late });
  notify(ctx, task, event, 'accepted', ['ownerUnit'], `task ${task.id} accepted and struck off`);
};

const sendBackTask: Handler<'sendBackTask'> = (ctx, task, c) => {
  if (task.status !== 'submitted') refuse(task, 'send back');
  const reason = text(c.reason, 'reason');
  task.status = 'inProgress';
  task.reworkCount += 1;
  delete task.submission;
  ctx.state.counters.reworks += 1;
  ctx.state.counters.reworksSinceReview += 1;
  const event = audit(ctx, task, 'taskSentBack', { reason, reworkCount: task.reworkCount });
  notify(ctx, task, event, 'sentBack', ['ownerUnit'], `task ${task.id} sent back for rework: ${reason}`);
};

const decideExtension: Handler<'decideExtension'> = (ctx, task, c) => {
  const pending = task.extensions.find((e) => e.status === 'pending');
  if (!pending) refuse(task, 'decide an extension (none is pending) for');
  if (typeof c.approve !== 'boolean') throw new DomainError('VALIDATION_FAILED', 'approve must be true or false', { path: 'approve' });
  pending.decidedAt = iso(ctx.nowMs);
  pending.decidedBy = ctx.actor.id;
  pending.note = c.note;
  if (c.approve) {
    // The deadline is resolved again now: a working-day count runs from the decision.
    const deadline = resolveDeadline(pending.newDeadline, ctx.nowMs, ctx.state.policy.timezone, ctx.state.calendar);
    if (Date.parse(deadline.dueAt) <= ctx.nowMs) {
      throw new DomainError('VALIDATION_FAILED', `the requested deadline ${deadline.dueAt} has already passed`, { path: 'newDeadline' });
    }
    pending.status = 'approved';
    pending.resolvedDueAt = deadline.dueAt;
    task.deadline = deadline;
    task.alarms = { dueAt: deadline.dueAt, warned: false, overdue: false, rungsFired: 0 };
    task.escalationLevel = 0;
  } else {
    pending.status = 'denied';
  }
  const event = audit(ctx, task, c.approve ? 'extensionApproved' : 'extensionDenied', { note: c.note, dueAt: task.deadline.dueAt });
  notify(ctx, task, event, 'extensionDecided', ['ownerUnit'], `extension ${c.approve ? 'approved' : 'denied'} for task ${task.id}`);
};

const reassignTask: Handler<'reassignTask'> = (ctx, task, c) => {
  const from = { ownerUnit: task.ownerUnit, ownerPerson: task.ownerPerson, coOwners: task.coOwners };
  task.ownerUnit = text(c.ownerUnit, 'ownerUnit');
  task.ownerPerson = text(c.ownerPerson, 'ownerPerson');
  if (c.coOwners !== undefined) task.coOwners = [...c.coOwners];
  const event = audit(ctx, task, 'taskReassigned', { from, to: { ownerUnit: task.ownerUnit, ownerPerson: task.ownerPerson, coOwners: task.coOwners } });
  notify(ctx, task, event, 'reassigned', ['ownerUnit'], `task ${task.id} is now assigned to ${task.ownerUnit}`);
};

/** Ends an open task without acceptance; its pending extension request goes with it, on record. */
export function cancelOpenTask(ctx: CommandContext, task: TaskState, reason: string): void {
  task.status = 'cancelled';
  task.cancelledAt = iso(ctx.nowMs);
  task.cancelReason = reason;
  task.stale = false;
  closePendingExtension(ctx, task, 'closed by cancellation');
}

const cancelTask: Handler<'cancelTask'> = (ctx, task, c) => {
  const reason = text(c.reason, 'reason');
  cancelOpenTask(ctx, task, reason);
  audit(ctx, task, 'taskCancelled', { reason });
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
};
