/**
 * The ledger's workbooks as HTTP answers: what each export reads from the read
 * side, mapped onto the ledger library's rows, streamed into the response.
 * Rights are the read rights of the API: a viewer sees what GET /items and
 * the records would show them (an owner, their unit's tasks and dispatch
 * lines); the review report is item-wide and for leaders and supervisors; the
 * ranking is published to every unit.
 */
import type express from 'express';
import type pino from 'pino';
import type { Pool } from 'pg';
import { listUnits } from '../../db/repositories/directory';
import { dispatchLinesOf, periodRanking, planLedgerTasks, reviewLinesOf, type LedgerTask } from '../../db/repositories/ledger-exports';
import type { Plan } from '../../db/repositories/plans';
import type { Viewer } from '../../db/repositories/visibility';
import { addCalendarDays, localDateString } from '../../domain/local-time';
import { exportLedger } from '../ledger/export-ledger';
import { exportDispatchNotice, exportRankingNotice, exportReviewReport } from '../ledger/export-notices';
import { DEFAULT_TIMEZONE } from '../ledger/ledger-time';
import { writeImportTemplate } from '../ledger/template';
import type { DispatchNoticeLine, LedgerTaskRow, RankingLine, ReviewReportLine } from '../ledger/types';
import { itemKeyOf } from '../ledger-import/item-input';
import type { Period } from './periods';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Notices and the ledger are read in China's zone, as the items' default policy is. */
export const LEDGER_TIMEZONE = DEFAULT_TIMEZONE;

/**
 * Streams a workbook as the answer. Once the first byte is out a failure can
 * no longer become a problem answer: the connection is cut, so the client
 * sees a broken download rather than a truncated file that looks whole.
 */
export async function sendWorkbook(
  res: express.Response,
  log: pino.Logger,
  fileName: { ascii: string; chinese: string },
  write: (out: express.Response) => Promise<unknown>,
): Promise<undefined> {
  res.status(200);
  res.setHeader('Content-Type', XLSX_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.ascii}"; filename*=UTF-8''${encodeURIComponent(fileName.chinese)}`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    await write(res);
  } catch (err) {
    if (!res.headersSent) throw err;
    log.error({ err }, 'export failed while streaming; connection cut');
    res.destroy(err as Error);
  }
  return undefined;
}

const day = (nowMs: number) => localDateString(nowMs, LEDGER_TIMEZONE).replaceAll('-', '');

export function toLedgerRow(planId: string, t: LedgerTask): LedgerTaskRow {
  return {
    itemKey: itemKeyOf(planId, t.itemId),
    itemTitle: t.itemTitle,
    problemId: t.problemIds.join('、'),
    problemDescription: t.problemDescriptions.join('\n'),
    taskId: t.taskId,
    taskDescription: t.description,
    ...(t.measures !== null ? { measures: t.measures } : {}),
    ownerUnit: t.ownerUnitName,
    ownerPerson: t.ownerPerson,
    coOwners: t.coOwnerNames,
    status: t.status,
    light: t.light,
    ...(t.lastProgressText !== null ? { lastProgressText: t.lastProgressText } : {}),
    ...(t.lastProgressAt !== null ? { lastProgressAt: t.lastProgressAt } : {}),
    dueAt: t.dueAt,
    originalDueAt: t.originalDueAt,
    escalationLevel: t.maxEscalationLevel,
    extensionCount: t.extensionsApproved,
    reworkCount: t.reworkCount,
  };
}

async function* mapRows<A, B>(rows: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const row of rows) yield f(row);
}

export interface ExportContext {
  pool: Pool;
  res: express.Response;
  log: pino.Logger;
  nowMs: number;
}

/** The import template, its 责任单位 dropdown fed by the active units of the directory. */
export async function sendTemplate(ctx: ExportContext): Promise<undefined> {
  const units = (await listUnits(ctx.pool, { active: true })).map((u) => ({ code: u.code, name: u.name }));
  return sendWorkbook(ctx.res, ctx.log, { ascii: 'ledger-import-template.xlsx', chinese: '整改台账导入模板.xlsx' }, (out) =>
    writeImportTemplate(out, { units, createdAt: new Date(ctx.nowMs) }),
  );
}

