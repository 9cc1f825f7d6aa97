/**
 * Time in an item: the next events (warnings, deadlines, ladder rungs, weekly
 * dispatch, monthly review) and what happens when they come. Pure: the
 * workflow asks `nextWakeAt`, sleeps on one durable timer, then calls
 * `advanceClock` with the workflow's own clock.
 */
import { parseDuration } from './duration';
import { appendAudit, appendNotifications, cloneState, iso, SYSTEM_ACTOR } from './item-helpers';
import { isTaskOpen } from './lights';
import { buildDispatchLines, completionRateChange, reviewFigures } from './records';
import { nextMonthlyAt, nextWeeklyAt, reviewPeriod } from './schedule';
import type { AuditEvent, DispatchRecord, EscalationRecord, ItemState, Notification, ReviewRecord, TaskState } from './types';

export type TimedEventKind = 'warning' | 'overdue' | 'rung' | 'dispatch' | 'review';

export interface TimedEvent {
  at: number;
  kind: TimedEventKind;
  taskId?: string;
}

/** Events at the same instant happen in this order: a deadline before its rung, tasks before the weekly round. */
const KIND_ORDER: Record<TimedEventKind, number> = { warning: 0, overdue: 1, rung: 2, dispatch: 3, review: 4 };

function taskEvents(state: ItemState, task: TaskState): TimedEvent[] {
  if (!isTaskOpen(task)) return [];
  const due = Date.parse(task.alarms.dueAt);
  const events: TimedEvent[] = [];
  const lead = parseDuration(state.policy.warningLead);
  if (!task.alarms.warned && lead > 0) events.push({ at: due - lead, kind: 'warning', taskId: task.id });
  if (!task.alarms.overdue) events.push({ at: due, kind: 'overdue', taskId: task.id });
  const rung = state.policy.escalationLadder[task.alarms.rungsFired];
  if (rung) events.push({ at: due + parseDuration(rung.after), kind: 'rung', taskId: task.id });
  return events;
}

/** Every event still to come for an active item, earliest first. */
export function pendingEvents(state: ItemState): TimedEvent[] {
  if (state.status !== 'active') return [];
  const events = state.tasks.flatMap((t) => taskEvents(state, t));
  events.push({ at: Date.parse(state.schedule.nextDispatchAt), kind: 'dispatch' });
  events.push({ at: Date.parse(state.schedule.nextReviewAt), kind: 'review' });
  return events.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.taskId ?? '').localeCompare(b.taskId ?? ''));
}

export function nextWakeAt(state: ItemState): number | undefined {
  return pendingEvents(state)[0]?.at;
}

export interface ClockOutcome {
  state: ItemState;
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchRecord[];
  reviews: ReviewRecord[];
}

/** Applies, in order, every event due at or before `nowMs`. Returns the input state untouched when none is. */
export function advanceClock(current: ItemState, nowMs: number): ClockOutcome {
  const out: ClockOutcome = { state: current, auditEvents: [], notifications: [], escalations: [], dispatches: [], reviews: [] };
  let next = pendingEvents(current)[0];
  if (!next || next.at > nowMs) return out;
  const state = cloneState(current);
  out.state = state;
  // Each step marks its event as done, so the loop always makes progress.
  while (next && next.at <= nowMs) {
    fire(state, next, nowMs, out);
    next = pendingEvents(state)[0];
  }
  state.updatedAt = iso(nowMs);
  return out;
}

function fire(state: ItemState, event: TimedEvent, nowMs: number, out: ClockOutcome): void {
  const task = event.taskId ? state.tasks.find((t) => t.id === event.taskId) : undefined;
  switch (event.kind) {
    case 'warning':
      return fireWarning(state, task!, nowMs, out);
    case 'overdue':
      return fireOverdue(state, task!, nowMs, out);
    case 'rung':
      return fireRung(state, task!, nowMs, out);
    case 'dispatch':
      return fireDispatch(state, nowMs, out);
    case 'review':
      return fireReview(state, nowMs, out);
  }
}

function fireWarning(state: ItemState, task: TaskState, nowMs: number, out: ClockOutcome): void {
  task.alarms.warned = true;
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'deadlineWarning', { taskId: task.id, details: { dueAt: task.alarms.dueAt } });
  appendNotifications(state, out.notifications, {
    kind: 'warning', occurrence: task.alarms.dueAt, task, roles: ['ownerUnit'], firedAt: nowMs,
    reason: `task ${task.id} is due at ${task.alarms.dueAt}`,
  });
}

