import fc from 'fast-check';
import { localToInstant, zonedParts } from '../../domain/local-time';
import { nextMonthlyAt, nextWeeklyAt, reviewPeriod, validateMonthly, validateWeekly } from '../../domain/schedule';
import type { MonthlySchedule, WeeklySchedule } from '../../domain/types';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const sh = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  localToInstant({ year, month, day, hour, minute }, SH);

function errorOf(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message?: string };
  }
  return {};
}

describe('validateWeekly / validateMonthly', () => {
  it('accept good schedules', () => {
    expect(() => validateWeekly({ weekday: 1, time: '00:00' })).not.toThrow();
    expect(() => validateWeekly({ weekday: 7, time: '23:59' })).not.toThrow();
    expect(() => validateMonthly({ day: 28, time: '09:00' })).not.toThrow();
  });
  it.each([0, 8, 1.5, NaN, '1'])('weekly refuses weekday %p', (weekday) => {
    const e = errorOf(() => validateWeekly({ weekday, time: '09:00' } as WeeklySchedule));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toMatch(/weekday must be an integer 1 \(Monday\) to 7 \(Sunday\)/);
  });
  it.each([0, 29, 31, 2.5])('monthly refuses day %p', (day) => {
    const e = errorOf(() => validateMonthly({ day, time: '09:00' }));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toMatch(/day must be an integer 1 to 28/);
  });
  it('refuses a bad time in either', () => {
    expect(errorOf(() => validateWeekly({ weekday: 1, time: '24:00' })).code).toBe('VALIDATION_FAILED');
    expect(errorOf(() => validateMonthly({ day: 1, time: '9:00' })).message).toMatch(/HH:MM/);
  });
  it('nextWeeklyAt validates too', () => {
    expect(errorOf(() => nextWeeklyAt(0, { weekday: 9, time: '09:00' }, SH)).code).toBe('VALIDATION_FAILED');
  });
});

describe('nextWeeklyAt', () => {
  const monday9: WeeklySchedule = { weekday: 1, time: '09:00' };

  it('finds the next Monday 09:00 in Asia/Shanghai', () => {
    // Tuesday 2026-02-10 10:00 local
    expect(nextWeeklyAt(sh(2026, 2, 10, 10), monday9, SH)).toBe(Date.UTC(2026, 1, 16, 1, 0));
  });
  it('uses today when the slot is still ahead, next week when it has passed', () => {
    const tue10 = sh(2026, 2, 10, 10);
    expect(nextWeeklyAt(tue10, { weekday: 2, time: '11:00' }, SH)).toBe(sh(2026, 2, 10, 11));
    expect(nextWeeklyAt(tue10, { weekday: 2, time: '09:00' }, SH)).toBe(sh(2026, 2, 17, 9));
  });
  it('is strictly after: exactly at the slot gives next week, 1 ms before gives the slot', () => {
    const slot = sh(2026, 2, 16, 9);
    expect(nextWeeklyAt(slot, monday9, SH)).toBe(slot + 7 * DAY);
    expect(nextWeeklyAt(slot - 1, monday9, SH)).toBe(slot);
  });
  it('8 consecutive occurrences in Asia/Shanghai are exactly 7 days apart', () => {
    let t = nextWeeklyAt(sh(2026, 1, 1), { weekday: 5, time: '17:30' }, SH);
    for (let i = 0; i < 8; i += 1) {
      const next = nextWeeklyAt(t, { weekday: 5, time: '17:30' }, SH);
      expect(next - t).toBe(7 * DAY);
      expect(zonedParts(next, SH)).toMatchObject({ weekday: 5, hour: 17, minute: 30 });
      t = next;
    }
  });
  it('keeps 09:00 local across both New York DST switches (weeks of 167 h and 169 h)', () => {
    const spring = [Date.UTC(2026, 2, 2, 14), Date.UTC(2026, 2, 9, 13), Date.UTC(2026, 2, 16, 13)];
    let t = Date.UTC(2026, 2, 1);
    for (const expected of spring) {
      t = nextWeeklyAt(t, monday9, NY);
      expect(t).toBe(expected);
      expect(zonedParts(t, NY)).toMatchObject({ weekday: 1, hour: 9, minute: 0 });
    }
    const nov2 = nextWeeklyAt(Date.UTC(2026, 9, 26, 13), monday9, NY);
    expect(nov2).toBe(Date.UTC(2026, 10, 2, 14));
    expect(nov2 - Date.UTC(2026, 9, 26, 13)).toBe(7 * DAY + HOUR);
  });
  it('a slot inside the Berlin spring gap fires at the shifted time, then returns to normal', () => {
    const sunday0230: WeeklySchedule = { weekday: 7, time: '02:30' };
    const first = nextWeeklyAt(Date.UTC(2026, 2, 28), sunday0230, BERLIN);
    expect(first).toBe(Date.UTC(2026, 2, 29, 1, 30)); // 03:30 CEST
    expect(nextWeeklyAt(first, sunday0230, BERLIN)).toBe(Date.UTC(2026, 3, 5, 0, 30)); // 02:30 CEST
  });
  it('property: strictly after, within a week (+1 h), on the right weekday and time', () => {
    const arb = fc.record({
      after: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
      weekday: fc.integer({ min: 1, max: 7 }),
      hour: fc.integer({ min: 0, max: 23 }).filter((h) => h !== 2), // 02:xx may not exist in Berlin
      minute: fc.integer({ min: 0, max: 59 }),
      tz: fc.constantFrom(SH, BERLIN),
    });
    fc.assert(
      fc.property(arb, ({ after, weekday, hour, minute, tz }) => {
        const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        const at = nextWeeklyAt(after, { weekday, time }, tz);
        expect(at).toBeGreaterThan(after);
        expect(at - after).toBeLessThanOrEqual(7 * DAY + HOUR);
        expect(zonedParts(at, tz)).toMatchObject({ weekday, hour, minute, second: 0 });
      }),
      { numRuns: 500 },
    );
  });
});