export async function sendPlanLedger(ctx: ExportContext, plan: Plan, viewer: Viewer): Promise<undefined> {
  const rows = mapRows(planLedgerTasks(ctx.pool, plan.id, viewer), (t) => toLedgerRow(plan.id, t));
  return sendWorkbook(ctx.res, ctx.log, { ascii: `ledger-${plan.id}-${day(ctx.nowMs)}.xlsx`, chinese: `整改台账-${plan.id}-${day(ctx.nowMs)}.xlsx` }, (out) =>
    exportLedger(rows, out, { now: new Date(ctx.nowMs), timezone: LEDGER_TIMEZONE, title: `${plan.title}整改台账（四项清单）` }),
  );
}

export async function sendDispatchNotice(ctx: ExportContext, plan: Plan, week: Period, viewer: Viewer): Promise<undefined> {
  const lines: DispatchNoticeLine[] = (await dispatchLinesOf(ctx.pool, plan.id, week.from, week.to, viewer)).map((l) => ({
    itemKey: itemKeyOf(plan.id, l.itemId),
    itemTitle: l.itemTitle,
    taskId: l.taskId,
    taskDescription: l.description,
    ownerUnit: l.ownerUnitName,
    ownerPerson: l.ownerPerson,
    status: l.status,
    percent: l.percent,
    ...(l.lastProgressText !== null ? { lastProgressText: l.lastProgressText } : {}),
    ...(l.lastProgressAt !== null ? { lastProgressAt: l.lastProgressAt } : {}),
    dueAt: l.dueAt,
    light: l.light,
    stale: l.stale,
    overdue: l.overdue,
    asOf: l.dispatchedAt,
  }));
  return sendWorkbook(ctx.res, ctx.log, { ascii: `dispatch-${plan.id}-${week.label}.xlsx`, chinese: `调度通报-${plan.id}-${week.label}.xlsx` }, (out) =>
    exportDispatchNotice(lines, out, { now: new Date(ctx.nowMs), timezone: LEDGER_TIMEZONE, weekStart: week.label, title: `${plan.title}整改工作调度通报` }),
  );
}

export async function sendReviewReport(ctx: ExportContext, plan: Plan, month: Period): Promise<undefined> {
  const lines: ReviewReportLine[] = (await reviewLinesOf(ctx.pool, plan.id, month.label)).map(({ itemId, itemTitle, record }) => {
    const f = record.figures;
    return {
      itemKey: itemKeyOf(plan.id, itemId),
      itemTitle,
      // the rate is over the tasks still to be done or done: cancelled ones count in neither
      totalTasks: f.totalTasks - f.cancelledTasks,
      acceptedTasks: f.acceptedTasks,
      completionRate: f.completionRate,
      ...(record.completionRateChange !== undefined ? { completionRateChange: record.completionRateChange } : {}),
      overdueCount: f.overdueCount,
      escalations: f.escalationsThisPeriod,
      reworks: f.reworksThisPeriod,
      risk: f.risk,
    };
  });
  const [year, m] = month.label.split('-').map(Number);
  return sendWorkbook(ctx.res, ctx.log, { ascii: `review-${plan.id}-${month.label}.xlsx`, chinese: `研判报告-${plan.id}-${month.label}.xlsx` }, (out) =>
    exportReviewReport(lines, out, {
      now: new Date(ctx.nowMs),
      timezone: LEDGER_TIMEZONE,
      month: month.label,
      title: `${plan.title}整改工作研判报告（${year}年${m}月）`,
    }),
  );
}

export async function sendRankingNotice(ctx: ExportContext, plan: Plan, period: Period): Promise<undefined> {
  const lines: RankingLine[] = (await periodRanking(ctx.pool, plan.id, period.from, period.to)).map((r) => ({
    rank: r.rank,
    unit: r.unitName,
    totalTasks: r.totalTasks,
    acceptedTasks: r.acceptedTasks,
    completionRate: r.completionRate,
    overdueCount: r.overdueTasks,
    escalations: r.escalations,
    reworks: r.reworks,
  }));
  const first = period.kind === 'week' ? period.label : `${period.label}-01`;
  const last = addCalendarDays(localDateString(Date.parse(period.to), LEDGER_TIMEZONE), -1);
  const asOf = Math.min(ctx.nowMs, Date.parse(period.to));
  return sendWorkbook(ctx.res, ctx.log, { ascii: `ranking-${plan.id}-${period.label}.xlsx`, chinese: `排名通报-${plan.id}-${period.label}.xlsx` }, (out) =>
    exportRankingNotice(lines, out, { now: new Date(asOf), timezone: LEDGER_TIMEZONE, period: { first, last }, title: `${plan.title}整改工作责任单位排名通报` }),
  );
}
