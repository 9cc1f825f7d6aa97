/**
 * What each periodic notice shows: its title, the period line, the columns,
 * how a line becomes cells, the colours, and the closing totals.
 */
import { calendarDate, dateString, plusDays, DEFAULT_TIMEZONE, daysToDeadline, localDateText, localDateTimeText } from './ledger-time';
import { chineseDate, yesNo, type NoticeSpec } from './notice-writer';
import { solidFill } from './sheet-style';
import type { DispatchNoticeLine, RankingLine, ReviewReportLine } from './types';
import { LIGHT_FILLS, LIGHT_LABELS, RISK_FILLS, RISK_LABELS, STATUS_LABELS } from './vocabulary';

export interface NoticeOptions {
  /** when the notice is drawn up: days to deadline count from it */
  now: Date;
  timezone?: string;
  /** replaces the default title */
  title?: string;
}

export interface DispatchNoticeOptions extends NoticeOptions {
  /** the first day (YYYY-MM-DD) of the week the notice covers */
  weekStart: string;
}

export interface RankingNoticeOptions extends NoticeOptions {
  /** the days the ranking covers (YYYY-MM-DD, both included); absent: the state as of \`now\` */
  period?: { first: string; last: string };
}

export interface ReviewReportOptions extends NoticeOptions {
  /** the month reviewed, YYYY-MM */
  month: string;
}

