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

/** Days an operator adds before the package has them (HOLIDAY_CALENDAR_FILE). */
export interface HolidaySupplement {
  source: string;
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** One year as an admin published it (POST /calendar/years/:year): it replaces that year's data. */
export interface PublishedYear {
  year: number;
  version: number;
  source: string;
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  publishedBy?: string;
  publishedAt?: string;
}

function withoutYear(days: Record<string, string>, year: number): Record<string, string> {
  return Object.fromEntries(Object.entries(days).filter(([date]) => yearOf(date) !== year));
}

/**
 * What a new item starting at `nowMs` carries (and what a calendar update sends
 * to running items): the package's data from last year on, each published year
 * in place of the package's, then the operator's file. In a year with no notice
 * yet, the fixed-date holidays are skipped and deadlines marked provisional.
 */
export function calendarForNewItem(nowMs: number, supplement?: HolidaySupplement, published: PublishedYear[] = []): HolidayCalendar {
  const fromYear = new Date(nowMs).getUTCFullYear() - 1;
  const base = statutoryCalendar(fromYear);
  let { holidays, workdays } = base;
  const years = new Set(base.years);
  const sources = [base.source];
  // like the package's data: an item needs only the years it can still live in
  for (const p of [...published].filter((y) => y.year >= fromYear).sort((a, b) => a.year - b.year)) {
    holidays = { ...withoutYear(holidays, p.year), ...p.holidays };
    workdays = { ...withoutYear(workdays, p.year), ...p.workdays };
    years.add(p.year);
    sources.push(`${p.year}: ${p.source} (v${p.version})`);
  }
  if (supplement) {
    holidays = { ...holidays, ...supplement.holidays };
    workdays = { ...workdays, ...supplement.workdays };
    for (const date of Object.keys(supplement.holidays)) years.add(yearOf(date));
    sources.push(supplement.source);
  }
  return {
    source: sources.join(' + '),
    version: Math.max(0, ...published.map((p) => p.version)),
    fallback: 'fixed-date',
    years: [...years].sort((a, b) => a - b),
    holidays,
    workdays,
  };
}
