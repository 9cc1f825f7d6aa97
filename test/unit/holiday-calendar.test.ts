/** The holiday calendar an item carries: the package's data, plus an operator's supplement for years it lacks. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHolidaySupplement } from '../../api/holiday-supplement';
import { ConfigError } from '../../config/env';
import { calendarForNewItem, statutoryCalendar } from '../../domain/statutory-calendar';
import { addWorkingDays } from '../../domain/working-days';

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

  // Two working days after Wed 30 Dec: Thu 31 Dec, then Fri 1 Jan — unless 1 Jan is a holiday (then Mon 4 Jan).
  const plain = addWorkingDays(WED_30_DEC_2026, 2, SHANGHAI, without);
  const supplemented = addWorkingDays(WED_30_DEC_2026, 2, SHANGHAI, withIt);
  expect(new Date(plain.dueAtMs).toISOString()).toBe('2027-01-01T15:59:59.000Z');
  expect(plain.basis).toMatch(/no statutory holiday data for 2027/);
  expect(new Date(supplemented.dueAtMs).toISOString()).toBe('2027-01-04T15:59:59.000Z');
  expect(supplemented.basis).toMatch(/2027-01-01…2027-01-03 \(New Year's Day\)/);
});

test('a bad supplement file stops start-up with what is wrong', () => {
  expect(() => loadHolidaySupplement(join(dir, 'missing.json'))).toThrow(ConfigError);
  expect(() => loadHolidaySupplement(file('bad-key.json', JSON.stringify({ holidays: { '1 Jan 2027': 'x' } })))).toThrow(
    /HOLIDAY_CALENDAR_FILE holidays\.1 Jan 2027/,
  );
  expect(() => loadHolidaySupplement(file('extra.json', JSON.stringify({ holidays: {}, comment: 'x' })))).toThrow(ConfigError);
});
