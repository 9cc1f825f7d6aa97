/** The holiday calendar an item carries: the package's data, plus an operator's supplement for years it lacks. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHolidaySupplement } from '../../config/holiday-supplement';
import { ConfigError } from '../../config/env';
import { calendarForNewItem, statutoryCalendar } from '../../domain/statutory-calendar';
import { addWorkingDays, isWorkingDay } from '../../domain/working-days';

const SHANGHAI = 'Asia/Shanghai';
const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
/** 2026-12-30 10:00 Shanghai */
const WED_30_DEC_2026 = Date.UTC(2026, 11, 30, 2, 0);
const NEW_YEAR_2027 = { '2027-01-01': "New Year's Day,元旦,1", '2027-01-02': "New Year's Day,元旦,1", '2027-01-03': "New Year's Day,元旦,1" };

test('the package calendar names its source and the years it covers', () => {
  const calendar = statutoryCalendar();
  expect(calendar.source).toMatch(/^chinese-days \d+\.\d+\.\d+$/);
  expect(calendar.years).toContain(2026);
  expect(calendar.holidays['2026-10-01']).toMatch(/National Day/);
  expect(calendar.workdays['2026-02-14']).toBeDefined();
});

test('a new item carries last year on, not the whole history of the data', () => {
  const calendar = calendarForNewItem(WED_30_DEC_2026);
  expect(Math.min(...calendar.years)).toBe(2025);
  expect(Object.keys(calendar.holidays).every((d) => d >= '2025-01-01')).toBe(true);
});

test('a supplement adds a year the package lacks, and working days then skip its holidays', () => {
  const without = calendarForNewItem(WED_30_DEC_2026);
  const supplement = loadHolidaySupplement(file('2027.json', JSON.stringify({ holidays: NEW_YEAR_2027 })));
  const withIt = calendarForNewItem(WED_30_DEC_2026, supplement);
  expect(without.years).not.toContain(2027);
  expect(withIt.years).toContain(2027);
  expect(withIt.source).toBe(`${without.source} + 2027.json`);

  // Two working days after Wed 30 Dec: Thu 31 Dec, then Mon 4 Jan: 1 January is a fixed-date statutory
  // holiday, skipped (provisionally) even before 2027's notice; the supplement's days make it final.
  const plain = addWorkingDays(WED_30_DEC_2026, 2, SHANGHAI, without);
  const supplemented = addWorkingDays(WED_30_DEC_2026, 2, SHANGHAI, withIt);
  expect(new Date(plain.dueAtMs).toISOString()).toBe('2027-01-04T15:59:59.000Z');
  expect(plain.provisional).toBe(true);
  expect(plain.basis).toMatch(/2027-01-01 \(New Year's Day, provisional\)/);
  expect(plain.basis).toMatch(/provisional: no State Council notice for 2027 yet/);
  expect(new Date(supplemented.dueAtMs).toISOString()).toBe('2027-01-04T15:59:59.000Z');
  expect(supplemented.provisional).toBe(false);
  expect(supplemented.basis).toMatch(/2027-01-01…2027-01-03 \(New Year's Day\)/);
});

test('a calendar from before the fixed-date rule (items started earlier) counts 1 January 2027 as a working day, as it did', () => {
  const { fallback: _f, version: _v, ...legacy } = calendarForNewItem(WED_30_DEC_2026);
  const plain = addWorkingDays(WED_30_DEC_2026, 2, SHANGHAI, legacy);
  expect(new Date(plain.dueAtMs).toISOString()).toBe('2027-01-01T15:59:59.000Z');
  expect(plain.provisional).toBe(false);
  expect(plain.basis).toMatch(/no statutory holiday data for 2027, so only weekends were skipped there/);
});

test.each([
  ['2027-01-01', false], ['2027-05-01', false], ['2027-05-02', false], ['2027-05-03', true],
  ['2027-10-01', false], ['2027-10-02', false], ['2027-10-03', false], ['2027-10-04', true], ['2027-04-05', true],
])('without 2027 data, %s is a working day: %s (only weekends and the fixed-date holidays are known)', (date, working) => {
  const calendar = calendarForNewItem(WED_30_DEC_2026);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  expect(isWorkingDay(date, calendar)).toBe(working && weekday !== 0 && weekday !== 6);
});

test('a published year replaces the package\'s data for that year and sets the version', () => {
  const published = [{ year: 2026, version: 4, source: 'notice 2026', holidays: { '2026-12-31': 'Test day,测试' }, workdays: {} }];
  const calendar = calendarForNewItem(WED_30_DEC_2026, undefined, published);
  expect(calendar.version).toBe(4);
  expect(calendar.holidays['2026-12-31']).toBe('Test day,测试');
  expect(calendar.holidays['2026-10-01']).toBeUndefined(); // the package's 2026 entries are gone with the replacement
  expect(calendar.holidays['2025-10-01']).toMatch(/National Day/);
  expect(calendar.source).toContain('2026: notice 2026 (v4)');
});

test('a bad supplement file stops start-up with what is wrong', () => {
  expect(() => loadHolidaySupplement(join(dir, 'missing.json'))).toThrow(ConfigError);
  expect(() => loadHolidaySupplement(file('bad-key.json', JSON.stringify({ holidays: { '1 Jan 2027': 'x' } })))).toThrow(
    /HOLIDAY_CALENDAR_FILE holidays\.1 Jan 2027/,
  );
  expect(() => loadHolidaySupplement(file('extra.json', JSON.stringify({ holidays: {}, comment: 'x' })))).toThrow(ConfigError);
});
