/**
 * The statutory holiday calendar from the `chinese-days` package, as data an
 * item carries (HolidayCalendar). NOT for workflow code: the workflow gets the
 * calendar in its input, so history, not the bundle, decides working days, and
 * updating the package never changes how a running item replays.
 */
import data from 'chinese-days/dist/chinese-days.json';
import { version } from 'chinese-days/package.json';
import type { HolidayCalendar } from './types';

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** The calendar from `fromYear` on (default: all years in the data). An item needs only the years it can live in. */
export function statutoryCalendar(fromYear?: number): HolidayCalendar {
  const keep = (date: string) => fromYear === undefined || yearOf(date) >= fromYear;
  const pick = (source: Record<string, string>) =>
    Object.fromEntries(Object.entries(source).filter(([date]) => keep(date)));
  const holidays = pick(data.holidays);
  return {
    source: `chinese-days ${version}`,
    years: [...new Set(Object.keys(holidays).map(yearOf))].sort((a, b) => a - b),
    holidays,
    workdays: pick(data.workdays),
  };
}

/** Days an operator adds before the package has them (e.g. next year's notice, published each November). */
export interface HolidaySupplement {
  source: string;
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** What a new item starting at `nowMs` carries: last year's data on, plus the operator's supplement. */
export function calendarForNewItem(nowMs: number, supplement?: HolidaySupplement): HolidayCalendar {
  const base = statutoryCalendar(new Date(nowMs).getUTCFullYear() - 1);
  if (!supplement) return base;
  const holidays = { ...base.holidays, ...supplement.holidays };
  const workdays = { ...base.workdays, ...supplement.workdays };
  return {
    source: `${base.source} + ${supplement.source}`,
    years: [...new Set([...base.years, ...Object.keys(supplement.holidays).map(yearOf)])].sort((a, b) => a - b),
    holidays,
    workdays,
  };
}
