/**
 * Quiet hours (domain/quiet-hours.ts): whether an instant is inside a unit's
 * quiet period, and when that period ends, in the unit's own time zone:
 * periods over midnight, the edges, zones other than Shanghai and days when
 * the clocks change.
 */
import fc from 'fast-check';
import { zonedParts } from '../../domain/local-time';
import { quietUntil } from '../../domain/quiet-hours';

/** The instant of a wall time in Shanghai (UTC+8, no daylight saving). */
const sh = (day: number, hour: number, minute = 0) => Date.UTC(2026, 5, day, hour - 8, minute);
const night = { from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' };

describe('a period over midnight (22:00–07:30)', () => {
  it.each([
    ['22:00 sharp', sh(1, 22), sh(2, 7, 30)],
    ['23:59', sh(1, 23, 59), sh(2, 7, 30)],
    ['00:00', sh(2, 0), sh(2, 7, 30)],
    ['07:29', sh(2, 7, 29), sh(2, 7, 30)],
  ])('at %s holds until 07:30 the next allowed morning', (_, now, end) => {
    expect(quietUntil(night, now)).toBe(end);
  });

  it.each([
    ['07:30 sharp', sh(2, 7, 30)],
    ['noon', sh(2, 12)],
    ['21:59', sh(2, 21, 59)],
  ])('at %s holds nothing', (_, now) => {
    expect(quietUntil(night, now)).toBeUndefined();
  });

  it('over a month\'s end the next morning is in the next month', () => {
    expect(quietUntil(night, Date.UTC(2026, 5, 30, 23 - 8))).toBe(Date.UTC(2026, 6, 1, 7 - 8, 30));
  });
});

describe('a period within one day (12:00–14:00, a lunch break)', () => {
  const lunch = { from: '12:00', to: '14:00', timezone: 'Asia/Shanghai' };
  it('holds inside it until its end the same day, and nothing outside', () => {
    expect(quietUntil(lunch, sh(1, 12))).toBe(sh(1, 14));
    expect(quietUntil(lunch, sh(1, 13, 59))).toBe(sh(1, 14));
    expect(quietUntil(lunch, sh(1, 14))).toBeUndefined();
    expect(quietUntil(lunch, sh(1, 11, 59))).toBeUndefined();
    expect(quietUntil(lunch, sh(1, 23))).toBeUndefined();
  });
});

it('from = to is no quiet period at all', () => {
  const none = { from: '08:00', to: '08:00', timezone: 'Asia/Shanghai' };
  for (const h of [0, 7, 8, 9, 23]) expect(quietUntil(none, sh(1, h))).toBeUndefined();
});

describe('time zones', () => {
  it('the same wall-clock period is judged in the unit\'s own zone', () => {
    const now = Date.UTC(2026, 5, 1, 14, 0); // 22:00 in Shanghai, 10:00 in New York, 16:00 in Berlin
    expect(quietUntil(night, now)).toBe(Date.UTC(2026, 5, 1, 23, 30));
    expect(quietUntil({ ...night, timezone: 'America/New_York' }, now)).toBeUndefined();
    expect(quietUntil({ ...night, timezone: 'Asia/Urumqi' }, now)).toBeUndefined(); // 20:00 there
    // 23:00 in Tokyo: ends 07:30 Tokyo time = 22:30 UTC
    expect(quietUntil({ ...night, timezone: 'Asia/Tokyo' }, Date.UTC(2026, 5, 1, 14, 0))).toBe(Date.UTC(2026, 5, 1, 22, 30));
  });

  it('a night that loses an hour (New York, 8 March 2026, 02:00 → 03:00) still ends at 07:30 local', () => {
    const q = { ...night, timezone: 'America/New_York' };
    const at2330EST = Date.UTC(2026, 2, 8, 4, 30); // 23:30 EST on 7 March
    expect(quietUntil(q, at2330EST)).toBe(Date.UTC(2026, 2, 8, 11, 30)); // 07:30 EDT (UTC−4)
  });

  it('a night that gains an hour (New York, 1 November 2026) ends at 07:30 local', () => {
    const q = { ...night, timezone: 'America/New_York' };
    const at2330EDT = Date.UTC(2026, 10, 1, 3, 30); // 23:30 EDT on 31 October
    expect(quietUntil(q, at2330EDT)).toBe(Date.UTC(2026, 10, 1, 12, 30)); // 07:30 EST (UTC−5)
  });

  it('an end that falls in the skipped hour is the first moment after it', () => {
    const q = { from: '22:00', to: '02:30', timezone: 'America/New_York' };
    const end = quietUntil(q, Date.UTC(2026, 2, 8, 4, 30))!; // 23:30 EST, 7 March
    expect(end).toBe(Date.UTC(2026, 2, 8, 7, 30)); // 03:30 EDT: 02:30 never happens that night
  });

  it('an allowed window that lies wholly in a skipped half hour (Lord Howe, 4 October 2026) releases when the clocks jump', () => {
    const q = { from: '02:10', to: '02:00', timezone: 'Australia/Lord_Howe' };
    expect(quietUntil(q, Date.UTC(2026, 9, 3, 15, 0))).toBe(Date.UTC(2026, 9, 3, 15, 30)); // 01:30 → 02:30 LHDT
  });
});

it('property: inside a quiet period, the end is later, within a day, at its `to` time or just past a skipped hour, and not quiet', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  fc.assert(fc.property(
    hhmm, hhmm, fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
    (from, to, timezone, now) => {
      const end = quietUntil({ from, to, timezone }, now);
      if (end === undefined) return;
      expect(end).toBeGreaterThan(now);
      expect(end - now).toBeLessThanOrEqual(25 * 3_600_000);
      const local = zonedParts(end, timezone);
      const minutes = local.hour * 60 + local.minute;
      const [th, tm] = to.split(':').map(Number);
      // at `to`, or up to the size of a skipped hour after it (Lord Howe skips 30 minutes)
      expect((minutes - (th! * 60 + tm!) + 1440) % 1440).toBeLessThanOrEqual(60);
      // and then messages may go, unless the whole allowed window was an hour the clocks skipped
      const [fh, fm] = from.split(':').map(Number);
      const allowedMinutes = (fh! * 60 + fm! - (th! * 60 + tm!) + 1440) % 1440;
      if (allowedMinutes >= 60) expect(quietUntil({ from, to, timezone }, end)).toBeUndefined();
    },
  ), { numRuns: 500 });
});

