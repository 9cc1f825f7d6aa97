/** Read models computed from an item's state: the four lists, the final summary, search attribute values. */
import { isTaskOpen, isTaskOverdue } from './lights';
import type { ItemSnapshot, ItemState, ItemSummary, ProblemState, TaskState } from './types';

export interface FourLists {
  problems: ProblemState[];
  tasks: Array<Pick<TaskState, 'id' | 'problemIds' | 'description' | 'measures' | 'status'>>;
  responsibilities: Array<{ taskId: string; ownerUnit: string; ownerPerson: string; coOwners: string[] }>;
  timeLimits: Array<{ taskId: string; dueAt: string; originalDueAt: string; basis: string }>;
}

export function snapshotOf(state: ItemState): ItemSnapshot {
  const { calendar: _calendar, appliedRequests: _appliedRequests, ...snapshot } = state;
  return snapshot;
}

export function fourLists(state: ItemSnapshot): FourLists {
  return {
    problems: state.problems,
    tasks: state.tasks.map(({ id, problemIds, description, measures, status }) => ({ id, problemIds, description, measures, status })),
    responsibilities: state.tasks.map((t) => ({ taskId: t.id, ownerUnit: t.ownerUnit, ownerPerson: t.ownerPerson, coOwners: t.coOwners })),
    timeLimits: state.tasks.map((t) => ({ taskId: t.id, dueAt: t.deadline.dueAt, originalDueAt: t.originalDueAt, basis: t.deadline.basis })),
  };
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
    acceptedLate: accepted.filter((t) => Date.parse(t.acceptedAt!) > Date.parse(t.originalDueAt)).length,
    reworks: state.counters.reworks,
    escalations: state.counters.escalations,
    extensionsApproved: state.tasks.reduce((n, t) => n + t.extensions.filter((e) => e.status === 'approved').length, 0),
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

export function searchAttributeValues(state: ItemState, nowMs: number): SearchAttributeValues {
  const open = state.tasks.filter(isTaskOpen);
  const dues = open.map((t) => t.deadline.dueAt).sort();
  return {
    status: state.status,
    ownerUnits: [...new Set(open.map((t) => t.ownerUnit))].sort(),
    nextDeadline: dues[0],
    overdueCount: open.filter((t) => isTaskOverdue(t, nowMs)).length,
    escalationLevel: open.reduce((max, t) => Math.max(max, t.escalationLevel), 0),
    planId: state.planId,
    supervisionLevel: state.supervisionLevel,
  };
}
