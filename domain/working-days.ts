/**
 * Working days on China's statutory calendar (法定节假日 and 调休), from the data
 * of the `chinese-days` package. Only its plain JSON is imported: it bundles
 * into the workflow sandbox like any module and holds no code.
 */
import calendar from 'chinese-days/dist/chinese-days.json';
import { DomainError } from './errors';
import { addCalendarDays, isValidTimeZone, isoWeekday, localDateString, localToInstant, parseDate } from './local-time';

// Values look like "Spring Festival,春节,4": English name, Chinese name, an id.
const HOLIDAYS: Readonly<Record<string, string>> = calendar.holidays;
/** make-up workdays (调休): weekend days that are worked to bridge a holiday */
const MAKEUP_WORKDAYS: Readonly<Record<string, string>> = calendar.workdays;
/** A year is covered when the State Council's holiday notice for it is in the data. */
const COVERED_YEARS: ReadonlySet<number> = new Set(Object.keys(HOLIDAYS).map((d) => Number(d.slice(0, 4))));

const MAX_DAYS = 3650;

export function calendarCoversYear(year: number): boolean {
  return COVERED_YEARS.has(year);
}

/** Make-up workday → true; statutory holiday → false; otherwise Monday to Friday. */
export function isWorkingDay(date: string): boolean {
  const { year, month, day } = parseDate(date);
  if (Object.hasOwn(MAKEUP_WORKDAYS, date)) return true;
  if (Object.hasOwn(HOLIDAYS, date)) return false;
  return isoWeekday(year, month, day) <= 5;
}

function holidayName(date: string): string {
  return (HOLIDAYS[date] ?? '').split(',')[0] || 'holiday';
}

/**
 * `days` working days after the assignment: counting starts on the local day
 * AFTER fromMs (the assignment day never counts, however early it was), and the
 * deadline is the END of the Nth working day, 23:59:59 local time, so an owner
 * has the whole of that day. `basis` records what was skipped and counted.
 */
export function addWorkingDays(fromMs: number, days: number, tz: string): { dueAtMs: number; basis: string } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new DomainError('VALIDATION_FAILED', `working days must be an integer from 1 to ${MAX_DAYS}, got ${days}`, {
      days,
    });
  }
  if (!isValidTimeZone(tz)) {
    throw new DomainError('VALIDATION_FAILED', `'${tz}' is not a known IANA time zone`, { timezone: tz });
  }
  const start = localDateString(fromMs, tz);
  const holidays: Array<{ from: string; to: string; name: string }> = [];
  const makeups: string[] = [];
  const uncovered = new Set<number>();

  let date = start;
  for (let counted = 0; counted < days; ) {
    date = addCalendarDays(date, 1);
    const year = Number(date.slice(0, 4));
    if (!calendarCoversYear(year)) uncovered.add(year);
    if (Object.hasOwn(HOLIDAYS, date)) {
      const name = holidayName(date);
      const last = holidays[holidays.length - 1];
      // extend the current run when the day before was the same holiday
      if (last && last.name === name && addCalendarDays(last.to, 1) === date) last.to = date;
      else holidays.push({ from: date, to: date, name });
    }
    if (isWorkingDay(date)) {
      counted += 1;
      if (Object.hasOwn(MAKEUP_WORKDAYS, date)) makeups.push(date);
    }
  }

  const { year, month, day } = parseDate(date);
  const dueAtMs = localToInstant({ year, month, day, hour: 23, minute: 59, second: 59 }, tz);
  return { dueAtMs, basis: describe(days, start, tz, holidays, makeups, [...uncovered], date) };
}

function describe(
  days: number,
  start: string,
  tz: string,
  holidays: Array<{ from: string; to: string; name: string }>,
  makeups: string[],
  uncovered: number[],
  due: string,
): string {
  const parts: string[] = [];
  if (holidays.length > 0) {
    const runs = holidays.map((h) => `${h.from === h.to ? h.from : `${h.from}…${h.to}`} (${h.name})`);
    parts.push(`skipped holidays ${runs.join(', ')}`);
  }
  if (makeups.length > 0) parts.push(`counted make-up workdays ${makeups.join(', ')}`);
  if (holidays.length === 0 && makeups.length === 0) parts.push('no holidays or make-up workdays in the data for the period');
  if (uncovered.length > 0) {
    parts.push(`no statutory holiday data for ${uncovered.join(', ')}, so only weekends were skipped there`);
  }
  const unit = days === 1 ? 'working day' : 'working days';
  return `${days} ${unit} from ${start} (${tz}) on China's statutory calendar: ${parts.join('; ')}; due end of ${due}`;
}
