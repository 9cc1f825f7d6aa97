import fc from 'fast-check';
import calendar from 'chinese-days/dist/chinese-days.json';
import { addCalendarDays, localDateString, localToInstant, zonedParts } from '../../domain/local-time';
import { addWorkingDays, calendarCoversYear, isWorkingDay } from '../../domain/working-days';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { codeOf } from './item-builders';

const CAL = statutoryCalendar();

const SH = 'Asia/Shanghai';
const sh = (year: number, month: number, day: number, hour = 9, minute = 0) =>
  localToInstant({ year, month, day, hour, minute }, SH);
/** 23:59:59 Beijing time of a date, as the deadline of that day. */
const endOfDaySh = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day, 15, 59, 59);

describe('the calendar data', () => {
  it('has 2026 Spring Festival and National Day as the tests assume', () => {
    const h = calendar.holidays as Record<string, string>;
    const w = calendar.workdays as Record<string, string>;
    expect(h['2026-02-15']).toMatch(/^Spring Festival/);
    expect(h['2026-02-23']).toMatch(/^Spring Festival/);
    expect(h['2026-10-07']).toMatch(/^National Day/);
    expect(Object.keys(w).filter((d) => d.startsWith('2026'))).toEqual(
      expect.arrayContaining(['2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10']),
    );
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-02-13', true, 'Friday'],
    ['2026-02-14', true, 'Saturday, make-up workday'],
    ['2026-02-15', false, 'Spring Festival (Sunday)'],
    ['2026-02-16', false, 'Spring Festival (Monday)'],
    ['2026-02-23', false, 'Spring Festival (Monday)'],
    ['2026-02-24', true, 'Tuesday after the holiday'],
    ['2026-02-28', true, 'Saturday, make-up workday'],
    ['2026-03-01', false, 'Sunday'],
    ['2026-09-20', true, 'Sunday, make-up workday for National Day'],
    ['2026-10-01', false, 'National Day'],
    ['2026-10-07', false, 'National Day (Wednesday)'],
    ['2026-10-08', true, 'Thursday'],
    ['2026-10-10', true, 'Saturday, make-up workday'],
    ['2026-10-11', false, 'Sunday'],
    ['2027-01-01', true, 'uncovered year: a Friday is a working day'],
    ['2027-01-02', false, 'uncovered year: Saturday'],
  ])('%s → %s (%s)', (date, expected) => expect(isWorkingDay(date, CAL)).toBe(expected));

  it('refuses a malformed date', () => {
    expect(codeOf(() => isWorkingDay('2026-2-1', CAL))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => isWorkingDay('2026-02-30', CAL))).toBe('VALIDATION_FAILED');
  });
});

describe('calendarCoversYear', () => {
  it('covers 2004..2026 and not 2027', () => {
    expect(calendarCoversYear(2004, CAL)).toBe(true);
    expect(calendarCoversYear(2026, CAL)).toBe(true);
    expect(calendarCoversYear(2027, CAL)).toBe(false);
    expect(calendarCoversYear(2003, CAL)).toBe(false);
  });
});

