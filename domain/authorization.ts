/**
 * Who may issue which command on which item. The workflow enforces this (it is
 * the truth); the API checks the role first only to answer 403 fast.
 *
 * - Leaders decide on the items they lead, and on the items of the plans they
 *   answer for (the API tells which, in `actor.plans`); admins on every item.
 * - Owners act on the tasks their unit acts for (as owner or 双包保 co-owner).
 *   To an owner whose unit has no task in the item, the item does not exist:
 *   every refusal is the one a missing item gets, so nothing can be probed.
 */
import type { Command, CommandType } from './commands';
import { DomainError } from './errors';
import type { Actor, ItemState, Role, TaskState } from './types';

const LEADER_COMMANDS: ReadonlySet<CommandType> = new Set([
  'acceptTask',
  'sendBackTask',
  'decideExtension',
  'reassignTask',
  'addProblem',
  'addTask',
  'cancelTask',
  'cancelItem',
  'pauseTask',
  'resumeTask',
  'confirmFollowUp',
  'reopenProblem',
]);

const OWNER_COMMANDS: ReadonlySet<CommandType> = new Set(['reportProgress', 'submitTask', 'requestExtension']);

export function rolesAllowed(type: CommandType): Role[] {
  if (LEADER_COMMANDS.has(type)) return ['leader', 'admin'];
  if (OWNER_COMMANDS.has(type)) return ['owner', 'admin'];
  return ['admin'];
}

/** An owner acts for their unit: the task's owner unit, or a co-owner unit of a 双包保 task. */
export function actsForTask(actor: Actor, task: Pick<TaskState, 'ownerUnit' | 'coOwners'>): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'owner' || !actor.unit) return false;
  return actor.unit === task.ownerUnit || task.coOwners.includes(actor.unit);
}

/** A leader decides on an item they lead, or on one whose plan they answer for. */
export function leadsItem(actor: Actor, item: Pick<ItemState, 'leader' | 'planId'>): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'leader') return false;
  return actor.id === item.leader.id || (item.planId !== undefined && (actor.plans ?? []).includes(item.planId));
}

/** The refusal an item that does not exist gets; the API answers exactly the same for a missing item. */
export function noSuchItem(itemId: string): DomainError {
  return new DomainError('NOT_FOUND', `no item '${itemId}'`);
}

/** Rights before state: checked before anything about the item's state is revealed. */
export function authorize(actor: Actor, command: Command, state: ItemState): void {
  if (!rolesAllowed(command.type).includes(actor.role)) {
    throw new DomainError('FORBIDDEN', `a ${actor.role} may not ${command.type}`, { role: actor.role, command: command.type });
  }
  if (actor.role === 'owner') {
    const mine = state.tasks.filter((t) => actsForTask(actor, t));
    if (mine.length === 0) throw noSuchItem(state.id);
    const taskId = 'taskId' in command ? command.taskId : undefined;
    // another unit's task reads like a task that does not exist: no unit names, no task ids learned
    if (taskId !== undefined && !mine.some((t) => t.id === taskId)) {
      throw new DomainError('NOT_FOUND', `no task '${taskId}' among your unit's tasks in item '${state.id}'`, { taskId });
    }
  }
  if (actor.role === 'leader' && !leadsItem(actor, state)) {
    throw new DomainError('FORBIDDEN', `you neither lead item '${state.id}' nor answer for its plan`, { itemId: state.id });
  }
}
