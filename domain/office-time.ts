/**
 * Office time: spans given as durations or as working days on the item's
 * holiday calendar, and the working-day arithmetic the clock rules share
 * (a pause or a wait for review moves a deadline by the working days it took).
 * Pure; the calendar is a parameter.
 */
import { parseDuration } from './duration';
import { DomainError } from './errors';
import { addCalendarDays, formatDate, localDateString, localToInstant, parseDate, parseHHMM, zonedParts } from './local-time';
import type { HolidayCalendar, ItemPolicy, Offset, WorkingDayOffset } from './types';
import { isWorkingDate, isWorkingDay } from './working-days';

/** What the clock rules of a task need from its item. */
export interface ClockContext {
  policy: ItemPolicy;
  /** needed only for working-day offsets; items without any may leave it out */
  calendar?: HolidayCalendar;
}

const NO_HOLIDAYS: HolidayCalendar = { source: 'none', years: [], holidays: {}, workdays: {} };

export function calendarOf(ctx: ClockContext): HolidayCalendar {
  return ctx.calendar ?? NO_HOLIDAYS;
}

/** The local time a working-day offset lands at when it names none. */
export const DEFAULT_OFFSET_TIME = '09:00';
/** More working days than this is a typo (a year holds about 250). */
export const MAX_OFFSET_WORKING_DAYS = 250;

export function isWorkingDayOffset(offset: Offset): offset is WorkingDayOffset {
  return typeof offset === 'object' && offset !== null;
}

/** A rough length, only to check that a ladder's rungs come in order: a working day counts as a day. */
export function nominalMs(offset: Offset): number {
  return isWorkingDayOffset(offset) ? offset.workingDays * 86_400_000 : parseDuration(offset);
}

/** Checks an offset's form; the message starts with `label` (default: the path). */
export function validateOffset(offset: Offset, path: string, maxDurationMs: number, label = path): void {
  if (isWorkingDayOffset(offset)) {
    const keys = Object.keys(offset).filter((k) => k !== 'workingDays' && k !== 'at');
    const n = offset.workingDays;
    if (keys.length > 0 || !Number.isInteger(n) || n < 1 || n > MAX_OFFSET_WORKING_DAYS) {
      throw new DomainError('VALIDATION_FAILED', `${label} must be { workingDays: 1…${MAX_OFFSET_WORKING_DAYS}, at?: "HH:MM" }`, { path });
    }
    if (offset.at !== undefined) {
      try {
        parseHHMM(offset.at);
      } catch {
        throw new DomainError('VALIDATION_FAILED', `${path}.at must be a local time HH:MM`, { path: `${path}.at` });
      }
    }
    return;
  }
  let ms: number | undefined;
  try {
    ms = typeof offset === 'string' ? parseDuration(offset) : undefined;
  } catch {
    ms = undefined;
  }
  if (ms === undefined || ms > maxDurationMs) {
    throw new DomainError('VALIDATION_FAILED', `${label} '${String(offset)}' must be an ISO-8601 duration of at most a year, or { workingDays }`, { path });
  }
}

function at(date: string, time: string | undefined, tz: string): number {
  const { hour, minute } = parseHHMM(time ?? DEFAULT_OFFSET_TIME);
  return localToInstant({ ...parseDate(date), hour, minute }, tz);
}

/** The Nth working day after (step 1) or before (step −1) `date`, never counting `date` itself. */
function nthWorkingDay(date: string, n: number, step: 1 | -1, calendar: HolidayCalendar): string {
  const { year, month, day } = parseDate(date);
  const d = new Date(Date.UTC(year, month - 1, day));
  let found = date;
  for (let counted = 0; counted < n; ) {
    d.setUTCDate(d.getUTCDate() + step);
    found = formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (isWorkingDate(found, d.getUTCDay() || 7, calendar)) counted += 1;
  }
  return found;
}

// The clock asks for the same working-day offsets (each task's warning, its rungs) at every wake,
// and the lights on every read: answers are kept per calendar (a calendar update is a new object).
// Pure functions of their arguments, so replay is unaffected; bounded, and started again when full.
const OFFSETS_KEPT = 256;
const keptOffsets = new WeakMap<HolidayCalendar, Map<string, number>>();