function checkedDate(date: string, what: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const d = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  if (!d) throw new RangeError(`${what} must be a date YYYY-MM-DD, got '${date}'`);
  return d;
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function dispatchNoticeSpec(options: DispatchNoticeOptions): NoticeSpec<DispatchNoticeLine> {
  const tz = options.timezone ?? DEFAULT_TIMEZONE;
  const start = checkedDate(options.weekStart, 'weekStart');
  const end = dateString(plusDays(start, 6));
  const t = { open: 0, overdue: 0, stale: 0, red: 0, yellow: 0, green: 0 };
  return {
    sheetName: '调度通报',
    title: options.title ?? '整改工作调度通报',
    subtitle: `调度周期：${chineseDate(dateString(start))}—${chineseDate(end)}　　制表时间：${localDateTimeText(options.now.toISOString(), tz)}`,
    columns: [
      { header: '序号', width: 6 },
      { header: '事项编号', width: 12 },
      { header: '事项名称', width: 22 },
      { header: '整改任务编号', width: 10 },
      { header: '整改任务', width: 28 },
      { header: '责任单位', width: 16 },
      { header: '责任人', width: 9 },
      { header: '状态', width: 8 },
      { header: '进度', width: 7, numFmt: '0%' },
      { header: '最新进展', width: 28 },
      { header: '进展时间', width: 16 },
      { header: '完成时限', width: 12 },
      { header: '距时限天数（负数为超期）', width: 11 },
      { header: '灯色', width: 7 },
      { header: '本周无进展', width: 8 },
      { header: '是否超期', width: 8 },
    ],
    cells: (l, i) => [
      i,
      l.itemKey,
      l.itemTitle,
      l.taskId,
      l.taskDescription,
      l.ownerUnit,
      l.ownerPerson,
      STATUS_LABELS[l.status],
      l.percent / 100,
      l.lastProgressText,
      l.lastProgressAt ? localDateTimeText(l.lastProgressAt, tz) : undefined,
      localDateText(l.dueAt, tz),
      daysToDeadline(l.dueAt, l.asOf === undefined ? options.now.getTime() : Date.parse(l.asOf)),
      LIGHT_LABELS[l.light],
      yesNo(l.stale),
      yesNo(l.overdue),
    ],
    style: (row, l) => {
      const fill = LIGHT_FILLS[l.light];
      if (fill) row.getCell(14).fill = solidFill(fill);
      if (l.overdue) row.getCell(16).font = { color: { argb: 'FFC00000' }, bold: true };
    },
    tally: (l) => {
      t.open++;
      if (l.overdue) t.overdue++;
      if (l.stale) t.stale++;
      if (l.light === 'red' || l.light === 'yellow' || l.light === 'green') t[l.light]++;
    },
    summary: () =>
      `合计：在办整改任务 ${t.open} 项，其中超期 ${t.overdue} 项、本周无进展 ${t.stale} 项；红灯 ${t.red} 项、黄灯 ${t.yellow} 项、绿灯 ${t.green} 项。`,
  };
}

export function reviewReportSpec(options: ReviewReportOptions): NoticeSpec<ReviewReportLine> {
  const tz = options.timezone ?? DEFAULT_TIMEZONE;
  const m = /^(\d{4})-(\d{2})$/.exec(options.month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`month must be YYYY-MM, got '${options.month}'`);
  const t = { items: 0, tasks: 0, accepted: 0, high: 0, medium: 0, low: 0, overdue: 0 };
  return {
    sheetName: '研判报告',
    title: options.title ?? `整改工作研判报告（${Number(m[1])}年${Number(m[2])}月）`,
    subtitle: `研判月份：${Number(m[1])}年${Number(m[2])}月　　制表时间：${localDateTimeText(options.now.toISOString(), tz)}`,
    columns: [
      { header: '序号', width: 6 },
      { header: '事项编号', width: 12 },
      { header: '事项名称', width: 30 },
      { header: '任务总数', width: 8 },
      { header: '已销号', width: 8 },
      { header: '完成率', width: 9, numFmt: '0.0%' },
      { header: '较上月（百分点）', width: 10, numFmt: '+0.0;-0.0;0.0' },
      { header: '超期任务', width: 8 },
      { header: '本月升级', width: 8 },
      { header: '本月退回', width: 8 },
      { header: '风险等级', width: 8 },
    ],
    cells: (l, i) => [
      i,
      l.itemKey,
      l.itemTitle,
      l.totalTasks,
      l.acceptedTasks,
      l.completionRate,
      l.completionRateChange,
      l.overdueCount,
      l.escalations,
      l.reworks,
      RISK_LABELS[l.risk],
    ],
    style: (row, l) => {
      row.getCell(11).fill = solidFill(RISK_FILLS[l.risk]);
    },
    tally: (l) => {
      t.items++;
      t.tasks += l.totalTasks;
      t.accepted += l.acceptedTasks;
      t.overdue += l.overdueCount;
      t[l.risk]++;
    },
    summary: () =>
      `合计：整改事项 ${t.items} 个，高风险 ${t.high} 个、中风险 ${t.medium} 个、低风险 ${t.low} 个；整改任务 ${t.tasks} 项，已销号 ${t.accepted} 项（${pct(t.tasks ? t.accepted / t.tasks : 1)}），超期 ${t.overdue} 项。`,
  };
}

export function rankingNoticeSpec(options: RankingNoticeOptions): NoticeSpec<RankingLine> {
  const tz = options.timezone ?? DEFAULT_TIMEZONE;
  const t = { units: 0, tasks: 0, accepted: 0, overdue: 0 };
  const period = options.period
    ? `统计周期：${chineseDate(dateString(checkedDate(options.period.first, 'period.first')))}—${chineseDate(dateString(checkedDate(options.period.last, 'period.last')))}　　`
    : '';
  return {
    sheetName: '排名通报',
    title: options.title ?? '整改工作责任单位排名通报',
    subtitle: `${period}统计截至：${localDateTimeText(options.now.toISOString(), tz)}　　按完成率从高到低排名`,
    columns: [
      { header: '名次', width: 6 },
      { header: '责任单位', width: 24 },
      { header: '任务总数', width: 9 },
      { header: '已销号', width: 9 },
      { header: '完成率', width: 9, numFmt: '0.0%' },
      { header: '超期任务', width: 9 },
      { header: '升级次数', width: 9 },
      { header: '退回次数', width: 9 },
    ],
    cells: (l) => [l.rank, l.unit, l.totalTasks, l.acceptedTasks, l.completionRate, l.overdueCount, l.escalations, l.reworks],
    style: (row, l) => {
      if (l.overdueCount > 0) row.getCell(6).font = { color: { argb: 'FFC00000' }, bold: true };
    },
    tally: (l) => {
      t.units++;
      t.tasks += l.totalTasks;
      t.accepted += l.acceptedTasks;
      t.overdue += l.overdueCount;
    },
    summary: () =>
      `合计：参与排名单位 ${t.units} 个，整改任务 ${t.tasks} 项，已销号 ${t.accepted} 项（${pct(t.tasks ? t.accepted / t.tasks : 1)}），超期 ${t.overdue} 项。`,
  };
}
