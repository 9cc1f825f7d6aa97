/**
 * Working days on China's statutory calendar (法定节假日 and 调休). The calendar
 * is a parameter, never imported here: items carry theirs in their state (see
 * HolidayCalendar), and domain/statutory-calendar.ts builds one from the
 * `chinese-days` package outside the workflow sandbox.
 */
import { DomainError } from './errors';
import { addCalendarDays, isValidTimeZone, isoWeekday, localDateString, localToInstant, parseDate } from './local-time';
import type { HolidayCalendar } from './types';

const MAX_DAYS = 3650;

export function calendarCoversYear(year: number, calendar: HolidayCalendar): boolean {
  return calendar.years.includes(year);
}

/**
 * The statutory holidays on fixed dates (全国年节及纪念日放假办法, as revised in
 * 2025): New Year's Day, 1–2 May, 1–3 October. Lunar holidays and the make-up
 * workdays are only known from each year's State Council notice.
 */
export const FIXED_DATE_HOLIDAYS: Readonly<Record<string, string>> = {
  '01-01': "New Year's Day,元旦",
  '05-01': 'Labour Day,劳动节',
  '05-02': 'Labour Day,劳动节',
  '10-01': 'National Day,国庆节',
  '10-02': 'National Day,国庆节',
  '10-03': 'National Day,国庆节',
};

/** The year the 2025 revision of the national holiday regulations took effect. */
const FIXED_DATE_RULE_SINCE = 2025;

/**
 * The fixed-date statutory holiday on `date`, for calendars with the rule
 * ('fixed-date'): from 2025 on, these days are holidays by law, whether or not
 * a year's notice (or the package's data) lists them.
 */
export function fixedDateHoliday(date: string, calendar: HolidayCalendar): string | undefined {
  if (calendar.fallback !== 'fixed-date' || Number(date.slice(0, 4)) < FIXED_DATE_RULE_SINCE) return undefined;
  return FIXED_DATE_HOLIDAYS[date.slice(5)];
}

/** Make-up workday → true; statutory holiday → false; otherwise Monday to Friday. */
export function isWorkingDay(date: string, calendar: HolidayCalendar): boolean {
  const { year, month, day } = parseDate(date);
  return isWorkingDate(date, isoWeekday(year, month, day), calendar);
}

/** isWorkingDay for a date already known to be valid, with its ISO weekday (for loops over days). */
export function isWorkingDate(date: string, weekday: number, calendar: HolidayCalendar): boolean {
  if (Object.hasOwn(calendar.workdays, date)) return true;
  if (Object.hasOwn(calendar.holidays, date)) return false;
  if (fixedDateHoliday(date, calendar) !== undefined) return false;
  return weekday <= 5;
}

// Values look like "Spring Festival,春节,4": English name, Chinese name, an id.
function holidayName(date: string, calendar: HolidayCalendar): string {
  const listed = calendar.holidays[date];
  if (listed !== undefined) return listed.split(',')[0] || 'holiday';
  const fixed = fixedDateHoliday(date, calendar)!.split(',')[0]!;
  return calendarCoversYear(Number(date.slice(0, 4)), calendar) ? fixed : `${fixed}, provisional`;
}

/**
 * `days` working days after the assignment: counting starts on the local day
 * AFTER fromMs (the assignment day never counts, however early it was), and the
 * deadline is the END of the Nth working day, 23:59:59 local time, so an owner
 * has the whole of that day. `basis` records what was skipped and counted.
 */
export function addWorkingDays(
  fromMs: number,
  days: number,
  tz: string,
  calendar: HolidayCalendar,
): { dueAtMs: number; basis: string; provisional: boolean } {
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
    if (!calendarCoversYear(year, calendar)) uncovered.add(year);
    if (Object.hasOwn(calendar.holidays, date) || (!Object.hasOwn(calendar.workdays, date) && fixedDateHoliday(date, calendar) !== undefined)) {
      const name = holidayName(date, calendar);
      const last = holidays[holidays.length - 1];
      // extend the current run when the day before was the same holiday
      if (last && last.name === name && addCalendarDays(last.to, 1) === date) last.to = date;
      else holidays.push({ from: date, to: date, name });
    }
    if (isWorkingDay(date, calendar)) {
      counted += 1;
      if (Object.hasOwn(calendar.workdays, date)) makeups.push(date);
    }
  }

  const { year, month, day } = parseDate(date);
  const dueAtMs = localToInstant({ year, month, day, hour: 23, minute: 59, second: 59 }, tz);
  const provisional = calendar.fallback === 'fixed-date' && uncovered.size > 0;
  return { dueAtMs, basis: describe(days, start, tz, holidays, makeups, [...uncovered], date, calendar), provisional };
}

function describe(
  days: number,
  start: string,
  tz: string,
  holidays: Array<{ from: string; to: string; name: string }>,
  makeups: string[],
  uncovered: number[],
  due: string,
  calendar: HolidayCalendar,
): string {
  const parts: string[] = [];
  if (holidays.length > 0) {
    const runs = holidays.map((h) => `${h.from === h.to ? h.from : `${h.from}…${h.to}`} (${h.name})`);
    parts.push(`skipped holidays ${runs.join(', ')}`);
  }
  if (makeups.length > 0) parts.push(`counted make-up workdays ${makeups.join(', ')}`);
  if (holidays.length === 0 && makeups.length === 0) parts.push('no holidays or make-up workdays in the data for the period');
  if (uncovered.length > 0) {
    parts.push(calendar.fallback === 'fixed-date'
      ? `provisional: no State Council notice for ${uncovered.join(', ')} yet, so only weekends and the fixed-date holidays were skipped there`
      : `no statutory holiday data for ${uncovered.join(', ')}, so only weekends were skipped there`);
  }
  const unit = days === 1 ? 'working day' : 'working days';
  const version = calendar.version !== undefined ? ` (calendar v${calendar.version})` : '';
  return `${days} ${unit} from ${start} (${tz}) on China's statutory calendar${version}: ${parts.join('; ')}; due end of ${due}`;
}
