/**
 * A newer holiday calendar reaches a running item (the State Council publishes
 * next year's holidays each autumn): the item keeps it, and every working-day
 * deadline not yet passed is counted again on it. A passed deadline stays as it
 * was: it has been missed or met, and moving it would rewrite history. Rounds
 * not yet held move off the new holidays too. Pure, like every rule.
 */
import { LIMITS } from './limits';
import { jsonBytes } from './text';
import { addWorkingDays } from './working-days';
import { appendAudit, appendNotifications, cloneState, iso, SYSTEM_ACTOR } from './item-helpers';
import { emptyRecords, type ItemRecords } from './item-records';
import { isTaskOpen, warningAt } from './lights';
import { officeSlot } from './office-time';
import { nextMonthlyAt, nextWeeklyAt } from './schedule';
import type { HolidayCalendar, ItemState } from './types';

export interface CalendarOutcome {
  state: ItemState;
  records: ItemRecords;
  /** false when the item already holds this version or a newer one: nothing changed */
  applied: boolean;
}

/** A calendar as the workflow receives it: checked here, since a signal carries no validator. */
export function isHolidayCalendar(value: unknown): value is HolidayCalendar {
  const c = value as HolidayCalendar;
  const dates = (r: unknown) => typeof r === 'object' && r !== null && Object.entries(r).every(([k, v]) => /^\d{4}-\d{2}-\d{2}$/.test(k) && typeof v === 'string');
  return typeof c === 'object' && c !== null && typeof c.source === 'string' && Number.isInteger(c.version)
    && Array.isArray(c.years) && c.years.every(Number.isInteger) && dates(c.holidays) && dates(c.workdays)
    // the state budget holds a calendar up to this size, no more
    && jsonBytes(c) <= LIMITS.calendarBytes;
}

export function applyCalendarUpdate(current: ItemState, calendar: HolidayCalendar, nowMs: number): CalendarOutcome {
  const records = emptyRecords();
  const held = current.calendar.version ?? 0;
  if (current.status !== 'active' || !isHolidayCalendar(calendar) || calendar.version! <= held) {
    return { state: current, records, applied: false };
  }
  const state = cloneState(current);
  state.calendar = calendar;
  const tz = state.policy.timezone;
  const moved: Array<{ taskId: string; from: string; to: string }> = [];
  for (const task of state.tasks.filter(isTaskOpen)) {
    const { spec } = task.deadline;
    if (spec.kind !== 'workingDays' || Date.parse(task.deadline.dueAt) <= nowMs) continue;
    // pauses and review waits already moved it by whole working days: they count on top
    const counted = addWorkingDays(Date.parse(task.deadline.resolvedAt), spec.days + (task.deadline.shiftedDays ?? 0), tz, calendar);
    const from = task.deadline.dueAt;
    // a recount never turns a deadline still ahead into one already gone: then the one the owner was given stands
    if (counted.dueAtMs <= nowMs) continue;
    const to = iso(counted.dueAtMs);
    const { provisional: _was, ...rest } = task.deadline;
    task.deadline = { ...rest, dueAt: to, ...(counted.provisional ? { provisional: true as const } : {}) };
    if (to !== from) {
      if (task.originalDueAt === from) task.originalDueAt = to;
      task.alarms = { ...task.alarms, dueAt: to, warned: task.alarms.warned && warningAt(task, state) <= nowMs, overdue: false };
      moved.push({ taskId: task.id, from, to });
    }
    records.taskTexts.push({ taskId: task.id, deadlineBasis: counted.basis });
  }
  if (state.policy.office?.roundsOnWorkingDays) {
    const { weeklyDispatch, monthlyReview } = state.policy;
    const lastDispatch = Date.parse(state.schedule.lastDispatchAt ?? state.createdAt);
    const lastReview = Date.parse(state.schedule.lastReviewAt ?? state.createdAt);
    state.schedule.nextDispatchAt = iso(Math.max(nowMs, officeSlot(state, nextWeeklyAt(lastDispatch, weeklyDispatch, tz))));
    state.schedule.nextReviewAt = iso(Math.max(nowMs, officeSlot(state, nextMonthlyAt(lastReview, monthlyReview, tz))));
  }
  const event = appendAudit(state, records.auditEvents, nowMs, SYSTEM_ACTOR, 'calendarUpdated', {
    details: { version: calendar.version, source: calendar.source, years: calendar.years, moved },
  });
  for (const m of moved) {
    const task = state.tasks.find((t) => t.id === m.taskId)!;
    appendNotifications(state, records.notifications, {
      kind: 'deadlineMoved', occurrence: String(event.seq), task, roles: ['ownerUnit'], firedAt: nowMs, newDueAt: m.to,
      reason: `the holiday calendar (v${calendar.version}) moved the deadline of task ${task.id} from ${m.from} to ${m.to}`,
    });
  }
  state.updatedAt = iso(nowMs);
  return { state, records, applied: true };
}
