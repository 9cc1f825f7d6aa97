/**
 * What an owner may see of an item: only the tasks their unit acts for (as
 * owner or 双包保 co-owner) and the problems those tasks address. Everyone else
 * sees the whole item. The same predicate as the workflow's authorisation
 * (domain/authorization.ts actsForTask), so "can see" and "can act" agree.
 */
import { actsForTask } from '../domain/authorization';
import { DomainError } from '../domain/errors';
import type { Actor, ItemSnapshot } from '../domain/types';

/** The item as `actor` may see it; an owner with no task in it gets 404, as if it did not exist. */
export function itemViewFor(actor: Actor, state: ItemSnapshot): ItemSnapshot {
  if (actor.role !== 'owner') return state;
  const tasks = state.tasks.filter((t) => actsForTask(actor, t));
  if (tasks.length === 0) throw new DomainError('NOT_FOUND', `no item '${state.id}'`, { itemId: state.id });
  const problemIds = new Set(tasks.flatMap((t) => t.problemIds));
  return {
    ...state,
    tasks,
    problems: state.problems.filter((p) => problemIds.has(p.id)),
    // item-wide review figures are for leaders and supervisors (as /reviews is)
    schedule: { ...state.schedule, lastReview: undefined },
  };
}

/** The task ids an owner's unit acts for in this item (every task for other roles). */
export function visibleTaskIds(actor: Actor, state: ItemSnapshot): Set<string> {
  return new Set(itemViewFor(actor, state).tasks.map((t) => t.id));
}
