/**
 * Time in an item: the next events (warnings, deadlines, ladder rungs, weekly
 * dispatch, monthly review) and what happens when they come. Pure: the
 * workflow asks `nextWakeAt`, sleeps on one durable timer, then calls
 * `advanceClock` with the workflow's own clock.
 *
 * Cost: the events due are kept in a heap, so n tasks due together advance in
 * O(n log n). Ties at one instant: warnings, then deadlines, then rungs, then
 * the weekly round, then the monthly review; among tasks, in item order.
 */
import { EventQueue, type QueuedEvent } from './event-queue';
import { appendAudit, appendNotifications, cloneState, iso, SYSTEM_ACTOR, taskUnits } from './item-helpers';
import { emptyRecords, type ItemRecords } from './item-records';
import { calendarOf, isTaskOpen } from './lights';
import { describeOffset, isWorkingDayOffset, offsetAfter, offsetBefore, officeSlot } from './office-time';
import { parseDuration } from './duration';
import { buildDispatchRecord, buildReviewRecord } from './records';
import { nextMonthlyAt, nextWeeklyAt } from './schedule';
import type { ItemState, TaskState } from './types';

export type TimedEventKind = 'warning' | 'overdue' | 'rung' | 'reviewReminder' | 'dispatch' | 'review' | 'followUp';

export interface TimedEvent {
  at: number;
  kind: TimedEventKind;
  taskId?: string;
}

const KIND_ORDER: Record<TimedEventKind, number> = { warning: 0, overdue: 1, rung: 2, reviewReminder: 3, dispatch: 4, review: 5, followUp: 6 };

interface QueuedItemEvent extends QueuedEvent {
  kind: TimedEventKind;
  /** the task's generation when queued: a task whose events were re-planned skips its older entries */
  generation: number;
}

function hasWarning(state: ItemState): boolean {
  const lead = state.policy.warningLead;
  return isWorkingDayOffset(lead) || parseDuration(lead) > 0;
}

function taskEvents(state: ItemState, task: TaskState, index: number, generation: number): QueuedItemEvent[] {
  // a paused clock (中止计时) has nothing to come until it is resumed
  if (!isTaskOpen(task) || task.pausedAt !== undefined) return [];
  const { timezone } = state.policy;
  const calendar = calendarOf(state);
  const events: QueuedItemEvent[] = [];
  const at = (kind: TimedEventKind, ms: number) => events.push({ at: ms, kind, order: KIND_ORDER[kind], index, generation });
  if (state.policy.office && task.status === 'submitted') {
    // office rules: the owner's clock stops at the submission; the leader is reminded instead
    const rung = state.policy.office.reviewLadder[task.alarms.reviewReminders ?? 0];
    if (rung && task.submittedAt) at('reviewReminder', offsetAfter(Date.parse(task.submittedAt), rung.after, timezone, calendar));
    return events;
  }
  const due = Date.parse(task.alarms.dueAt);
  if (!task.alarms.warned && hasWarning(state)) at('warning', offsetBefore(due, state.policy.warningLead, timezone, calendar));
  if (!task.alarms.overdue) at('overdue', due);
  const rung = state.policy.escalationLadder[task.alarms.rungsFired];
  if (rung) at('rung', offsetAfter(due, rung.after, timezone, calendar));
  return events;
}

function itemEvents(state: ItemState): QueuedItemEvent[] {
  const index = state.tasks.length;
  const events: QueuedItemEvent[] = [
    { at: Date.parse(state.schedule.nextDispatchAt), kind: 'dispatch', order: KIND_ORDER.dispatch, index, generation: 0 },
    { at: Date.parse(state.schedule.nextReviewAt), kind: 'review', order: KIND_ORDER.review, index, generation: 0 },
  ];
  if (state.followUp && !state.followUp.notified) {
    events.push({ at: Date.parse(state.followUp.dueAt), kind: 'followUp', order: KIND_ORDER.followUp, index, generation: 0 });
  }
  return events;
}

function allEvents(state: ItemState): QueuedItemEvent[] {
  if (state.status !== 'active') return [];
  return [...state.tasks.flatMap((t, i) => taskEvents(state, t, i, 0)), ...itemEvents(state)];
}

/** Every event still to come for an active item, earliest first (for tests and tools; the clock uses a heap). */
export function pendingEvents(state: ItemState): TimedEvent[] {
  const queue = new EventQueue(allEvents(state));
  const out: TimedEvent[] = [];
  for (let e = queue.pop(); e; e = queue.pop()) {
    const task = state.tasks[e.index];
    out.push(task ? { at: e.at, kind: e.kind, taskId: task.id } : { at: e.at, kind: e.kind });
  }
  return out;
}