describe('addWorkingDays', () => {
  it('counts across Spring Festival 2026, with both make-up Saturdays', () => {
    const r = addWorkingDays(sh(2026, 2, 10), 10, SH, CAL);
    expect(r.dueAtMs).toBe(endOfDaySh(2026, 3, 2));
    expect(r.basis).toBe(
      "10 working days from 2026-02-10 (Asia/Shanghai) on China's statutory calendar: " +
        'skipped holidays 2026-02-15…2026-02-23 (Spring Festival); ' +
        'counted make-up workdays 2026-02-14, 2026-02-28; due end of 2026-03-02',
    );
  });

  it('counts across Mid-autumn and National Day 2026', () => {
    // Friday 18 Sep: Sun 20 (make-up), 21–24, [25–27 Mid-autumn], 28–30, [1–7 Oct], 8, 9, Sat 10 (make-up)
    const nine = addWorkingDays(sh(2026, 9, 18), 9, SH, CAL);
    expect(nine.dueAtMs).toBe(endOfDaySh(2026, 10, 8));
    const eleven = addWorkingDays(sh(2026, 9, 18), 11, SH, CAL);
    expect(eleven.dueAtMs).toBe(endOfDaySh(2026, 10, 10));
    expect(eleven.basis).toContain(
      'skipped holidays 2026-09-25…2026-09-27 (Mid-autumn Festival), 2026-10-01…2026-10-07 (National Day)',
    );
    expect(eleven.basis).toContain('counted make-up workdays 2026-09-20, 2026-10-10');
    expect(eleven.basis).toMatch(/due end of 2026-10-10$/);
  });

  it('never counts the assignment day, however early; skips plain weekends', () => {
    expect(addWorkingDays(sh(2026, 3, 6, 0, 0), 1, SH, CAL).dueAtMs).toBe(endOfDaySh(2026, 3, 9)); // Fri → Mon
    expect(addWorkingDays(sh(2026, 3, 6, 23, 59), 1, SH, CAL).dueAtMs).toBe(endOfDaySh(2026, 3, 9));
    const r = addWorkingDays(sh(2026, 3, 2), 5, SH, CAL);
    expect(r.dueAtMs).toBe(endOfDaySh(2026, 3, 9));
    expect(r.basis).toContain('no holidays or make-up workdays');
    expect(r.basis).toMatch(/^5 working days from 2026-03-02/);
    expect(addWorkingDays(sh(2026, 3, 2), 1, SH, CAL).basis).toMatch(/^1 working day from/);
  });

  it('takes the assignment date in the given zone', () => {
    const t = Date.UTC(2026, 2, 5, 20); // Thu 20:00 UTC = Fri 04:00 in Shanghai
    expect(localDateString(addWorkingDays(t, 1, 'UTC', CAL).dueAtMs, 'UTC')).toBe('2026-03-06');
    expect(localDateString(addWorkingDays(t, 1, SH, CAL).dueAtMs, SH)).toBe('2026-03-09');
    expect(addWorkingDays(t, 1, 'America/New_York', CAL).dueAtMs).toBe(Date.UTC(2026, 2, 7, 4, 59, 59)); // Fri 23:59:59 EST
  });

  it('falls back to weekends only in an uncovered year (2027) and says so', () => {
    // 2027's Spring Festival (around 6–12 Feb) is not in the data: those weekdays count.
    const r = addWorkingDays(sh(2027, 2, 5), 5, SH, CAL);
    expect(r.dueAtMs).toBe(endOfDaySh(2027, 2, 12));
    expect(r.basis).toContain('no statutory holiday data for 2027, so only weekends were skipped');
  });

  it('names uncovered years only when the period reaches them', () => {
    expect(addWorkingDays(sh(2026, 12, 28), 3, SH, CAL).basis).not.toContain('2027, so');
    expect(addWorkingDays(sh(2026, 12, 28), 5, SH, CAL).basis).toContain('no statutory holiday data for 2027');
  });

  it.each([0, -1, 1.5, 3651, NaN, Infinity])('refuses %p days', (days) => {
    expect(codeOf(() => addWorkingDays(sh(2026, 3, 2), days, SH, CAL))).toBe('VALIDATION_FAILED');
  });

  it('accepts the maximum and refuses an unknown zone', () => {
    expect(addWorkingDays(sh(2026, 3, 2), 3650, SH, CAL).dueAtMs).toBeGreaterThan(sh(2040, 1, 1));
    expect(codeOf(() => addWorkingDays(0, 1, 'Asia/Beijing', CAL))).toBe('VALIDATION_FAILED');
  });
});

describe('addWorkingDays properties', () => {
  const zones = fc.constantFrom(SH, 'Europe/Berlin', 'America/New_York');
  const from = fc.integer({ min: Date.UTC(2004, 0, 1), max: Date.UTC(2028, 0, 1) });
  const days = fc.integer({ min: 1, max: 60 });

  it('due is a working day at 23:59:59 local with exactly `days` working days after the start', () => {
    fc.assert(
      fc.property(from, days, zones, (fromMs, n, tz) => {
        const { dueAtMs } = addWorkingDays(fromMs, n, tz, CAL);
        const p = zonedParts(dueAtMs, tz);
        expect([p.hour, p.minute, p.second]).toEqual([23, 59, 59]);
        const due = localDateString(dueAtMs, tz);
        expect(isWorkingDay(due, CAL)).toBe(true);
        let count = 0;
        for (let d = addCalendarDays(localDateString(fromMs, tz), 1); d <= due; d = addCalendarDays(d, 1)) {
          if (isWorkingDay(d, CAL)) count += 1;
        }
        expect(count).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('is strictly monotonic in days and deterministic', () => {
    fc.assert(
      fc.property(from, days, zones, (fromMs, n, tz) => {
        const a = addWorkingDays(fromMs, n, tz, CAL);
        expect(addWorkingDays(fromMs, n + 1, tz, CAL).dueAtMs).toBeGreaterThan(a.dueAtMs);
        expect(addWorkingDays(fromMs, n, tz, CAL)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
