/** Working-day offsets (memoised) against a day-by-day reference, in DST zones, across years, cached and not. */
import { offsetAfter, offsetBefore } from '../../domain/office-time';
import { addCalendarDays, localDateString, localToInstant, parseDate } from '../../domain/local-time';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import type { HolidayCalendar } from '../../domain/types';
import { isWorkingDay } from '../../domain/working-days';

const CAL = statutoryCalendar();
const NONE: HolidayCalendar = { source: 'none', years: [], holidays: {}, workdays: {} };

function byHand(fromMs: number, n: number, step: 1 | -1, tz: string, cal: HolidayCalendar, at = '09:00'): number {
  let d = localDateString(fromMs, tz);
  for (let counted = 0; counted < n; ) {
    d = addCalendarDays(d, step);
    if (isWorkingDay(d, cal)) counted += 1;
  }
  const [hour, minute] = at.split(':').map(Number);
  return localToInstant({ ...parseDate(d), hour: hour!, minute: minute! }, tz);
}

test.each(['America/New_York', 'Europe/London', 'Asia/Shanghai', 'Australia/Lord_Howe', 'Pacific/Apia', 'UTC'])(
  'agrees with a day-by-day count in %s (twice, so the second answer is a kept one)', (tz) => {
    const start = Date.UTC(2024, 11, 20, 3, 17);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 40; i++) {
        const from = start + i * 37 * 3_600_000 + (i % 7) * 61_000;
        for (const n of [1, 5, 250]) {
          for (const at of [undefined, '09:00', '00:00', '02:30', '01:30', '23:59']) {
            const o = at === undefined ? { workingDays: n } : { workingDays: n, at };
            for (const cal of [CAL, NONE]) {
              expect(offsetAfter(from, o, tz, cal)).toBe(byHand(from, n, 1, tz, cal, at));
              expect(offsetBefore(from, o, tz, cal)).toBe(byHand(from, n, -1, tz, cal, at));
            }
          }
        }
      }
    }
  });

test('an answer kept for an offset without `at` is not given for one with an empty `at` (which names no time)', () => {
  const from = Date.UTC(2026, 2, 2, 4);
  const cal: HolidayCalendar = { source: 'none', years: [], holidays: {}, workdays: {} };
  const fresh: HolidayCalendar = { source: 'none', years: [], holidays: {}, workdays: {} };
  let unkept: unknown;
  try {
    unkept = offsetAfter(from, { workingDays: 2, at: '' }, 'UTC', fresh);
  } catch (err) {
    unkept = err instanceof Error ? err.constructor.name : err;
  }
  offsetAfter(from, { workingDays: 2 }, 'UTC', cal);
  let kept: unknown;
  try {
    kept = offsetAfter(from, { workingDays: 2, at: '' }, 'UTC', cal);
  } catch (err) {
    kept = err instanceof Error ? err.constructor.name : err;
  }
  expect(kept).toEqual(unkept);
});
