/**
 * Days and instants as the ledger shows and reads them, in one IANA zone.
 * The zone arithmetic is domain/local-time's (pure, no host clock), so the
 * ledger and the workflows agree on what "end of 2027-03-31" means.
 */
import { formatDate, localToInstant, pad2, zonedParts } from '../../domain/local-time';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
/** Excel's day 0 of the 1900 system is 1899-12-30 (its 1900 leap-year bug folded in), of the 1904 system 1904-01-01. */
const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** A real calendar date (no 2027-02-30), or undefined. */
export function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1900 || year > 9999) return undefined;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** The calendar day of an Excel serial (the fraction, a time of day, is dropped). */
export function dateOfExcelSerial(serial: number, date1904 = false): CalendarDate | undefined {
  if (!Number.isFinite(serial)) return undefined;
  const d = new Date((date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900) + Math.floor(serial) * DAY_MS);
  return calendarDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/**
 * The calendar day of a Date cell. exceljs turns a serial into a Date at UTC
 * midnight of that day (plus the time of day), so the day is read in UTC,
 * never in the server's zone.
 */
export function dateOfCellDate(value: Date): CalendarDate | undefined {
  if (Number.isNaN(value.getTime())) return undefined;
  return calendarDate(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
}

/** The date n days later (n may be negative). */
export function plusDays(date: CalendarDate, n: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 'YYYY-MM-DD'. */
export function dateString(date: CalendarDate): string {
  return formatDate(date.year, date.month, date.day);
}

/** ISO-8601 with the zone's offset at that instant, e.g. 2027-03-31T23:59:59+08:00. */
export function isoWithOffset(instantMs: number, timezone: string): string {
  const p = zonedParts(instantMs, timezone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMinutes = Math.round((wall - Math.floor(instantMs / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return `${formatDate(p.year, p.month, p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}${offset}`;
}

/** The last second of a day in the zone: a deadline written as a date means "by the end of that day". */
export function endOfDayMs(date: CalendarDate, timezone: string): number {
  return localToInstant({ ...date, hour: 23, minute: 59, second: 59 }, timezone);
}

/** 'YYYY-MM-DD HH:MM' in the zone, for people reading an export. */
export function localDateTimeText(iso: string, timezone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const p = zonedParts(ms, timezone);
  return `${formatDate(p.year, p.month, p.day)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** 'YYYY-MM-DD' in the zone. */
export function localDateText(iso: string, timezone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const p = zonedParts(ms, timezone);
  return formatDate(p.year, p.month, p.day);
}

/**
 * Whole days to (positive) or past (negative) a deadline, rounded away from
 * zero: any time left counts as a day left, any time past as a day overdue,
 * so a sign never hides an overdue task. 0 only at the due instant itself.
 */
export function daysToDeadline(dueIso: string, nowMs: number): number {
  const diff = Date.parse(dueIso) - nowMs;
  if (Number.isNaN(diff)) return 0;
  return diff >= 0 ? Math.ceil(diff / DAY_MS) : -Math.ceil(-diff / DAY_MS);
}
