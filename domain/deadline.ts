/** Turns a task's DeadlineSpec into an instant, keeping how it was computed for the record. */
import { DomainError } from './errors';
import { LIMITS } from './limits';
import { parseDate } from './local-time';
import type { DeadlineSpec, HolidayCalendar, ResolvedDeadline } from './types';
import { addWorkingDays } from './working-days';

// A time without an offset would be read in the host's zone by Date.parse:
// different on every worker, so it is refused. Date-only strings are refused
// too: "due 2026-03-01" would silently mean midnight UTC.
// Date.parse also rolls 2026-02-31 over into March; the date is checked separately.
// Accepts what the API's z.iso.datetime({ offset: true }) accepts, so the two agree.
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:[0-5]\d)$/;

/** Epoch ms of an ISO-8601 date-time with Z or an offset; DomainError otherwise. */
export function parseInstant(at: string, field = 'deadline'): number {
  const ms = typeof at === 'string' && ISO_INSTANT.test(at) && isCalendarDate(at.slice(0, 10)) ? Date.parse(at) : NaN;
  if (Number.isNaN(ms)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field} '${String(at)}' is not an ISO-8601 date-time with a time zone offset (e.g. 2026-03-01T18:00:00+08:00)`,
      { value: at },
    );
  }
  assertInstantInRange(ms, field);
  return ms;
}

/** Instants outside [2000, 2100) are refused: a year-9999 deadline is a typo, and would sleep a timer past any sane horizon. */
export function assertInstantInRange(ms: number, field = 'deadline'): void {
  if (!(ms >= LIMITS.earliestInstant && ms < LIMITS.latestInstant)) {
    throw new DomainError('VALIDATION_FAILED', `${field} must lie between the years 2000 and 2099`, { path: field });
  }
}

function isCalendarDate(date: string): boolean {
  try {
    parseDate(date);
    return true;
  } catch {
    return false;
  }
}

/**
 * Past instants are accepted: whether a deadline in the past is a mistake
 * (new task) or a fact (recording late work) is the caller's decision.
 */
export function resolveDeadline(spec: DeadlineSpec, nowMs: number, tz: string, calendar: HolidayCalendar): ResolvedDeadline {
  const resolvedAt = new Date(nowMs).toISOString();
  if (spec?.kind === 'instant') {
    const dueAt = new Date(parseInstant(spec.at)).toISOString();
    return { dueAt, spec: { kind: 'instant', at: spec.at }, resolvedAt, basis: 'fixed instant' };
  }
  if (spec?.kind === 'workingDays') {
    const { dueAtMs, basis, provisional } = addWorkingDays(nowMs, spec.days, tz, calendar);
    assertInstantInRange(dueAtMs);
    return {
      dueAt: new Date(dueAtMs).toISOString(), spec: { kind: 'workingDays', days: spec.days }, resolvedAt, basis,
      ...(provisional ? { provisional: true as const } : {}),
    };
  }
  throw new DomainError('VALIDATION_FAILED', "deadline kind must be 'instant' or 'workingDays'", {
    kind: (spec as { kind?: unknown } | undefined)?.kind,
  });
}
