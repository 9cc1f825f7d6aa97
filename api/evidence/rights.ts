/**
 * Who may upload and read a task's evidence.
 *
 * Uploading is part of reporting progress or submitting, so it follows that
 * command's rule, judged by the item's workflow (the truth, also for a task
 * handed over a moment ago): the task's owner unit or a co-owner unit (and
 * admins), while the item runs and the task takes progress or a submission
 * (assigned or in progress). Refusals are the command's own: an owner learns
 * nothing about items and tasks that are not their unit's (404 as if missing).
 *
 * Reading follows reading the task: leaders, supervisors and admins read every
 * task; an owner reads the tasks their unit acts for now (so after a
 * reassignment the new unit sees the task's files and the old one no longer).
 */
import { actsForTask, authorize, noSuchItem } from '../../domain/authorization';
import { DomainError } from '../../domain/errors';
import type { Actor, ItemState, TaskState } from '../../domain/types';
import { parameters, visibleTasksSql } from '../../db/repositories/visibility';
import type { RouteDeps } from '../http/route';
import { viewerOf } from '../routes/run-command';

const TAKES_EVIDENCE: ReadonlySet<TaskState['status']> = new Set(['assigned', 'inProgress']);

function noSuchTask(itemId: string, taskId: string, actor: Actor): DomainError {
  const detail = actor.role === 'owner'
    ? `no task '${taskId}' among your unit's tasks in item '${itemId}'`
    : `no task '${taskId}' in item '${itemId}'`;
  return new DomainError('NOT_FOUND', detail, { taskId });
}

export async function assertMayUpload(deps: Pick<RouteDeps, 'items'>, actor: Actor, itemId: string, taskId: string): Promise<void> {
  const state = await deps.items.state(itemId);
  if (!state) throw noSuchItem(itemId);
  // the progress report's own rule: role, then the owner's unit, before anything about the item's state
  authorize(actor, { type: 'reportProgress', taskId, text: '', percent: 0 }, { ...state, calendar: undefined as never, appliedRequests: [] } as ItemState);
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) throw noSuchTask(itemId, taskId, actor);
  if (state.status !== 'active') throw new DomainError('ITEM_CLOSED', `item '${itemId}' has ended; it takes no more evidence`, { itemId });
  if (!TAKES_EVIDENCE.has(task.status)) {
    throw new DomainError('INVALID_TRANSITION', `task ${taskId} is ${task.status}: evidence is uploaded while a task takes progress reports or a submission`, {
      taskId, status: task.status,
    });
  }
}

/** Whether `actor` may read the task: the read side first, the workflow when the read side has not caught up. */
export async function mayReadTask(deps: Pick<RouteDeps, 'pool' | 'items'>, actor: Actor, itemId: string, taskId: string): Promise<boolean> {
  const { params, bind } = parameters();
  const { rows } = await deps.pool.query(
    `SELECT 1 FROM tasks t WHERE t.item_id = ${bind(itemId)} AND t.id = ${bind(taskId)} AND ${visibleTasksSql(viewerOf(actor), bind)}`,
    params,
  );
  if (rows.length > 0) return true;
  const state = await deps.items.state(itemId);
  const task = state?.tasks.find((t) => t.id === taskId);
  return task !== undefined && (actor.role !== 'owner' || actsForTask(actor, task));
}

/** For a task's list: the item refused as a missing item, the task as a missing task. */
export async function assertMayReadTask(deps: Pick<RouteDeps, 'pool' | 'items' | 'reads'>, actor: Actor, itemId: string, taskId: string): Promise<void> {
  await deps.reads.requireVisible(itemId, viewerOf(actor));
  if (!(await mayReadTask(deps, actor, itemId, taskId))) throw noSuchTask(itemId, taskId, actor);
}
