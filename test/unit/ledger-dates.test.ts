import { parseDeadlineCell, type DeadlineContext } from '../../api/ledger/deadline-cell';
import { importLedger } from '../../api/ledger/import-ledger';
import { dateOfExcelSerial, daysToDeadline, isoWithOffset } from '../../api/ledger/ledger-time';
import { NOW, resolveUnit, row, sheetWith } from '../support/ledger-fixtures';

const ctx: DeadlineContext = { nowMs: NOW.getTime(), timezone: 'Asia/Shanghai', maxWorkingDays: 3650, date1904: false };
const text = (t: string) => parseDeadlineCell({ kind: 'text', text: t }, ctx);
const instant = (at: string) => ({ ok: true, deadline: { kind: 'instant', at } });

describe('完成时限 as text', () => {
  it.each([
    ['2027-03-31'],
    ['2027/3/31'],
    ['2027.03.31'],
    ['2027年3月31日'],
    ['2027 年 3 月 31 日'],
  ])('%s is the end of 2027-03-31 in Shanghai', (t) => {
    expect(text(t)).toEqual(instant('2027-03-31T23:59:59+08:00'));
  });

  it.each([
    ['10个工作日', 10],
    ['10工作日', 10],
    ['3 个工作日', 3],
    ['3650个工作日', 3650],
    ['十个工作日', 10],
    ['两个工作日', 2],
    ['十五个工作日', 15],
    ['二十个工作日', 20],
    ['一百二十个工作日', 120],
    ['一百零五个工作日', 105],
    ['５个工作日', 5],
    ['１０ 个工作日', 10],
    ['5个工作日内', 5],
    ['三十个工作日以内', 30],
  ])('%s is %d working days', (t, days) => {
    expect(text(t)).toEqual({ ok: true, deadline: { kind: 'workingDays', days } });
  });

  it.each([
    ['0个工作日', '工作日数“0”无效，须为 1 至 3650 之间的整数'],
    ['1.5个工作日', '工作日数“1.5”无效，须为 1 至 3650 之间的整数'],
    ['-3个工作日', '工作日数“-3”无效，须为 1 至 3650 之间的整数'],
    ['零个工作日', '工作日数“零”无效，须为 1 至 3650 之间的整数'],
    ['一二个工作日', '工作日数“一二”无效，须为 1 至 3650 之间的整数'],
    ['五千个工作日', '工作日数“五千”无效，须为 1 至 3650 之间的整数'],
    ['3651个工作日', '工作日数“3651”无效，须为 1 至 3650 之间的整数'],
    ['2027-02-30', '“2027-02-30”不是有效的日期'],
    ['下个月', '无法识别的完成时限“下个月”，请填写日期（如 2027-03-31）或“N个工作日”'],
  ])('%s is refused: %s', (t, message) => {
    expect(text(t)).toEqual({ ok: false, message });
  });

  it('today is still allowed (the deadline is the end of the day); yesterday is not', () => {
    expect(text('2026-06-01')).toEqual(instant('2026-06-01T23:59:59+08:00'));
    expect(text('2026-05-31')).toEqual({ ok: false, message: '完成时限 2026-05-31 已过，不得早于今天' });
  });

  it('the end of the day is taken in the injected zone, with that zone’s offset on that day', () => {
    const ny = { ...ctx, timezone: 'America/New_York' };
    expect(parseDeadlineCell({ kind: 'text', text: '2026-07-01' }, ny)).toEqual(instant('2026-07-01T23:59:59-04:00'));
    expect(parseDeadlineCell({ kind: 'text', text: '2026-12-01' }, ny)).toEqual(instant('2026-12-01T23:59:59-05:00'));
    // the same instant, whichever way it is written
    expect(Date.parse('2026-12-01T23:59:59-05:00')).toBe(Date.UTC(2026, 11, 2, 4, 59, 59));
  });
});