describe('the hour that happens twice (clocks going back)', () => {
  it('Berlin, 25 October 2026: at 02:15 CET, the second 02:15, a period ending 02:30 ends at 02:30 CET, not at the 02:30 CEST already past', () => {
    const q = { from: '22:00', to: '02:30', timezone: 'Europe/Berlin' };
    const secondPass = Date.UTC(2026, 9, 25, 1, 15); // 02:15 CET (UTC+1), after 03:00 CEST became 02:00 CET
    expect(quietUntil(q, secondPass)).toBe(Date.UTC(2026, 9, 25, 1, 30));
    const firstPass = Date.UTC(2026, 9, 25, 0, 15); // 02:15 CEST (UTC+2)
    expect(quietUntil(q, firstPass)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('New York, 1 November 2026: at 01:15 EST, the second 01:15, a period ending 01:30 ends at 01:30 EST', () => {
    const q = { from: '23:00', to: '01:30', timezone: 'America/New_York' };
    expect(quietUntil(q, Date.UTC(2026, 10, 1, 6, 15))).toBe(Date.UTC(2026, 10, 1, 6, 30));
  });

  it('property: around every clock change of Berlin and New York, a held message is released later, within a day, at the `to` wall time', () => {
    const changes = [
      ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)], ['Europe/Berlin', Date.UTC(2026, 9, 25, 1)],
      ['America/New_York', Date.UTC(2026, 2, 8, 7)], ['America/New_York', Date.UTC(2026, 10, 1, 6)],
    ] as const;
    const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(fc.property(
      hhmm, hhmm, fc.constantFrom(...changes), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }),
      (from, to, [timezone, change], delta) => {
        const now = change + delta;
        const end = quietUntil({ from, to, timezone }, now);
        if (end === undefined) return;
        expect(end).toBeGreaterThan(now);
        expect(end - now).toBeLessThanOrEqual(25 * 3_600_000);
        const local = zonedParts(end, timezone);
        const [th, tm] = to.split(':').map(Number);
        expect((local.hour * 60 + local.minute - (th! * 60 + tm!) + 1440) % 1440).toBeLessThanOrEqual(60);
      },
    ), { numRuns: 2000 });
  });
});
