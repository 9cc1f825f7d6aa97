/**
 * The week or month a notice covers, as local calendar days in the plan's
 * zone and as the instants that bound them. A week runs Monday to Sunday (the
 * weekly dispatch's round); a month from its 1st to its last day.
 */
import { DomainError } from '../../domain/errors';
import { addCalendarDays, formatDate, isoWeekday, localDateString, localToInstant, parseDate, pad2 } from '../../domain/local-time';

export interface Period {
  kind: 'week' | 'month';
  /** the Monday of the week (YYYY-MM-DD) or the month (YYYY-MM) */
  label: string;
  /** first instant of the period */
  from: string;
  /** first instant after it */
  to: string;
}

const startOfDay = (date: string, tz: string) => {
  const { year, month, day } = parseDate(date);
  return localToInstant({ year, month, day, hour: 0, minute: 0 }, tz);
};

/** The week holding `date` (any day of it), or the current week. */
export function weekPeriod(date: string | undefined, nowMs: number, tz: string): Period {
  const day = date ?? localDateString(nowMs, tz);
  const { year, month, day: d } = parseDate(day);
  const monday = addCalendarDays(day, 1 - isoWeekday(year, month, d));
  return {
    kind: 'week',
    label: monday,
    from: new Date(startOfDay(monday, tz)).toISOString(),
    to: new Date(startOfDay(addCalendarDays(monday, 7), tz)).toISOString(),
  };
}

/** The month `month` (YYYY-MM), or the current month shifted by `defaultShift` (−1: the previous one). */
export function monthPeriod(month: string | undefined, nowMs: number, tz: string, defaultShift = 0): Period {
  let year: number;
  let m: number;
  if (month === undefined) {
    const [y, mm] = localDateString(nowMs, tz).split('-').map(Number) as [number, number];
    const index = y * 12 + (mm - 1) + defaultShift;
    year = Math.floor(index / 12);
    m = (index % 12) + 1;
  } else {
    const match = /^(\d{4})-(\d{2})$/.exec(month);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
      throw new DomainError('VALIDATION_FAILED', `'${month}' is not a month YYYY-MM`, { path: 'query.month' });
    }
    year = Number(match[1]);
    m = Number(match[2]);
  }
  const first = formatDate(year, m, 1);
  const next = m === 12 ? formatDate(year + 1, 1, 1) : formatDate(year, m + 1, 1);
  return {
    kind: 'month',
    label: `${year}-${pad2(m)}`,
    from: new Date(startOfDay(first, tz)).toISOString(),
    to: new Date(startOfDay(next, tz)).toISOString(),
  };
}