function fireOverdue(state: ItemState, task: TaskState, nowMs: number, out: ClockOutcome): void {
  task.alarms.overdue = true;
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'deadlineMissed', { taskId: task.id, details: { dueAt: task.alarms.dueAt } });
  appendNotifications(state, out.notifications, {
    kind: 'overdue', occurrence: task.alarms.dueAt, task, roles: ['ownerUnit'], firedAt: nowMs,
    reason: `task ${task.id} missed its deadline ${task.alarms.dueAt}`,
  });
}

function fireRung(state: ItemState, task: TaskState, nowMs: number, out: ClockOutcome): void {
  const index = task.alarms.rungsFired;
  const rung = state.policy.escalationLadder[index]!;
  task.alarms.rungsFired += 1;
  task.escalationLevel = Math.max(task.escalationLevel, rung.level);
  state.counters.escalations += 1;
  state.counters.escalationsSinceReview += 1;
  const rungNumber = index + 1;
  out.escalations.push({
    itemId: state.id, taskId: task.id, ownerUnit: task.ownerUnit, dueAt: task.alarms.dueAt,
    rung: rungNumber, level: rung.level, notify: [...rung.notify], firedAt: iso(nowMs),
  });
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'escalated', {
    taskId: task.id, details: { rung: rungNumber, level: rung.level, notify: rung.notify, dueAt: task.alarms.dueAt },
  });
  appendNotifications(state, out.notifications, {
    kind: 'escalation', occurrence: `${task.alarms.dueAt}#${rungNumber}`, task, roles: rung.notify, level: rung.level, firedAt: nowMs,
    reason: `task ${task.id} of ${task.ownerUnit} is ${rung.after === 'PT0S' ? 'due now' : `${rung.after} past its deadline`} and not accepted: escalation level ${rung.level}`,
  });
}

function fireDispatch(state: ItemState, nowMs: number, out: ClockOutcome): void {
  const lastAt = state.schedule.lastDispatchAt ? Date.parse(state.schedule.lastDispatchAt) : undefined;
  const lines = buildDispatchLines(state, nowMs, lastAt);
  const seq = state.schedule.dispatchCount + 1;
  for (const line of lines) {
    const task = state.tasks.find((t) => t.id === line.taskId)!;
    task.stale = line.stale;
    if (line.stale) {
      appendNotifications(state, out.notifications, {
        kind: 'chase', occurrence: `dispatch#${seq}`, task, roles: ['ownerUnit'], firedAt: nowMs,
        reason: `no progress reported on task ${task.id} since the last dispatch`,
      });
    }
  }
  out.dispatches.push({
    itemId: state.id, seq, at: iso(nowMs), lines,
    openTasks: lines.length,
    staleTasks: lines.filter((l) => l.stale).length,
    overdueTasks: lines.filter((l) => l.msToDeadline <= 0).length,
  });
  state.schedule.dispatchCount = seq;
  state.schedule.lastDispatchAt = iso(nowMs);
  // From now, not from the missed slot: a worker that was down for weeks sends one round, not a burst.
  state.schedule.nextDispatchAt = iso(nextWeeklyAt(nowMs, state.policy.weeklyDispatch, state.policy.timezone));
}

function fireReview(state: ItemState, nowMs: number, out: ClockOutcome): void {
  const figures = reviewFigures(state, nowMs);
  const previous = state.schedule.lastReview;
  const seq = state.schedule.reviewCount + 1;
  out.reviews.push({
    itemId: state.id, seq, at: iso(nowMs), period: reviewPeriod(nowMs, state.policy.timezone),
    figures, previous, completionRateChange: completionRateChange(figures, previous),
  });
  state.schedule.reviewCount = seq;
  state.schedule.lastReviewAt = iso(nowMs);
  state.schedule.lastReview = figures;
  state.counters.escalationsSinceReview = 0;
  state.counters.reworksSinceReview = 0;
  state.schedule.nextReviewAt = iso(nextMonthlyAt(nowMs, state.policy.monthlyReview, state.policy.timezone));
}
