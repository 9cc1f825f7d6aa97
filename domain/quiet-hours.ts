/**
 * A unit's quiet hours (e.g. 22:00–07:30 local): when they hold a message,
 * and until when. Pure; the sender passes its clock in.
 */
import { addCalendarDays, localToInstant, parseDate, parseHHMM, zonedParts } from './local-time';
import type { QuietHours } from './units';

/** The instant the quiet period holding `nowMs` ends, or undefined when `nowMs` is not in one. */
export function quietUntil(q: QuietHours, nowMs: number): number | undefined {
  const local = zonedParts(nowMs, q.timezone);
  const minutes = local.hour * 60 + local.minute;
  const from = parseHHMM(q.from);
  const to = parseHHMM(q.to);
  const fromM = from.hour * 60 + from.minute;
  const toM = to.hour * 60 + to.minute;
  if (fromM === toM) return undefined;
  const overnight = fromM > toM;
  const inside = overnight ? minutes >= fromM || minutes < toM : minutes >= fromM && minutes < toM;
  if (!inside) return undefined;
  const today = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
  // the end is later today, or tomorrow when the period runs past midnight and we are before it
  const endDate = overnight && minutes >= fromM ? addCalendarDays(today, 1) : today;
  return localToInstant({ ...parseDate(endDate), hour: to.hour, minute: to.minute }, q.timezone);
}