describe('完成时限 in working days, through the whole import', () => {
  it('"十个工作日" becomes N working days of the office calendar, as POST /items takes them, never calendar days', async () => {
    const result = await importLedger(await sheetWith([row({ 完成时限: '十个工作日' }), row({ 整改任务编号: 'T2', 完成时限: '５个工作日内' })]), { now: NOW, resolveUnit });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.items[0]?.tasks.map((t) => t.deadline)).toEqual([{ kind: 'workingDays', days: 10 }, { kind: 'workingDays', days: 5 }]);
  });
});

describe('完成时限 as an Excel date', () => {
  it('a serial number counts days from 1899-12-30 (1900 system) or 1904-01-01', () => {
    // 46477 is 2027-03-31 in Excel's 1900 system
    expect(parseDeadlineCell({ kind: 'number', value: 46477 }, ctx)).toEqual(instant('2027-03-31T23:59:59+08:00'));
    expect(parseDeadlineCell({ kind: 'number', value: 46477.75 }, ctx)).toEqual(instant('2027-03-31T23:59:59+08:00'));
    expect(dateOfExcelSerial(46477 - 1462, true)).toEqual({ year: 2027, month: 3, day: 31 });
  });

  it('a Date cell is read as the calendar day exceljs encoded in UTC, whatever the server zone', () => {
    expect(parseDeadlineCell({ kind: 'date', date: new Date(Date.UTC(2027, 2, 31)) }, ctx)).toEqual(instant('2027-03-31T23:59:59+08:00'));
  });

  it('a small number is taken for a mistyped day count, not for a date in 1900', () => {
    expect(parseDeadlineCell({ kind: 'number', value: 10 }, ctx)).toEqual({
      ok: false,
      message: '无法识别的完成时限“10”，请填写日期（如 2027-03-31）或“N个工作日”',
    });
  });

  it('reads Date cells, date-formatted and bare serials, and text from a real workbook', async () => {
    const file = await sheetWith([
      row({ 整改任务编号: 'T1', 完成时限: new Date(Date.UTC(2027, 2, 31)) }),
      row({ 整改任务编号: 'T2', 完成时限: 46477 }),
      row({ 整改任务编号: 'T3', 完成时限: '2027年3月31日' }),
      row({ 整改任务编号: 'T4', 完成时限: '20个工作日' }),
    ]);
    const result = await importLedger(file, { now: NOW, resolveUnit });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.items[0]?.tasks.map((t) => t.deadline)).toEqual([
      { kind: 'instant', at: '2027-03-31T23:59:59+08:00' },
      { kind: 'instant', at: '2027-03-31T23:59:59+08:00' },
      { kind: 'instant', at: '2027-03-31T23:59:59+08:00' },
      { kind: 'workingDays', days: 20 },
    ]);
  });
});

describe('ledger time helpers', () => {
  it('isoWithOffset writes the local wall time and offset', () => {
    expect(isoWithOffset(Date.UTC(2026, 0, 1, 0, 0, 0), 'Asia/Shanghai')).toBe('2026-01-01T08:00:00+08:00');
    expect(isoWithOffset(Date.UTC(2026, 0, 1, 0, 0, 0), 'Asia/Kolkata')).toBe('2026-01-01T05:30:00+05:30');
    expect(isoWithOffset(Date.UTC(2026, 0, 1, 0, 0, 0), 'UTC')).toBe('2026-01-01T00:00:00+00:00');
  });

  it('daysToDeadline rounds away from zero so any overdue time is negative', () => {
    const due = '2026-06-03T23:59:59+08:00';
    expect(daysToDeadline(due, NOW.getTime())).toBe(3);
    expect(daysToDeadline(due, Date.parse(due))).toBe(0);
    expect(daysToDeadline(due, Date.parse(due) + 1000)).toBe(-1);
    expect(daysToDeadline(due, Date.parse(due) + 2 * 86_400_000 + 1)).toBe(-3);
  });
});
