/** Views computed from an item's state: the query answer, the final summary, search attribute values. */
import { itemFigures, itemOwnerUnits } from './item-figures';
import type { ItemSnapshot, ItemState, ItemSummary } from './types';

export function snapshotOf(state: ItemState): ItemSnapshot {
  const { calendar: _calendar, appliedRequests: _appliedRequests, ...snapshot } = state;
  return snapshot;
}

export function itemSummary(state: ItemState): ItemSummary {
  const accepted = state.tasks.filter((t) => t.status === 'accepted');
  return {
    itemId: state.id,
    status: state.status === 'cancelled' ? 'cancelled' : 'completed',
    endedAt: state.completedAt ?? state.cancelledAt ?? state.updatedAt,
    createdAt: state.createdAt,
    problems: state.problems.length,
    tasks: state.tasks.length,
    acceptedTasks: accepted.length,
    cancelledTasks: state.tasks.filter((t) => t.status === 'cancelled').length,
    // office rules score the owner's hand-in, not the leader's acceptance
    acceptedLate: accepted.filter((t) => Date.parse((state.policy.office && t.submittedAt) || t.acceptedAt!) > Date.parse(t.originalDueAt)).length,
    reworks: state.counters.reworks,
    escalations: state.counters.escalations,
    maxEscalationLevel: Math.max(0, ...state.tasks.map((t) => t.maxEscalationLevel ?? 0)),
    extensionsApproved: state.tasks.reduce((n, t) => n + t.extensionsApproved, 0),
    pauses: state.tasks.reduce((n, t) => n + (t.pauses ?? 0), 0),
    pausedWorkingDays: state.tasks.reduce((n, t) => n + (t.pausedWorkingDays ?? 0), 0),
    dispatches: state.schedule.dispatchCount,
    reviews: state.schedule.reviewCount,
  };
}

/** Values of the typed search attributes operators filter on in the Temporal UI and CLI. */
export interface SearchAttributeValues {
  status: string;
  ownerUnits: string[];
  nextDeadline?: string;
  overdueCount: number;
  escalationLevel: number;
  planId?: string;
  supervisionLevel: string;
}

/** The attributes only commands change (status, owner units, plan, level): what items keep since `stable-search-attributes`. */
export type StableSearchAttributeValues = Pick<SearchAttributeValues, 'status' | 'ownerUnits' | 'planId' | 'supervisionLevel'>;

export function stableSearchAttributeValues(state: ItemState): StableSearchAttributeValues {
  return { status: state.status, ownerUnits: itemOwnerUnits(state.tasks), planId: state.planId, supervisionLevel: state.supervisionLevel };
}

export function searchAttributeValues(state: ItemState, nowMs: number): SearchAttributeValues {
  const figures = itemFigures(state, nowMs);
  return {
    status: state.status,
    ownerUnits: figures.ownerUnits,
    nextDeadline: figures.nextDeadline,
    overdueCount: figures.overdueTasks,
    escalationLevel: figures.escalationLevel,
    planId: state.planId,
    supervisionLevel: state.supervisionLevel,
  };
}