describe('nextMonthlyAt', () => {
  const first9: MonthlySchedule = { day: 1, time: '09:00' };

  it('steps through months of 31, 28, 31 and 30 days', () => {
    let t = sh(2026, 1, 15);
    const expected = [sh(2026, 2, 1, 9), sh(2026, 3, 1, 9), sh(2026, 4, 1, 9), sh(2026, 5, 1, 9), sh(2026, 6, 1, 9)];
    const gaps = [31, 28, 31, 30, 31];
    expected.forEach((e, i) => {
      const next = nextMonthlyAt(t, first9, SH);
      expect(next).toBe(e);
      if (i > 0) expect(next - t).toBe((gaps[i] as number) * DAY);
      t = next;
    });
  });
  it('day 28 in February and March, and strictly after at the boundary', () => {
    const s: MonthlySchedule = { day: 28, time: '09:00' };
    expect(nextMonthlyAt(sh(2026, 1, 28, 10), s, SH)).toBe(sh(2026, 2, 28, 9));
    expect(nextMonthlyAt(sh(2026, 2, 28, 9), s, SH)).toBe(sh(2026, 3, 28, 9));
    expect(nextMonthlyAt(sh(2026, 2, 28, 9) - 1, s, SH)).toBe(sh(2026, 2, 28, 9));
    expect(nextMonthlyAt(sh(2028, 2, 28, 10), s, SH)).toBe(sh(2028, 3, 28, 9)); // leap year
  });
  it('crosses the year end', () => {
    expect(nextMonthlyAt(sh(2026, 12, 15), first9, SH)).toBe(sh(2027, 1, 1, 9));
    expect(nextMonthlyAt(sh(2026, 12, 31, 23, 59), { day: 28, time: '09:00' }, SH)).toBe(sh(2027, 1, 28, 9));
  });
  it('keeps local time across a DST switch in New York', () => {
    const at = nextMonthlyAt(Date.UTC(2026, 1, 20), { day: 15, time: '09:00' }, NY);
    expect(at).toBe(Date.UTC(2026, 2, 15, 13)); // EDT since 8 March
  });
});

describe('reviewPeriod', () => {
  it('reviews the month before: January → previous December', () => {
    expect(reviewPeriod(sh(2026, 1, 1, 9), SH)).toBe('2025-12');
    expect(reviewPeriod(sh(2026, 2, 1, 9), SH)).toBe('2026-01');
    expect(reviewPeriod(sh(2026, 12, 28, 9), SH)).toBe('2026-11');
  });
  it('uses the local month of the zone', () => {
    const t = Date.UTC(2026, 0, 31, 17); // 1 Feb 01:00 in Shanghai, still 31 Jan in UTC
    expect(reviewPeriod(t, SH)).toBe('2026-01');
    expect(reviewPeriod(t, 'UTC')).toBe('2025-12');
  });
});
