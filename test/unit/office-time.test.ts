/**
 * Office time on China's 2026 statutory calendar (the package's data, as the
 * State Council's notice for 2026 set it: Spring Festival 15–23 February with
 * make-up workdays Saturday 14 and Saturday 28 February; National Day 1–7
 * October with make-up workdays Sunday 20 September and Saturday 10 October).
 */
import { offsetAfter, offsetBefore, onWorkingDay, shiftByWorkingDays, workingDaysBetween } from '../../domain/office-time';
import { addCalendarDays, localDateString } from '../../domain/local-time';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import type { HolidayCalendar } from '../../domain/types';
import { isWorkingDay } from '../../domain/working-days';

const CAL = statutoryCalendar();
const TZ = 'Asia/Shanghai';
/** an instant from Shanghai wall time */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const shIso = (local: string) => new Date(sh(local)).toISOString();

describe('offsetAfter', () => {
  it('lands at 09:00 on the Nth working day after the reference day, over National Day week and its make-up Saturday', () => {
    // due Wed 30 Sep: 1–7 Oct are holidays; Thu 8 (1), Fri 9 (2), Sat 10 — a make-up workday — (3)
    expect(new Date(offsetAfter(sh('2026-09-30T23:59:59'), { workingDays: 3 }, TZ, CAL)).toISOString()).toBe(shIso('2026-10-10T09:00:00'));
  });

  it('lands at the local time asked for, and never on a Sunday', () => {
    // due Fri 6 Mar: Mon 9 (1), Tue 10 (2), Wed 11 (3)
    expect(offsetAfter(sh('2026-03-06T23:59:59'), { workingDays: 3, at: '14:30' }, TZ, CAL)).toBe(sh('2026-03-11T14:30:00'));
  });

  it('skips the whole Spring Festival: 5 working days after Thu 12 Feb is Thu 26 Feb', () => {
    // Fri 13 (1), Sat 14 make-up (2), 15–23 holidays, Tue 24 (3), Wed 25 (4), Thu 26 (5)
    expect(offsetAfter(sh('2026-02-12T23:59:59'), { workingDays: 5 }, TZ, CAL)).toBe(sh('2026-02-26T09:00:00'));
  });

  it('adds a duration as calendar time', () => {
    expect(offsetAfter(sh('2026-03-06T23:59:59'), 'P3D', TZ, CAL)).toBe(sh('2026-03-09T23:59:59'));
  });
});

describe('offsetBefore', () => {
  it('counts back over holidays to the Nth working day before, at 09:00', () => {
    // due Tue 24 Feb 2026: 23–15 holidays, Sat 14 make-up (1), Fri 13 (2), Thu 12 (3)
    expect(offsetBefore(sh('2026-02-24T23:59:59'), { workingDays: 3 }, TZ, CAL)).toBe(sh('2026-02-12T09:00:00'));
  });

  it('takes a duration off', () => {
    expect(offsetBefore(sh('2026-03-06T23:59:59'), 'P3D', TZ, CAL)).toBe(sh('2026-03-03T23:59:59'));
  });
});

describe('workingDaysBetween', () => {
  it('counts the days from the first day up to, not including, the last', () => {
    expect(workingDaysBetween(sh('2026-03-02T10:00:00'), sh('2026-03-09T10:00:00'), TZ, CAL)).toBe(5);
    expect(workingDaysBetween(sh('2026-03-02T10:00:00'), sh('2026-03-02T18:00:00'), TZ, CAL)).toBe(0);
  });

  it('finds no working day in National Day week, and the make-up Sunday before it', () => {
    expect(workingDaysBetween(sh('2026-10-01T09:00:00'), sh('2026-10-08T09:00:00'), TZ, CAL)).toBe(0);
    expect(workingDaysBetween(sh('2026-09-19T09:00:00'), sh('2026-09-21T09:00:00'), TZ, CAL)).toBe(1); // Sun 20 Sep is a workday
  });
});

describe('shiftByWorkingDays', () => {
  it('keeps the local time of day and skips holidays', () => {
    // Wed 30 Sep (1), 1–7 Oct holidays, Thu 8 (2), Fri 9 (3)
    expect(shiftByWorkingDays(sh('2026-09-29T23:59:59.250'), 3, TZ, CAL)).toBe(sh('2026-10-09T23:59:59.250'));
  });

  it('moves nothing for zero days', () => {
    expect(shiftByWorkingDays(sh('2026-09-29T23:59:59'), 0, TZ, CAL)).toBe(sh('2026-09-29T23:59:59'));
  });
});

describe('onWorkingDay', () => {
  it('moves a Monday of National Day week to Thursday 8 October, same time', () => {
    expect(onWorkingDay(sh('2026-10-05T09:00:00'), TZ, CAL)).toBe(sh('2026-10-08T09:00:00'));
  });

  it('leaves a working day as it is, a make-up Saturday included', () => {
    expect(onWorkingDay(sh('2026-10-10T09:00:00'), TZ, CAL)).toBe(sh('2026-10-10T09:00:00'));
    expect(onWorkingDay(sh('2026-03-09T09:00:00'), TZ, CAL)).toBe(sh('2026-03-09T09:00:00'));
  });
});

describe('working-day offsets against a day-by-day count', () => {
  /** the rule spelled out: step a calendar day at a time, count the working days, land at `at` (09:00) */
  function byHand(fromMs: number, n: number, step: 1 | -1, cal: HolidayCalendar, at = '09:00'): number {
    let d = localDateString(fromMs, TZ);
    for (let counted = 0; counted < n; ) {
      d = addCalendarDays(d, step);
      if (isWorkingDay(d, cal)) counted += 1;
    }
    return Date.parse(`${d}T${at}:00+08:00`);
  }

  it('agrees on every day of 2025–2027, forward and back, for 1, 3 and 15 working days', () => {
    for (let day = 0; day < 3 * 365; day += 1) {
      const from = sh('2025-01-01T10:00:00') + day * 86_400_000;
      for (const n of [1, 3, 15]) {
        expect(offsetAfter(from, { workingDays: n }, TZ, CAL)).toBe(byHand(from, n, 1, CAL));
        expect(offsetBefore(from, { workingDays: n, at: '17:30' }, TZ, CAL)).toBe(byHand(from, n, -1, CAL, '17:30'));
      }
    }
  });

  it('answers for the calendar asked, never from what another calendar answered', () => {
    const due = sh('2026-02-24T23:59:59');
    const none: HolidayCalendar = { source: 'none', years: [], holidays: {}, workdays: {} };
    expect(offsetBefore(due, { workingDays: 3 }, TZ, CAL)).toBe(sh('2026-02-12T09:00:00'));
    // without the Spring Festival: Mon 23, Fri 20, Thu 19
    expect(offsetBefore(due, { workingDays: 3 }, TZ, none)).toBe(sh('2026-02-19T09:00:00'));
    expect(offsetBefore(due, { workingDays: 3 }, TZ, CAL)).toBe(sh('2026-02-12T09:00:00'));
  });

  it('stays right past the number of answers it keeps', () => {
    const from = sh('2026-03-06T12:00:00');
    for (let i = 0; i < 600; i += 1) {
      const at = from + i * 3_600_000;
      expect(offsetAfter(at, { workingDays: 2 }, TZ, CAL)).toBe(byHand(at, 2, 1, CAL));
    }
  });
});
