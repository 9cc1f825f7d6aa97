/**
 * The weekly dispatch (一周一调度) and monthly review (一月一研判) as local wall
 * times in the item's time zone. Occurrences are computed from the calendar, not
 * by adding 7 × 24 h, so a DST switch keeps the dispatch at the same local time.
 */
import { DomainError } from './errors';
import { addCalendarDays, formatDate, localToInstant, pad2, parseDate, parseHHMM, zonedParts } from './local-time';
import type { MonthlySchedule, WeeklySchedule } from './types';

export function validateWeekly(s: WeeklySchedule): void {
  if (typeof s !== 'object' || s === null) {
    throw new DomainError('VALIDATION_FAILED', 'weekly schedule must be an object { weekday, time }');
  }
  if (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `weekly schedule weekday must be an integer 1 (Monday) to 7 (Sunday), got ${String(s.weekday)}`,
      { weekday: s.weekday },
    );
  }
  parseHHMM(s.time);
}

export function validateMonthly(s: MonthlySchedule): void {
  if (typeof s !== 'object' || s === null) {
    throw new DomainError('VALIDATION_FAILED', 'monthly schedule must be an object { day, time }');
  }
  // 29–31 are refused rather than clamped: a review "on the 31st" that silently
  // moves around would surprise the people who attend it.
  if (!Number.isInteger(s.day) || s.day < 1 || s.day > 28) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `monthly schedule day must be an integer 1 to 28 (every month has it), got ${String(s.day)}`,
      { day: s.day },
    );
  }
  parseHHMM(s.time);
}

/** First (ISO weekday, HH:MM local) strictly after afterMs. */
export function nextWeeklyAt(afterMs: number, schedule: WeeklySchedule, tz: string): number {
  validateWeekly(schedule);
  const { hour, minute } = parseHHMM(schedule.time);
  const now = zonedParts(afterMs, tz);
  const today = formatDate(now.year, now.month, now.day);
  const ahead = (schedule.weekday - now.weekday + 7) % 7;
  // Today's slot may already have passed (or be exactly now): then next week.
  for (const extra of [0, 7]) {
    const date = addCalendarDays(today, ahead + extra);
    const at = localToInstant({ ...parseDate(date), hour, minute }, tz);
    if (at > afterMs) return at;
  }
  throw new Error('unreachable: a weekly slot a week ahead is always in the future');
}

/** First (day-of-month, HH:MM local) strictly after afterMs. */
export function nextMonthlyAt(afterMs: number, schedule: MonthlySchedule, tz: string): number {
  validateMonthly(schedule);
  const { hour, minute } = parseHHMM(schedule.time);
  const now = zonedParts(afterMs, tz);
  for (const extra of [0, 1]) {
    const { year, month } = shiftMonth(now.year, now.month, extra);
    const at = localToInstant({ year, month, day: schedule.day, hour, minute }, tz);
    if (at > afterMs) return at;
  }
  throw new Error('unreachable: next month’s slot is always in the future');
}

/** The latest (day-of-month, HH:MM local) slot at or before atMs. */
export function previousMonthlyAt(atMs: number, schedule: MonthlySchedule, tz: string): number {
  validateMonthly(schedule);
  const { hour, minute } = parseHHMM(schedule.time);
  const now = zonedParts(atMs, tz);
  for (const back of [0, -1]) {
    const { year, month } = shiftMonth(now.year, now.month, back);
    const at = localToInstant({ year, month, day: schedule.day, hour, minute }, tz);
    if (at <= atMs) return at;
  }
  throw new Error('unreachable: last month’s slot is always in the past');
}

/** 'YYYY-MM' of the local month before reviewAtMs: the review on 1 February reviews January. */
export function reviewPeriod(reviewAtMs: number, tz: string): string {
  const p = zonedParts(reviewAtMs, tz);
  const { year, month } = shiftMonth(p.year, p.month, -1);
  return `${year}-${pad2(month)}`;
}

function shiftMonth(year: number, month: number, by: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}
