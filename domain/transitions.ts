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
import { appendAudit, cloneState, findTask, iso, refreshClosure } from './item-helpers';
import { assertStateBudget, checkActorId, checkId, checkLine, checkText } from './item-limits';

function optionalText(value: unknown, path: string): void {
  if (value !== undefined) checkText(value, path);
}
import { emptyRecords, type ItemRecords } from './item-records';
import { LIMITS } from './limits';
import { isTaskOpen } from './lights';
import { assertCleanStrings } from './text';
import { cancelOpenTask, GROWING_COMMANDS, taskCommandHandlers, type CommandContext } from './task-commands';
import type { ItemState, ItemStatus, ProblemState, TaskState } from './types';

/** What an update answers: small, whatever the item's size (the caller reads the whole item from the read side). */
export interface CommandResult {
  itemId: string;
  /** the item's version after the command (its audit sequence) */
  version: number;
  status: ItemStatus;
  /** true when the request was applied before: nothing changed */
  duplicate: boolean;
  /** the task the command acted on or added, as it is now */
  task?: TaskState;
  problem?: ProblemState;
}

export interface CommandOutcome {
  state: ItemState;
  records: ItemRecords;
  result: CommandResult;
}

const ROLES = ['leader', 'owner', 'supervisor', 'admin', 'system'];

function checkEnvelope(envelope: CommandEnvelope): void {
  if (!envelope || typeof envelope !== 'object' || !envelope.command || typeof envelope.command.type !== 'string') {
    throw new DomainError('VALIDATION_FAILED', 'an update needs { requestId, actor, command }');
  }
  checkLine(envelope.requestId, 'requestId', LIMITS.requestIdLength);
  if (envelope.fingerprint !== undefined) checkLine(envelope.fingerprint, 'fingerprint', LIMITS.requestIdLength);
  const actor = envelope.actor;
  if (!actor || typeof actor !== 'object' || !ROLES.includes(actor.role)) {
    throw new DomainError('VALIDATION_FAILED', 'actor must carry id, name and role', { path: 'actor' });
  }
  checkActorId(actor.id, 'actor.id');
  checkLine(actor.name, 'actor.name', LIMITS.nameLength);
  if (actor.unit !== undefined) checkLine(actor.unit, 'actor.unit', LIMITS.nameLength);
  if (actor.plans !== undefined) {
    if (!Array.isArray(actor.plans) || actor.plans.length > LIMITS.plansPerLeader) {
      throw new DomainError('VALIDATION_FAILED', `actor.plans lists at most ${LIMITS.plansPerLeader} plans`, { path: 'actor.plans' });
    }
    actor.plans.forEach((id, i) => checkId(id, `actor.plans.${i}`));
  }
  // every string of every command follows the text rule, whatever the command checks besides
  assertCleanStrings(envelope.command, 'command');
}

function resultOf(state: ItemState, command: CommandEnvelope['command'], duplicate: boolean): CommandResult {
  const result: CommandResult = { itemId: state.id, version: state.counters.auditSeq, status: state.status, duplicate };
  const taskId = 'taskId' in command ? command.taskId : command.type === 'addTask' ? command.task?.id : undefined;
  const task = taskId === undefined ? undefined : state.tasks.find((t) => t.id === taskId);
  if (task) result.task = task;
  const problemId = command.type === 'addProblem' ? command.problem?.id : command.type === 'reopenProblem' ? command.problemId : undefined;
  const problem = problemId === undefined ? undefined : state.problems.find((p) => p.id === problemId);
  if (problem) result.problem = problem;
  return result;
}

