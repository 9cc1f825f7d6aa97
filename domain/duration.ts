/**
 * ISO-8601 durations of fixed length: weeks, days, hours, minutes, seconds
 * (PT30S, P3D, P2W, P1DT12H, PT0S). Years and months are refused: their length
 * depends on the calendar, and a ladder rung must mean the same thing every time.
 */
import { DomainError } from './errors';

const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Milliseconds of an ISO-8601 duration, or undefined when it is not one we accept. */
export function tryParseDuration(iso: string): number | undefined {
  if (typeof iso !== 'string' || iso === 'P' || iso.endsWith('T')) return undefined;
  const m = PATTERN.exec(iso);
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * WEEK +
    Number(d ?? 0) * DAY +
    Number(h ?? 0) * HOUR +
    Number(min ?? 0) * MINUTE +
    Math.round(Number(s ?? 0) * SECOND)
  );
}

export function parseDuration(iso: string): number {
  const ms = tryParseDuration(iso);
  if (ms === undefined) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `'${iso}' is not a supported ISO-8601 duration (use weeks, days, hours, minutes, seconds, e.g. P3D or PT30S)`,
      { value: iso },
    );
  }
  return ms;
}

export function isValidDuration(iso: string): boolean {
  return tryParseDuration(iso) !== undefined;
}
