/**
 * Who may issue which command. The workflow enforces this (it is the truth);
 * the API checks the same rule first only to answer 403 fast.
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

export function authorize(actor: Actor, command: Command, task: TaskState | undefined, _state?: ItemState): void {
  if (!rolesAllowed(command.type).includes(actor.role)) {
    throw new DomainError('FORBIDDEN', `a ${actor.role} may not ${command.type}`, { role: actor.role, command: command.type });
  }
  if (OWNER_COMMANDS.has(command.type) && task && !actsForTask(actor, task)) {
    // no unit names: an owner learns nothing about other units' work
    throw new DomainError('FORBIDDEN', `task ${task.id} is not one of your unit's tasks`, { taskId: task.id });
  }
}
