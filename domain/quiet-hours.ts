/**
 * A unit's quiet hours (e.g. 22:00–07:30 local): when they hold a message,
 * and until when, judged on the unit's wall clock. On the night the clocks go
 * back the repeated hour is judged twice: a period ending at 02:30 ends at the
 * 02:30 after now (the second one when now is in the repeated hour); on the
 * night they go forward an end in the skipped hour is the first moment after
 * it. The end is always later than now. Pure; the sender passes its clock in.
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
  const endLocal = { ...parseDate(endDate), hour: to.hour, minute: to.minute };
  const end = localToInstant(endLocal, q.timezone);
  if (end > nowMs) return end;
  // The clocks went back and `to` happens twice: localToInstant gives the first, which is past,
  // as we are in the repeated hour. The end is the second, read with the offset in force now.
  const offset = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - (nowMs - (((nowMs % 1000) + 1000) % 1000));
  const second = Date.UTC(endLocal.year, endLocal.month - 1, endLocal.day, endLocal.hour, endLocal.minute) - offset;
  // never an end in the past (a message held by it would never be held at all, or for ever)
  return second > nowMs ? second : undefined;
}
