/**
 * The task lifecycle: one pure function from (state, command) to the next
 * state plus what to record. Used twice by the workflow: by the update's
 * validator (on a copy, to refuse before anything enters history) and by the
 * handler (to commit).
 */
import { authorize } from './authorization';
import type { CommandEnvelope } from './commands';
import { newProblemState, newTaskState } from './create-item';
import { DomainError } from './errors';
import {
  appendAudit,
  cloneState,
  findTask,
  iso,
  refreshClosure,
  refuseNulCharacters,
  REQUEST_MEMORY,
} from './item-helpers';
import { isTaskOpen } from './lights';
import { cancelOpenTask, taskCommandHandlers, type CommandContext } from './task-commands';
import type { AuditEvent, ItemState, Notification } from './types';

export interface CommandOutcome {
  state: ItemState;
  auditEvents: AuditEvent[];
  notifications: Notification[];
  /** true when the request id was applied before: nothing changed */
  duplicate: boolean;
}

function checkEnvelope(envelope: CommandEnvelope): void {
  if (!envelope || typeof envelope !== 'object' || !envelope.command || typeof envelope.command.type !== 'string') {
    throw new DomainError('VALIDATION_FAILED', 'an update needs { requestId, actor, command }');
  }
  if (typeof envelope.requestId !== 'string' || envelope.requestId.length === 0 || envelope.requestId.length > 400) {
    throw new DomainError('VALIDATION_FAILED', 'requestId must be a string of 1–400 characters', { path: 'requestId' });
  }
  const actor = envelope.actor;
  if (!actor || typeof actor.id !== 'string' || typeof actor.role !== 'string') {
    throw new DomainError('VALIDATION_FAILED', 'actor must carry id and role', { path: 'actor' });
  }
  refuseNulCharacters(envelope.command);
}

export function applyCommand(current: ItemState, envelope: CommandEnvelope, nowMs: number): CommandOutcome {
  checkEnvelope(envelope);
  if (current.appliedRequests.includes(envelope.requestId)) {
    return { state: current, auditEvents: [], notifications: [], duplicate: true };
  }
  const { command, actor } = envelope;
  // Rights before state: a caller who may not act learns nothing about the item, not even that it ended.
  authorize(actor, command, undefined);
  if ('taskId' in command) authorize(actor, command, findTask(current, command.taskId));
  if (current.status !== 'active') {
    throw new DomainError('ITEM_CLOSED', `item ${current.id} is ${current.status}`, { status: current.status });
  }
  const state = cloneState(current);
  const ctx: CommandContext = { state, nowMs, actor, requestId: envelope.requestId, auditEvents: [], notifications: [] };

  switch (command.type) {
    case 'addProblem': {
      const problem = newProblemState(command.problem ?? ({} as never), 'problem');
      if (state.problems.some((p) => p.id === problem.id)) {
        throw new DomainError('ALREADY_EXISTS', `problem '${problem.id}' already exists`, { problemId: problem.id });
      }
      state.problems.push(problem);
      appendAudit(state, ctx.auditEvents, nowMs, actor, 'problemAdded', { requestId: ctx.requestId, details: { problem } });
      break;
    }
    case 'addTask': {
      const task = newTaskState(command.task ?? ({} as never), state.policy, state.calendar, nowMs, 'task');
      if (state.tasks.some((t) => t.id === task.id)) {
        throw new DomainError('ALREADY_EXISTS', `task '${task.id}' already exists`, { taskId: task.id });
      }
      const unknown = task.problemIds.find((id) => !state.problems.some((p) => p.id === id));
      if (unknown) throw new DomainError('VALIDATION_FAILED', `task addresses unknown problem '${unknown}'`, { path: 'task.problemIds' });
      state.tasks.push(task);
      appendAudit(state, ctx.auditEvents, nowMs, actor, 'taskAdded', {
        requestId: ctx.requestId,
        taskId: task.id,
        details: { ownerUnit: task.ownerUnit, dueAt: task.deadline.dueAt, basis: task.deadline.basis },
      });
      break;
    }
    case 'cancelItem': {
      requireReason(command.reason);
      state.status = 'cancelled';
      state.cancelledAt = iso(nowMs);
      state.cancelReason = command.reason;
      // Its open tasks end with it, so no list, ranking or unit inbox keeps counting them.
      for (const task of state.tasks.filter(isTaskOpen)) cancelOpenTask(ctx, task, `item cancelled: ${command.reason}`);
      appendAudit(state, ctx.auditEvents, nowMs, actor, 'itemCancelled', { requestId: ctx.requestId, details: { reason: command.reason } });
      break;
    }
    default: {
      const task = findTask(state, (command as { taskId: string }).taskId);
      if (!isTaskOpen(task)) {
        throw new DomainError('INVALID_TRANSITION', `task ${task.id} is ${task.status}; nothing more can be done on it`, {
          taskId: task.id,
          status: task.status,
        });
      }
      const handler = taskCommandHandlers[command.type];
      if (!handler) throw new DomainError('VALIDATION_FAILED', `unknown command '${String(command.type)}'`);
      handler(ctx, task, command as never);
    }
  }

  refreshClosure(state, nowMs);
  state.updatedAt = iso(nowMs);
  state.appliedRequests = [...state.appliedRequests, envelope.requestId].slice(-REQUEST_MEMORY);
  return { state, auditEvents: ctx.auditEvents, notifications: ctx.notifications, duplicate: false };
}

export function requireReason(reason: unknown, path = 'reason'): void {
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', `${path} is required`, { path });
  }
}
