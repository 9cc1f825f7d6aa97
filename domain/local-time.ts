/**
 * Wall-clock time in an IANA time zone, without Node built-ins or a host clock.
 * Intl.DateTimeFormat is deterministic for a given ICU build, so it is safe in
 * the workflow sandbox; every instant is passed in by the caller.
 */
import { DomainError } from './errors';

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Building a DateTimeFormat is far slower than using one; schedules and
// working-day counts call zonedParts many times per tz.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  const f = formatters.get(tz) ?? buildFormatter(tz);
  if (!f) throw new DomainError('VALIDATION_FAILED', `'${tz}' is not a known IANA time zone`, { timezone: tz });
  return f;
}

/** The zone's formatter, kept; undefined for a zone ICU does not know. Validation builds the one later calls use. */
function buildFormatter(tz: string): Intl.DateTimeFormat | undefined {
  if (typeof tz !== 'string' || tz.length === 0) return undefined;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23', // never "24" at midnight
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
    return f;
  } catch {
    return undefined;
  }
}

export function isValidTimeZone(tz: string): boolean {
  return formatters.has(tz) || buildFormatter(tz) !== undefined;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a proleptic Gregorian calendar date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

// formatToParts is the costliest step of every deadline, warning and light: an item asks about
// the same few instants (its deadlines, their warnings) at every wake, so answers are kept. A
// pure function of its arguments, so replay is unaffected. In the workflow sandbox every cached
// item has its own copy of this module: 256 answers (about 50 KiB at most) hold a 10-task
// item's instants many times over; when full, it starts again.
const PARTS_KEPT = 256;
const keptParts = new Map<string, Readonly<LocalDateTime & { weekday: number }>>();

export function zonedParts(instantMs: number, tz: string): Readonly<LocalDateTime & { weekday: number }> {
  const key = `${tz} ${instantMs}`;
  const kept = keptParts.get(key);
  if (kept) return kept;
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(tz).formatToParts(instantMs)) {
    if (p.type in out) out[p.type as keyof LocalDateTime] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0; // defensive: old ICU builds ignored hourCycle
  const parts = Object.freeze({ ...out, weekday: isoWeekday(out.year, out.month, out.day) });
  if (keptParts.size >= PARTS_KEPT) keptParts.clear();
  keptParts.set(key, parts);
  return parts;
}

/** The wall time read as if it were UTC: the arithmetic base for offsets. */
function wallAsUtc(l: Omit<LocalDateTime, 'second'> & { second?: number }): number {
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second ?? 0);
}

/** tz offset in ms at an instant (local wall time minus UTC), to whole seconds. */
function offsetAt(instantMs: number, tz: string): number {
  const wholeSecond = instantMs - (((instantMs % 1000) + 1000) % 1000);
  return wallAsUtc(zonedParts(wholeSecond, tz)) - wholeSecond;
}

/**
 * The instant whose wall time in tz is `local`. Offsets are taken a day before
 * and a day after (no zone changes its offset twice within two days), giving
 * at most two candidates:
 * - both valid (autumn overlap, the hour happens twice): the EARLIER one;
 * - neither valid (spring gap, the hour never happens): the LATER one, i.e.
 *   the wall time read with the pre-transition offset (02:30 in a 02:00→03:00
 *   gap becomes 03:30). This is the "compatible" rule of the TC39 Temporal API
 *   and java.time, so a 02:30 weekly dispatch still fires on that day.
 */
export function localToInstant(
  local: Omit<LocalDateTime, 'second'> & { second?: number },
  tz: string,
): number {
  const wall = wallAsUtc(local);
  if (Number.isNaN(wall)) {
    throw new DomainError('VALIDATION_FAILED', 'local date-time has non-numeric fields', { local });
  }
  const before = wall - offsetAt(wall - DAY_MS, tz);
  const after = wall - offsetAt(wall + DAY_MS, tz);
  if (before === after) return before;
  const valid = [before, after].filter((i) => i + offsetAt(i, tz) === wall);
  if (valid.length === 1) return valid[0] as number;
  return valid.length === 2 ? Math.min(before, after) : Math.max(before, after);
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** 'YYYY-MM-DD' of the instant's local calendar day in tz. */
export function localDateString(instantMs: number, tz: string): string {
  const p = zonedParts(instantMs, tz);
  return formatDate(p.year, p.month, p.day);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses 'YYYY-MM-DD', refusing impossible dates such as 2026-02-30. */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const m = typeof date === 'string' ? DATE_PATTERN.exec(date) : null;
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCMonth() === month - 1 && check.getUTCDate() === day) return { year, month, day };
  }
  throw new DomainError('VALIDATION_FAILED', `'${String(date)}' is not a calendar date YYYY-MM-DD`, {
    value: date,
  });
}

/** Calendar arithmetic on 'YYYY-MM-DD', independent of any time zone. */
export function addCalendarDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseHHMM(s: string): { hour: number; minute: number } {
  const m = typeof s === 'string' ? HHMM.exec(s) : null;
  if (!m) {
    throw new DomainError('VALIDATION_FAILED', `'${String(s)}' is not a time HH:MM between 00:00 and 23:59`, {
      value: s,
    });
  }
  return { hour: Number(m[1]), minute: Number(m[2]) };
}
