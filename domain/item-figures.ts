/**
 * The figures an item is listed and found by: computed once, here, for both
 * the read side (items row) and the Temporal search attributes, so the lists
 * and the Temporal UI never disagree about the same item.
 */
import { LIMITS } from './limits';
import { isTaskOpen, isTaskOverdue, taskLight, worstLight } from './lights';
import { utf8Length } from './text';
import type { ItemSnapshot, Light, TaskState } from './types';

export interface ItemFigures {
  /** worst light of the open tasks; none when nothing is open */
  light: Light;
  /** see itemOwnerUnits */
  ownerUnits: string[];
  openTasks: number;
  overdueTasks: number;
  openProblems: number;
  /** highest current escalation level among open tasks */
  escalationLevel: number;
  /** highest level any task ever reached, extensions notwithstanding */
  maxEscalationLevel: number;
  /** earliest deadline of the open tasks */
  nextDeadline?: string;
}

/**
 * Owner units shown on the item: the units that still have to act (open tasks).
 * Once nothing is open, the units that did the work (non-cancelled tasks), so a
 * closed item still says who rectified it; failing that (all cancelled), every unit.
 */
export function itemOwnerUnits(tasks: Array<Pick<TaskState, 'ownerUnit' | 'status'>>): string[] {
  const units = (ts: Array<Pick<TaskState, 'ownerUnit'>>) => [...new Set(ts.map((t) => t.ownerUnit))].sort();
  const open = units(tasks.filter(isTaskOpen));
  if (open.length) return open;
  const done = units(tasks.filter((t) => t.status !== 'cancelled'));
  return done.length ? done : units(tasks);
}

export function itemFigures(state: Pick<ItemSnapshot, 'tasks' | 'problems' | 'policy'>, nowMs: number): ItemFigures {
  const open = state.tasks.filter(isTaskOpen);
  let nextDeadline: string | undefined;
  let nextMs = Infinity;
  for (const t of open) {
    const due = Date.parse(t.deadline.dueAt);
    if (due < nextMs) {
      nextMs = due;
      nextDeadline = t.deadline.dueAt;
    }
  }
  const figures: ItemFigures = {
    light: worstLight(open.map((t) => taskLight(t, state, nowMs))),
    ownerUnits: itemOwnerUnits(state.tasks),
    openTasks: open.length,
    overdueTasks: open.filter((t) => isTaskOverdue(t, state, nowMs)).length,
    openProblems: state.problems.filter((p) => p.status === 'open').length,
    escalationLevel: open.reduce((max, t) => Math.max(max, t.escalationLevel), 0),
    maxEscalationLevel: state.tasks.reduce((max, t) => Math.max(max, t.maxEscalationLevel ?? t.escalationLevel), 0),
  };
  if (nextDeadline !== undefined) figures.nextDeadline = nextDeadline;
  return figures;
}

/**
 * The owner units as a search attribute value: sorted, and cut so the whole
 * list stays within its byte budget (Temporal refuses a value over 2 KiB and
 * terminates the workflow that upserts one). A cut list ends with `…+N`.
 */
export function boundedUnitList(units: string[], budgetBytes: number = LIMITS.ownerUnitsAttributeBytes): string[] {
  const kept: string[] = [];
  // JSON array overhead: brackets, quotes and commas
  let used = 2;
  for (const [i, unit] of units.entries()) {
    const cost = utf8Length(JSON.stringify(unit)) + 1;
    const markerCost = 12; // room for `"…+NNN",`
    if (used + cost + (i < units.length - 1 ? markerCost : 0) > budgetBytes) {
      kept.push(`…+${units.length - i}`);
      return kept;
    }
    kept.push(unit);
    used += cost;
  }
  return kept;
}