/** The earliest event to come, in one pass over the tasks. */
export function nextWakeAt(state: ItemState): number | undefined {
  let earliest: number | undefined;
  for (const e of allEvents(state)) if (earliest === undefined || e.at < earliest) earliest = e.at;
  return earliest;
}

export interface ClockOutcome {
  state: ItemState;
  records: ItemRecords;
}

/** Applies, in order, every event due at or before `nowMs`. Returns the input state untouched when none is. */
export function advanceClock(current: ItemState, nowMs: number): ClockOutcome {
  const records = emptyRecords();
  const first = nextWakeAt(current);
  if (first === undefined || first > nowMs) return { state: current, records };
  const state = cloneState(current);
  const generations = state.tasks.map(() => 0);
  const queue = new EventQueue(allEvents(state));
  for (let event = queue.peek(); event && event.at <= nowMs && state.status === 'active'; event = queue.peek()) {
    queue.pop();
    const task = state.tasks[event.index];
    if (task && event.generation !== generations[event.index]) continue;
    fire(state, event.kind, task, { nowMs, scheduledMs: event.at }, records);
    if (task) {
      // the task's own future is re-planned from its new state; its older entries are skipped
      const generation = (generations[event.index] = generations[event.index]! + 1);
      for (const next of taskEvents(state, task, event.index, generation)) queue.push(next);
    } else {
      for (const next of itemEvents(state)) if (next.kind === event.kind) queue.push(next);
    }
  }
  state.updatedAt = iso(nowMs);
  return { state, records };
}

/**
 * When an event fires (`nowMs`, the workflow's clock at the wake) and when the
 * rules meant it to (`scheduledMs`). Warnings, deadlines and rungs record both
 * in their audit event (`at` and `details.scheduledAt`): the difference is how
 * late the clock was, which the worker's metrics report.
 */
interface Firing {
  nowMs: number;
  scheduledMs: number;
}

function fire(state: ItemState, kind: TimedEventKind, task: TaskState | undefined, when: Firing, out: ItemRecords): void {
  switch (kind) {
    case 'warning':
      return fireWarning(state, task!, when, out);
    case 'overdue':
      return fireOverdue(state, task!, when, out);
    case 'rung':
      return fireRung(state, task!, when, out);
    case 'reviewReminder':
      return fireReviewReminder(state, task!, when.nowMs, out);
    case 'dispatch':
      return fireDispatch(state, when.nowMs, out);
    case 'review':
      return fireReview(state, when.nowMs, out);
    case 'followUp':
      return fireFollowUp(state, when.nowMs, out);
  }
}

function fireWarning(state: ItemState, task: TaskState, { nowMs, scheduledMs }: Firing, out: ItemRecords): void {
  task.alarms.warned = true;
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'deadlineWarning', {
    task, details: { dueAt: task.alarms.dueAt, scheduledAt: iso(scheduledMs) },
  });
  appendNotifications(state, out.notifications, {
    kind: 'warning', occurrence: task.alarms.dueAt, task, roles: ['ownerUnit'], firedAt: nowMs,
    reason: `task ${task.id} is due at ${task.alarms.dueAt}`,
  });
}

function fireOverdue(state: ItemState, task: TaskState, { nowMs, scheduledMs }: Firing, out: ItemRecords): void {
  task.alarms.overdue = true;
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'deadlineMissed', {
    task, details: { dueAt: task.alarms.dueAt, scheduledAt: iso(scheduledMs) },
  });
  appendNotifications(state, out.notifications, {
    kind: 'overdue', occurrence: task.alarms.dueAt, task, roles: ['ownerUnit'], firedAt: nowMs,
    reason: `task ${task.id} missed its deadline ${task.alarms.dueAt}`,
  });
}