export function applyCommand(current: ItemState, envelope: CommandEnvelope, nowMs: number): CommandOutcome {
  checkEnvelope(envelope);
  const { command, actor } = envelope;
  // Rights before anything else, a replayed request included: a caller who may not act (now) learns
  // nothing about the item, not even that it ended, nor how a task looks that has moved to another unit.
  authorize(actor, command, current);
  const fingerprint = envelope.fingerprint ?? '';
  const applied = current.appliedRequests.find((r) => r.id === envelope.requestId);
  if (applied) {
    if (applied.fingerprint !== fingerprint) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request', {
        path: 'header.Idempotency-Key',
      });
    }
    return { state: current, records: emptyRecords(), result: resultOf(current, envelope.command, true) };
  }
  if ('taskId' in command) findTask(current, command.taskId);
  if (current.status !== 'active') {
    throw new DomainError('ITEM_CLOSED', `item ${current.id} is ${current.status}`, { status: current.status });
  }
  const state = cloneState(current);
  const records = emptyRecords();
  const ctx: CommandContext = { state, nowMs, actor, requestId: envelope.requestId, records };

  switch (command.type) {
    case 'addProblem': {
      const { problem, text } = newProblemState(command.problem ?? ({} as never), 'problem');
      if (state.problems.some((p) => p.id === problem.id)) {
        throw new DomainError('ALREADY_EXISTS', `problem '${problem.id}' already exists`, { problemId: problem.id });
      }
      if (state.problems.length >= LIMITS.problemsPerItem) {
        throw new DomainError('ITEM_TOO_LARGE', `an item holds at most ${LIMITS.problemsPerItem} problems`, { path: 'problem' });
      }
      state.problems.push(problem);
      records.problemTexts.push(text);
      appendAudit(state, records.auditEvents, nowMs, actor, 'problemAdded', {
        requestId: ctx.requestId,
        details: { problem: { ...problem, description: text.description } },
      });
      break;
    }
    case 'addTask': {
      const { task, text } = newTaskState(command.task ?? ({} as never), state.policy, state.calendar, nowMs, 'task');
      if (state.tasks.some((t) => t.id === task.id)) {
        throw new DomainError('ALREADY_EXISTS', `task '${task.id}' already exists`, { taskId: task.id });
      }
      if (state.tasks.length >= LIMITS.tasksPerItem) {
        throw new DomainError('ITEM_TOO_LARGE', `an item holds at most ${LIMITS.tasksPerItem} tasks`, { path: 'task' });
      }
      const unknown = task.problemIds.find((id) => !state.problems.some((p) => p.id === id));
      if (unknown) throw new DomainError('VALIDATION_FAILED', `task addresses unknown problem '${unknown}'`, { path: 'task.problemIds' });
      state.tasks.push(task);
      records.taskTexts.push(text);
      appendAudit(state, records.auditEvents, nowMs, actor, 'taskAdded', {
        requestId: ctx.requestId,
        task,
        details: { ownerUnit: task.ownerUnit, dueAt: task.deadline.dueAt, basis: text.deadlineBasis },
      });
      break;
    }
    case 'confirmFollowUp': {
      optionalText(command.note, 'note');
      if (!state.followUp) {
        throw new DomainError('INVALID_TRANSITION', `item ${state.id} is not waiting for a follow-up check`, { status: state.status });
      }
      // the check looks back over the whole watch: confirming earlier would skip the waiting it is for
      if (!state.followUp.notified) {
        throw new DomainError('INVALID_TRANSITION', `the follow-up check of item ${state.id} is due on ${state.followUp.dueAt}, not yet`, { dueAt: state.followUp.dueAt });
      }
      const watch = state.followUp;
      delete state.followUp;
      state.status = 'completed';
      state.completedAt = iso(nowMs);
      appendAudit(state, records.auditEvents, nowMs, actor, 'followUpConfirmed', {
        requestId: ctx.requestId, details: { since: watch.since, ...(command.note !== undefined ? { note: command.note } : {}) },
      });
      // the item has ended: the closure below must not reopen the watch
      state.appliedRequests = [...state.appliedRequests, { id: envelope.requestId, fingerprint }].slice(-LIMITS.requestMemory);
      state.updatedAt = iso(nowMs);
      return { state, records, result: resultOf(state, command, false) };
    }
    case 'reopenProblem': {
      checkText(command.reason, 'reason');
      const problem = state.problems.find((p) => p.id === command.problemId);
      if (!problem) throw new DomainError('NOT_FOUND', `no problem '${String(command.problemId)}' in item ${state.id}`, { path: 'problemId' });
      if (problem.status !== 'closed') {
        throw new DomainError('INVALID_TRANSITION', `problem ${problem.id} is open; only a closed problem can come back`, { problemId: problem.id });
      }
      if (!Array.isArray(command.tasks) || command.tasks.length === 0) {
        throw new DomainError('VALIDATION_FAILED', 'a reopened problem needs at least one new task', { path: 'tasks' });
      }
      const added = command.tasks.map((input, i) => newTaskState(input, state.policy, state.calendar, nowMs, `tasks.${i}`));
      for (const [i, { task, text }] of added.entries()) {
        if (state.tasks.some((t) => t.id === task.id)) {
          throw new DomainError('ALREADY_EXISTS', `task '${task.id}' already exists`, { taskId: task.id, path: `tasks.${i}.id` });
        }
        if (!task.problemIds.includes(problem.id)) {
          throw new DomainError('VALIDATION_FAILED', `tasks.${i} must address problem '${problem.id}'`, { path: `tasks.${i}.problemIds` });
        }
        const unknown = task.problemIds.find((id) => !state.problems.some((p) => p.id === id));
        if (unknown) throw new DomainError('VALIDATION_FAILED', `tasks.${i} addresses unknown problem '${unknown}'`, { path: `tasks.${i}.problemIds` });
        state.tasks.push(task);
        records.taskTexts.push(text);
      }
      if (state.tasks.length > LIMITS.tasksPerItem) {
        throw new DomainError('ITEM_TOO_LARGE', `an item holds at most ${LIMITS.tasksPerItem} tasks`, { path: 'tasks' });
      }
      appendAudit(state, records.auditEvents, nowMs, actor, 'problemReopened', {
        requestId: ctx.requestId,
        details: { problemId: problem.id, reason: command.reason, tasks: added.map(({ task }) => ({ id: task.id, ownerUnit: task.ownerUnit, dueAt: task.deadline.dueAt })) },
      });
      break;
    }
    case 'cancelItem': {
      checkText(command.reason, 'reason');
      state.status = 'cancelled';
      state.cancelledAt = iso(nowMs);
      // Its open tasks end with it, so no list, ranking or unit inbox keeps counting them.
      for (const task of state.tasks.filter(isTaskOpen)) cancelOpenTask(task, nowMs);
      appendAudit(state, records.auditEvents, nowMs, actor, 'itemCancelled', { requestId: ctx.requestId, details: { reason: command.reason } });
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
      const handler = taskCommandHandlers[command.type as keyof typeof taskCommandHandlers];
      if (!handler) throw new DomainError('VALIDATION_FAILED', `unknown command '${String(command.type)}'`);
      handler(ctx, task, command as never);
    }
  }

  refreshClosure(state, nowMs);
  state.updatedAt = iso(nowMs);
  state.appliedRequests = [...state.appliedRequests, { id: envelope.requestId, fingerprint }].slice(-LIMITS.requestMemory);
  if (GROWING_COMMANDS.has(command.type)) assertStateBudget(state);
  return { state, records, result: resultOf(state, command, false) };
}
