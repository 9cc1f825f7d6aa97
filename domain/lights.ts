/** Traffic lights and the small predicates every other rule builds on. */
import { calendarOf, offsetBefore, type ClockContext } from './office-time';
import type { ItemPolicy, Light, TaskState } from './types';

export { calendarOf, type ClockContext };

export function isTaskOpen(task: Pick<TaskState, 'status'>): boolean {
  return task.status !== 'accepted' && task.status !== 'cancelled';
}

/** Office rules: a task handed in by its deadline waits on the leader, and its owner's clock is stopped. */
export function submittedOnTime(task: TaskState, policy: ItemPolicy): boolean {
  return policy.office !== undefined && task.status === 'submitted' && task.submittedAt !== undefined
    && Date.parse(task.submittedAt) <= Date.parse(task.deadline.dueAt);
}

/** The time on the task's own clock: frozen while it is paused (中止计时). */
function clockTime(task: TaskState, nowMs: number): number {
  return task.pausedAt === undefined ? nowMs : Math.min(nowMs, Date.parse(task.pausedAt));
}

export function isTaskOverdue(task: TaskState, ctx: ClockContext, nowMs: number): boolean {
  if (!isTaskOpen(task) || submittedOnTime(task, ctx.policy)) return false;
  return clockTime(task, nowMs) >= Date.parse(task.deadline.dueAt);
}

/** When the yellow warning comes for the task's current deadline. */
export function warningAt(task: TaskState, ctx: ClockContext): number {
  return offsetBefore(Date.parse(task.deadline.dueAt), ctx.policy.warningLead, ctx.policy.timezone, calendarOf(ctx));
}

/**
 * red: past the deadline; yellow: inside the warning lead, or stale at the last
 * dispatch; green otherwise. With office rules a task submitted on time is green
 * while it waits for acceptance; a paused task keeps the light it had when paused.
 */
export function taskLight(task: TaskState, ctx: ClockContext, nowMs: number): Light {
  if (!isTaskOpen(task)) return 'none';
  if (submittedOnTime(task, ctx.policy)) return 'green';
  const now = clockTime(task, nowMs);
  if (now >= Date.parse(task.deadline.dueAt)) return 'red';
  if (now >= warningAt(task, ctx) || task.stale) return 'yellow';
  return 'green';
}

const ORDER: Record<Light, number> = { none: 0, green: 1, yellow: 2, red: 3 };

/** The worst light among tasks: what an item shows in a list. */
export function worstLight(lights: Light[]): Light {
  return lights.reduce<Light>((worst, l) => (ORDER[l] > ORDER[worst] ? l : worst), 'none');
}