function fireRung(state: ItemState, task: TaskState, { nowMs, scheduledMs }: Firing, out: ItemRecords): void {
  const index = task.alarms.rungsFired;
  const rung = state.policy.escalationLadder[index]!;
  task.alarms.rungsFired += 1;
  task.escalationLevel = Math.max(task.escalationLevel, rung.level);
  task.maxEscalationLevel = Math.max(task.maxEscalationLevel ?? 0, task.escalationLevel);
  state.counters.escalations += 1;
  state.counters.escalationsSinceReview += 1;
  const rungNumber = index + 1;
  out.escalations.push({
    itemId: state.id, taskId: task.id, ownerUnit: task.ownerUnit, units: taskUnits(task), dueAt: task.alarms.dueAt,
    rung: rungNumber, level: rung.level, notify: [...rung.notify], firedAt: iso(nowMs),
  });
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'escalated', {
    task, details: { rung: rungNumber, level: rung.level, notify: rung.notify, dueAt: task.alarms.dueAt, scheduledAt: iso(scheduledMs) },
  });
  appendNotifications(state, out.notifications, {
    kind: 'escalation', occurrence: `${task.alarms.dueAt}#${rungNumber}`, task, roles: rung.notify, level: rung.level, firedAt: nowMs,
    reason: `task ${task.id} of ${task.ownerUnit} is ${rung.after === 'PT0S' ? 'due now' : `${describeOffset(rung.after)} past its deadline`} and not accepted: escalation level ${rung.level}`,
  });
}

/** Office rules: the leader has not decided on a submitted task; they are reminded, then their side is escalated to. */
function fireReviewReminder(state: ItemState, task: TaskState, nowMs: number, out: ItemRecords): void {
  const index = task.alarms.reviewReminders ?? 0;
  const rung = state.policy.office!.reviewLadder[index]!;
  task.alarms.reviewReminders = index + 1;
  const details = { rung: index + 1, submittedAt: task.submittedAt, after: rung.after, notify: rung.notify };
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'reviewReminder', { task, details });
  appendNotifications(state, out.notifications, {
    kind: 'reviewReminder', occurrence: `${task.submittedAt}#${index + 1}`, task, roles: rung.notify, firedAt: nowMs,
    reason: `task ${task.id} of ${task.ownerUnit} was submitted ${describeOffset(rung.after)} ago and waits for acceptance`,
  });
}

/** Office rules: the follow-up check (回头看) is due: the leader confirms there is no recurrence, or reopens. */
function fireFollowUp(state: ItemState, nowMs: number, out: ItemRecords): void {
  const watch = state.followUp!;
  watch.notified = true;
  appendAudit(state, out.auditEvents, nowMs, SYSTEM_ACTOR, 'followUpDue', { details: { since: watch.since, dueAt: watch.dueAt } });
  appendNotifications(state, out.notifications, {
    kind: 'followUpDue', occurrence: watch.since, roles: ['itemLeader'], firedAt: nowMs,
    reason: `every task of item ${state.id} was accepted on ${watch.since}: check that the problems have not come back`,
  });
}

function fireDispatch(state: ItemState, nowMs: number, out: ItemRecords): void {
  const lastAt = state.schedule.lastDispatchAt ? Date.parse(state.schedule.lastDispatchAt) : undefined;
  const seq = state.schedule.dispatchCount + 1;
  const record = buildDispatchRecord(state, seq, nowMs, lastAt);
  const byId = new Map(state.tasks.map((t) => [t.id, t]));
  for (const line of record.lines) {
    const task = byId.get(line.taskId)!;
    task.stale = line.stale;
    if (line.stale) {
      appendNotifications(state, out.notifications, {
        kind: 'chase', occurrence: `dispatch#${seq}`, task, roles: ['ownerUnit'], firedAt: nowMs,
        reason: `no progress reported on task ${task.id} since the last dispatch`,
      });
    }
  }
  out.dispatches.push(record);
  state.schedule.dispatchCount = seq;
  state.schedule.lastDispatchAt = iso(nowMs);
  // From now, not from the missed slot: a worker that was down for weeks sends one round, not a burst.
  state.schedule.nextDispatchAt = iso(officeSlot(state, nextWeeklyAt(nowMs, state.policy.weeklyDispatch, state.policy.timezone)));
}

function fireReview(state: ItemState, nowMs: number, out: ItemRecords): void {
  const seq = state.schedule.reviewCount + 1;
  const record = buildReviewRecord(state, seq, nowMs, state.schedule.lastReview);
  out.reviews.push(record);
  state.schedule.reviewCount = seq;
  state.schedule.lastReviewAt = iso(nowMs);
  state.schedule.lastReview = record.figures;
  state.counters.escalationsSinceReview = 0;
  state.counters.reworksSinceReview = 0;
  state.schedule.nextReviewAt = iso(officeSlot(state, nextMonthlyAt(nowMs, state.policy.monthlyReview, state.policy.timezone)));
}
