/** Traffic lights and the small predicates every other rule builds on. */
import { parseDuration } from './duration';
import type { ItemPolicy, Light, TaskState } from './types';

export function isTaskOpen(task: Pick<TaskState, 'status'>): boolean {
  return task.status !== 'accepted' && task.status !== 'cancelled';
}

export function isTaskOverdue(task: TaskState, nowMs: number): boolean {
  return isTaskOpen(task) && nowMs >= Date.parse(task.deadline.dueAt);
}

/** red: past the deadline; yellow: inside the warning lead, or stale at the last dispatch; green otherwise. */
export function taskLight(task: TaskState, policy: ItemPolicy, nowMs: number): Light {
  if (!isTaskOpen(task)) return 'none';
  const due = Date.parse(task.deadline.dueAt);
  if (nowMs >= due) return 'red';
  if (nowMs >= due - parseDuration(policy.warningLead) || task.stale) return 'yellow';
  return 'green';
}

const ORDER: Record<Light, number> = { none: 0, green: 1, yellow: 2, red: 3 };

/** The worst light among tasks: what an item shows in a list. */
export function worstLight(lights: Light[]): Light {
  return lights.reduce<Light>((worst, l) => (ORDER[l] > ORDER[worst] ? l : worst), 'none');
}
