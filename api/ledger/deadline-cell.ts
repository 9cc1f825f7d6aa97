/**
 * 完成时限: a day or "N个工作日" (N in digits, full-width digits or Chinese
 * numerals; "…以内" allowed), counted by the item as working days of its
 * office calendar like any `{kind: 'workingDays'}` deadline. A day may arrive as an Excel date (a Date
 * from a date-formatted cell, or a bare serial number) or as text in the
 * ways people type dates here (2027-03-31, 2027/3/31, 2027.3.31,
 * 2027年3月31日). A day means the end of that day, 23:59:59, in the plan's
 * zone.
 */
import type { RawCell } from './cell-values';
import { calendarDate, dateOfCellDate, dateOfExcelSerial, dateString, endOfDayMs, isoWithOffset, type CalendarDate } from './ledger-time';
import type { LedgerDeadline } from './types';

export interface DeadlineContext {
  nowMs: number;
  timezone: string;
  maxWorkingDays: number;
  /** the workbook counts serials from 1904 (old Mac Excel) */
  date1904: boolean;
}

export type DeadlineParse = { ok: true; deadline: LedgerDeadline } | { ok: false; message: string };

/** "10个工作日", "十个工作日", "５个工作日内": a number, 个, 工作日, maybe 内 / 以内 ("within") */
const WORKING_DAYS = /^(\S+?)\s*个?\s*工作日(?:以?内)?$/;
const CHINESE_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CHINESE_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const TEXT_DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;
/**
 * Serials below this (1927-05-18) are far more likely a number of days typed
 * into a date column than a real date, so they get a message saying how to
 * write either, rather than "the date 1900-01-10 is in the past".
 */
const SMALLEST_SERIAL = 10_000;

const HOW_TO_WRITE = '请填写日期（如 2027-03-31）或“N个工作日”';

export function parseDeadlineCell(cell: RawCell, ctx: DeadlineContext): DeadlineParse {
  switch (cell.kind) {
    case 'date':
      return fromDate(dateOfCellDate(cell.date), ctx);
    case 'number':
      if (cell.value < SMALLEST_SERIAL) return { ok: false, message: `无法识别的完成时限“${cell.value}”，${HOW_TO_WRITE}` };
      return fromDate(dateOfExcelSerial(cell.value, ctx.date1904), ctx);
    case 'error':
      return { ok: false, message: `单元格为错误值 ${cell.code}，${HOW_TO_WRITE}` };
    case 'text':
      return fromText(cell.text, ctx);
  }
}

function fromText(text: string, ctx: DeadlineContext): DeadlineParse {
  const wd = WORKING_DAYS.exec(text);
  if (wd) {
    const n = countOf(wd[1] as string);
    if (!Number.isInteger(n) || n < 1 || n > ctx.maxWorkingDays) {
      return { ok: false, message: `工作日数“${wd[1]}”无效，须为 1 至 ${ctx.maxWorkingDays} 之间的整数` };
    }
    return { ok: true, deadline: { kind: 'workingDays', days: n } };
  }
  const m = TEXT_DATE.exec(text);
  if (m) {
    const date = calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!date) return { ok: false, message: `“${text}”不是有效的日期` };
    return fromDate(date, ctx);
  }
  return { ok: false, message: `无法识别的完成时限“${text}”，${HOW_TO_WRITE}` };
}

/** Arabic digits (half- or full-width) or a Chinese numeral (十, 二十, 一百零五); NaN for anything else. */
function countOf(written: string): number {
  const ascii = written.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  if (/^\d+$/.test(ascii)) return Number(ascii);
  return chineseNumeral(written);
}

/** 十 = 10, 十五 = 15, 二十 = 20, 一百零五 = 105, 三千六百五十 = 3650; digits must be separated by a unit (一二 is not a number). */
function chineseNumeral(written: string): number {
  let total = 0;
  let digit: number | undefined;
  let lastUnit = Number.POSITIVE_INFINITY;
  for (const ch of written) {
    const d = CHINESE_DIGITS[ch];
    const unit = CHINESE_UNITS[ch];
    if (d !== undefined) {
      if (digit !== undefined && digit !== 0) return Number.NaN;
      digit = d;
    } else if (unit !== undefined) {
      if (unit >= lastUnit || digit === 0) return Number.NaN;
      total += (digit ?? 1) * unit;
      lastUnit = unit;
      digit = undefined;
    } else {
      return Number.NaN;
    }
  }
  return total + (digit ?? 0);
}

function fromDate(date: CalendarDate | undefined, ctx: DeadlineContext): DeadlineParse {
  if (!date) return { ok: false, message: `不是有效的日期，${HOW_TO_WRITE}` };
  const dueMs = endOfDayMs(date, ctx.timezone);
  if (dueMs < ctx.nowMs) return { ok: false, message: `完成时限 ${dateString(date)} 已过，不得早于今天` };
  return { ok: true, deadline: { kind: 'instant', at: isoWithOffset(dueMs, ctx.timezone) } };
}