function workingDayOffset(fromMs: number, offset: WorkingDayOffset, step: 1 | -1, tz: string, calendar: HolidayCalendar): number {
  let kept = keptOffsets.get(calendar);
  // `at` absent and `at` given must not share a key (an empty or odd one is refused, never answered as 09:00)
  const key = `${fromMs} ${step} ${offset.workingDays} ${offset.at === undefined ? '-' : `=${offset.at}`} ${tz}`;
  const known = kept?.get(key);
  if (known !== undefined) return known;
  const ms = at(nthWorkingDay(localDateString(fromMs, tz), offset.workingDays, step, calendar), offset.at, tz);
  if (!kept || kept.size >= OFFSETS_KEPT) keptOffsets.set(calendar, (kept = new Map()));
  kept.set(key, ms);
  return ms;
}

/** `offset` after `fromMs`: the duration added, or `at` local time on the Nth working day after fromMs's local day. */
export function offsetAfter(fromMs: number, offset: Offset, tz: string, calendar: HolidayCalendar): number {
  if (!isWorkingDayOffset(offset)) return fromMs + parseDuration(offset);
  return workingDayOffset(fromMs, offset, 1, tz, calendar);
}

/** `offset` before `fromMs`: the duration taken off, or `at` local time on the Nth working day before fromMs's local day. */
export function offsetBefore(fromMs: number, offset: Offset, tz: string, calendar: HolidayCalendar): number {
  if (!isWorkingDayOffset(offset)) return fromMs - parseDuration(offset);
  return workingDayOffset(fromMs, offset, -1, tz, calendar);
}

/**
 * The working time between two instants, in whole working days: each working
 * day counts the hours of it the span covers, and the sum is rounded to the
 * nearest day. A pause from Monday 10:00 to the next Monday 10:00 is 5; one
 * over midnight, or for an afternoon, is 0.
 */
export function workingDaysElapsed(fromMs: number, toMs: number, tz: string, calendar: HolidayCalendar): number {
  if (toMs <= fromMs) return 0;
  const last = localDateString(toMs, tz);
  let covered = 0;
  for (let d = localDateString(fromMs, tz); d <= last; d = addCalendarDays(d, 1)) {
    if (!isWorkingDay(d, calendar)) continue;
    const start = localToInstant({ ...parseDate(d), hour: 0, minute: 0 }, tz);
    const end = localToInstant({ ...parseDate(addCalendarDays(d, 1)), hour: 0, minute: 0 }, tz);
    covered += Math.max(0, Math.min(toMs, end) - Math.max(fromMs, start));
  }
  return Math.round(covered / 86_400_000);
}

/** Working days among the local days from fromMs's day up to, not including, toMs's day. */
export function workingDaysBetween(fromMs: number, toMs: number, tz: string, calendar: HolidayCalendar): number {
  const end = localDateString(toMs, tz);
  let n = 0;
  // bounded: instants lie within [2000, 2100), so at most ~36,500 steps; real pauses are days or weeks
  for (let d = localDateString(fromMs, tz); d < end; d = addCalendarDays(d, 1)) if (isWorkingDay(d, calendar)) n += 1;
  return n;
}

/** The same local time, `n` working days later (counting the working days after ms's local day). */
export function shiftByWorkingDays(ms: number, n: number, tz: string, calendar: HolidayCalendar): number {
  if (n <= 0) return ms;
  const p = zonedParts(ms, tz);
  const date = nthWorkingDay(localDateString(ms, tz), n, 1, calendar);
  return localToInstant({ ...parseDate(date), hour: p.hour, minute: p.minute, second: p.second }, tz) + (((ms % 1000) + 1000) % 1000);
}

/** ms itself when its local day is a working day; otherwise the same local time on the next working day. */
export function onWorkingDay(ms: number, tz: string, calendar: HolidayCalendar): number {
  const date = localDateString(ms, tz);
  if (isWorkingDay(date, calendar)) return ms;
  const p = zonedParts(ms, tz);
  return localToInstant({ ...parseDate(nthWorkingDay(date, 1, 1, calendar)), hour: p.hour, minute: p.minute, second: p.second }, tz);
}

/** How a span reads in a message: "3 working days" or the duration as given. */
export function describeOffset(offset: Offset): string {
  if (!isWorkingDayOffset(offset)) return offset;
  return `${offset.workingDays} working day${offset.workingDays === 1 ? '' : 's'}`;
}

/** A round's slot: with office rules, one on a holiday or weekend moves to the next working day, same local time. */
export function officeSlot(ctx: ClockContext, slotMs: number): number {
  return ctx.policy.office?.roundsOnWorkingDays ? onWorkingDay(slotMs, ctx.policy.timezone, calendarOf(ctx)) : slotMs;
}
