import fc from 'fast-check';
import {
  addCalendarDays,
  isValidTimeZone,
  localDateString,
  localToInstant,
  parseDate,
  parseHHMM,
  zonedParts,
} from '../../domain/local-time';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('isValidTimeZone', () => {
  it.each([SH, NY, BERLIN, 'UTC', 'Etc/GMT-8'])('accepts %s', (tz) => expect(isValidTimeZone(tz)).toBe(true));
  it.each(['', 'Foo/Bar', '+08:00', 'Asia/Beijing'])('refuses %p', (tz) => expect(isValidTimeZone(tz)).toBe(false));
});

describe('zonedParts', () => {
  it('reads Asia/Shanghai wall time (UTC+8, crossing midnight)', () => {
    expect(zonedParts(Date.UTC(2026, 1, 10, 16, 30, 5), SH)).toEqual({
      year: 2026, month: 2, day: 11, hour: 0, minute: 30, second: 5, weekday: 3,
    });
  });
  it('gives hour 0, never 24, at midnight, and Sunday as 7', () => {
    const p = zonedParts(Date.UTC(2026, 1, 14, 16, 0, 0), SH);
    expect(p).toMatchObject({ day: 15, hour: 0, weekday: 7 });
  });
  it('follows New York daylight saving time', () => {
    expect(zonedParts(Date.UTC(2026, 0, 15, 14, 0), NY)).toMatchObject({ hour: 9 });
    expect(zonedParts(Date.UTC(2026, 6, 15, 13, 0), NY)).toMatchObject({ hour: 9 });
  });
  it('refuses an unknown zone with VALIDATION_FAILED', () => {
    expect(codeOf(() => zonedParts(0, 'Mars/Olympus'))).toBe('VALIDATION_FAILED');
  });
});

describe('localToInstant', () => {
  it('converts Asia/Shanghai wall time', () => {
    expect(localToInstant({ year: 2026, month: 2, day: 10, hour: 9, minute: 0 }, SH)).toBe(Date.UTC(2026, 1, 10, 1, 0));
    expect(localToInstant({ year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 30 }, SH)).toBe(
      Date.UTC(2025, 11, 31, 16, 0, 30),
    );
  });
  it('uses standard and daylight offsets in New York', () => {
    expect(localToInstant({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, NY)).toBe(Date.UTC(2026, 0, 15, 14));
    expect(localToInstant({ year: 2026, month: 7, day: 15, hour: 9, minute: 0 }, NY)).toBe(Date.UTC(2026, 6, 15, 13));
  });
  it('moves a time in the spring gap forward by the gap (New York, 2026-03-08 02:30 → 03:30 EDT)', () => {
    const at = localToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY);
    expect(at).toBe(Date.UTC(2026, 2, 8, 7, 30));
    expect(zonedParts(at, NY)).toMatchObject({ hour: 3, minute: 30 });
    // the last minute before the gap and the first after it are exact
    expect(localToInstant({ year: 2026, month: 3, day: 8, hour: 1, minute: 59 }, NY)).toBe(Date.UTC(2026, 2, 8, 6, 59));
    expect(localToInstant({ year: 2026, month: 3, day: 8, hour: 3, minute: 0 }, NY)).toBe(Date.UTC(2026, 2, 8, 7, 0));
  });
  it('picks the earlier instant in the autumn overlap (New York, 2026-11-01 01:30 happens twice)', () => {
    const at = localToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY);
    expect(at).toBe(Date.UTC(2026, 10, 1, 5, 30)); // 01:30 EDT
    // the later one exists too: same wall time an hour later
    expect(zonedParts(at + 3_600_000, NY)).toMatchObject({ hour: 1, minute: 30 });
  });
  it('handles Europe/Berlin gap and overlap', () => {
    expect(localToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, BERLIN)).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(localToInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, BERLIN)).toBe(
      Date.UTC(2026, 9, 25, 0, 30),
    );
  });
});

// Offset (wall minus UTC) at an instant, computed from zonedParts alone.
function offsetAt(ms: number, tz: string): number {
  const p = zonedParts(ms, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
}

describe('round trips (property)', () => {
  const zones = fc.constantFrom(SH, NY, BERLIN, 'Australia/Lord_Howe', 'UTC');
  const local = fc.record({
    year: fc.integer({ min: 1995, max: 2040 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
  });

  // Uniform samples almost never land near a switch, so half are drawn from switch days.
  const switchDays: Array<[string, number, number, number]> = [
    [NY, 2026, 3, 8],
    [NY, 2026, 11, 1],
    [BERLIN, 2026, 3, 29],
    [BERLIN, 2026, 10, 25],
    ['Australia/Lord_Howe', 2026, 10, 4], // 30-minute shift
    ['Australia/Lord_Howe', 2026, 4, 5],
  ];
  const nearSwitch = fc
    .tuple(fc.constantFrom(...switchDays), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
    .map(([[tz, year, month, day], hour, minute, second]) => ({ x: { year, month, day, hour, minute, second }, tz }));
  const sample = fc.oneof(fc.record({ x: local, tz: zones }), nearSwitch);

  it('zonedParts(localToInstant(x)) === x, except in a gap, where it moves forward by the gap', () => {
    let gaps = 0;
    fc.assert(
      fc.property(sample, ({ x, tz }) => {
        const at = localToInstant(x, tz);
        const { weekday: _weekday, ...back } = zonedParts(at, tz);
        if (JSON.stringify(back) === JSON.stringify(x)) return;
        const wall = Date.UTC(x.year, x.month - 1, x.day, x.hour, x.minute, x.second);
        const gap = offsetAt(wall + 86_400_000, tz) - offsetAt(wall - 86_400_000, tz);
        const got = Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute, back.second);
        expect(gap).toBeGreaterThan(0);
        expect(got - wall).toBe(gap);
        gaps += 1;
      }),
      { numRuns: 2000 },
    );
    expect(gaps).toBeGreaterThan(0); // the gap branch was exercised
  });

  it('localToInstant(zonedParts(t)) is t, or the earlier instant with the same wall time', () => {
    const instant = fc.integer({ min: Date.UTC(1995, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }).map((s) => s * 1000);
    fc.assert(
      fc.property(instant, zones, (t, tz) => {
        const parts = zonedParts(t, tz);
        const back = localToInstant(parts, tz);
        expect(back).toBeLessThanOrEqual(t);
        expect(zonedParts(back, tz)).toEqual(parts);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('dates', () => {
  it('localDateString depends on the zone', () => {
    const t = Date.UTC(2026, 1, 10, 16, 0);
    expect(localDateString(t, SH)).toBe('2026-02-11');
    expect(localDateString(t, 'UTC')).toBe('2026-02-10');
    expect(localDateString(t, NY)).toBe('2026-02-10');
  });
  it('parseDate refuses impossible or malformed dates', () => {
    expect(parseDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-1', '20260101', '']) {
      expect(codeOf(() => parseDate(bad))).toBe('VALIDATION_FAILED');
    }
  });
  it('addCalendarDays crosses month and year ends', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('parseHHMM', () => {
  it.each([
    ['00:00', 0, 0],
    ['09:05', 9, 5],
    ['23:59', 23, 59],
  ])('parses %s', (s, hour, minute) => expect(parseHHMM(s)).toEqual({ hour, minute }));
  it.each(['24:00', '9:00', '12:60', '', 'ab:cd', '12:00:00', ' 12:00', '12:5'])('refuses %p', (s) => {
    expect(codeOf(() => parseHHMM(s))).toBe('VALIDATION_FAILED');
  });
});
