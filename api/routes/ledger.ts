/**
 * The Excel ledger (整改台账): the import template, uploading a filled one into
 * a plan (a background job whose progress is polled), and the workbooks a
 * plan exports — its ledger and the weekly, monthly and ranking notices.
 */
import { getImport, importFailures, listImports, type AcceptOutcome } from '../../db/repositories/ledger-imports';
import { getPlan, type Plan } from '../../db/repositories/plans';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/types';
import { ApiProblem } from '../http/api-problem';
import { defineRoute, type HandlerContext, type RouteSpec } from '../http/route';
import { DEFAULT_UPLOAD_LIMITS } from '../ledger/file-guard';
import { LEDGER_TIMEZONE, sendDispatchNotice, sendPlanLedger, sendRankingNotice, sendReviewReport, sendTemplate, XLSX_TYPE, type ExportContext } from '../ledger-export/exports';
import { monthPeriod, weekPeriod } from '../ledger-export/periods';
import { receiveUpload } from '../ledger-import/upload';
import { startLedgerImport } from '../ledger-import/workflow-start';
import { RETRY_AFTER_SECONDS } from '../errors';
import {
  DispatchNoticeQuerySchema,
  ImportListQuerySchema,
  ImportParamsSchema,
  LedgerImportAnswerSchema,
  LedgerImportDetailSchema,
  LedgerImportListSchema,
  RankingNoticeQuerySchema,
  ReviewReportQuerySchema,
} from '../schemas/ledger';
import { PlanParamsSchema } from '../schemas/params';
import { viewerOf } from './run-command';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
const REPORT_ROLES = ['leader', 'supervisor', 'admin'] as const;
const workbook = (description: string) => ({ status: 200, description, contentType: XLSX_TYPE });

/** What an upload may be sent as: the .xlsx type, or plain bytes. */
const UPLOAD_TYPES = [XLSX_TYPE, 'application/octet-stream'] as const;

type AnyContext = HandlerContext<unknown, unknown, unknown>;

async function planOr404(ctx: AnyContext, planId: string): Promise<Plan> {
  const plan = await getPlan(ctx.deps.pool, planId);
  if (!plan) throw new DomainError('NOT_FOUND', `no plan '${planId}'`, { planId });
  return plan;
}

function exportContext(ctx: AnyContext): ExportContext {
  return { pool: ctx.deps.pool, res: ctx.res, log: ctx.log, nowMs: Date.now() };
}

/** Leaders who answer for the plan, and admins, import into it. */
function assertMayImport(actor: Actor, plan: Plan): void {
  if (actor.role === 'admin' || (actor.role === 'leader' && plan.leaderIds.includes(actor.id))) return;
  throw new DomainError('FORBIDDEN', `only the leaders who answer for plan '${plan.id}' (and admins) import into it`, { planId: plan.id });
}

/** The body must be the workbook itself: a form upload or another type is a 415 that says how to send it. */
function uploadedFile(ctx: AnyContext): Buffer {
  const type = ctx.req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && type !== '' && !(UPLOAD_TYPES as readonly string[]).includes(type)) {
    throw new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE',
      `send the .xlsx file itself as the body, with Content-Type ${XLSX_TYPE} (or application/octet-stream); got '${type.slice(0, 80)}'`);
  }
  return Buffer.isBuffer(ctx.req.body) ? ctx.req.body : Buffer.alloc(0);
}

/**
 * A queued job is handed to its workflow before the upload is answered. When
 * Temporal refuses (unreachable), the job stays as the upload left it: kept
 * and queued, nothing lost, nothing created yet. The answer is a 503 naming
 * it; the same file uploaded again finds the job and hands it over again, and
 * every worker, when it starts, hands over the jobs still queued. (Undoing the
 * upload instead races every other upload of the same file and every run that
 * takes the job meanwhile; keeping it needs no undo.)
 */
async function handToWorkflow(ctx: AnyContext, outcome: AcceptOutcome): Promise<void> {
  if (outcome.job.status !== 'queued') return;
  try {
    await startLedgerImport(ctx.deps.temporal, ctx.deps.config.TEMPORAL_TASK_QUEUE, outcome.job.id);
  } catch (err) {
    ctx.log.warn({ err, ledgerImport: outcome.job.id }, 'ledger import kept but not started: its workflow could not be started');
    throw new ApiProblem(
      503,
      'SERVICE_UNAVAILABLE',
      `Temporal cannot be reached: the file is kept as import ${outcome.job.id}, queued, and nothing is created yet; ` +
        'upload the same file again later to start it (a worker starting up also starts it)',
      { headers: { 'Retry-After': RETRY_AFTER_SECONDS } },
    );
  }
}

export const ledgerRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/ledger/template',
    operationId: 'ledgerTemplate',
    summary: 'Download the ledger import template',
    description:
      'The 整改台账 sheet with Chinese headers (a note on each), dropdowns on 严重程度 and 督战级别, a dropdown of the active units on 责任单位, ' +
      'a frozen header; the 说明 sheet with the rules and an example; a hidden 单位名录 sheet.',
    tag: 'Ledger',
    roles: ALL_ROLES,
    response: workbook('the template (.xlsx)'),
    handler: async (ctx) => sendTemplate(exportContext(ctx)),
  }),
  defineRoute({
    method: 'post',
    path: '/plans/:id/ledger-imports',
    operationId: 'importLedger',
    summary: 'Import a filled template into a plan',
    description:
      'The body is the .xlsx file itself. Every row is checked first; any mistake is a 422 listing every one by row and column, ' +
      'and nothing is created. A valid file is accepted as a job (202) that creates its items in the background through the same path as ' +
      '`POST /items`; poll `GET /plans/{id}/ledger-imports/{importId}`. The same content uploaded again answers the earlier job (200, ' +
      '`duplicate`) and creates nothing twice. Items imported before are never changed by a later file: the answer\'s `diff` says what ' +
      'differs. Refused files: not an .xlsx (415), over 10 MiB or inflating past 200 MiB or over 20,000 rows (413), password-protected, ' +
      'a ZIP bomb, formulas, a cell over 32,767 characters, broken (422); more than 64 Mi characters of text in one part (413). ' +
      'A 422 for the rows lists the first 200 mistakes; `errorsTotal` counts them all. The job is run by a workflow of its own; when ' +
      'Temporal cannot be reached the answer is 503 and the job is kept, queued, with nothing created: the same file uploaded again ' +
      'later starts it.',
    tag: 'Ledger',
    roles: ['leader', 'admin'],
    params: PlanParamsSchema,
    fileBody: { contentTypes: UPLOAD_TYPES, limit: DEFAULT_UPLOAD_LIMITS.maxBytes },
    response: { status: 202, description: 'accepted: the job that creates the items', schema: LedgerImportAnswerSchema },
    alsoAnswers: [{ status: 200, description: 'the same content was imported before: that job', schema: LedgerImportAnswerSchema }],
    errors: [404, 413, 415, 422],
    handler: async (ctx) => {
      const plan = await planOr404(ctx, ctx.params.id);
      assertMayImport(ctx.actor, plan);
      const file = uploadedFile(ctx);
      const outcome = await receiveUpload({ pool: ctx.deps.pool, plan, uploader: ctx.actor, nowMs: Date.now(), calendars: ctx.deps.calendars }, file);
      const job = outcome.job;
      await handToWorkflow(ctx, outcome);
      ctx.log.info({ planId: plan.id, ledgerImport: job.id, outcome: outcome.kind, items: job.items.total }, 'ledger import received');
      ctx.res.location(`/plans/${encodeURIComponent(plan.id)}/ledger-imports/${job.id}`);
      if (outcome.kind === 'duplicate') {
        ctx.res.status(200).json({ import: job, duplicate: true, retried: outcome.retried });
        return undefined;
      }
      return { import: job, duplicate: false, retried: 0 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/ledger-imports',
    operationId: 'listLedgerImports',
    summary: 'The ledger imports of a plan',
    tag: 'Ledger',
    roles: REPORT_ROLES,
    params: PlanParamsSchema,
    query: ImportListQuerySchema,
    response: { status: 200, description: 'newest first', schema: LedgerImportListSchema },
    errors: [404, 422],
    handler: async (ctx) => {
      const plan = await planOr404(ctx, ctx.params.id);
      return { imports: await listImports(ctx.deps.pool, plan.id, ctx.query.limit) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/ledger-imports/:importId',
    operationId: 'getLedgerImport',
    summary: 'The progress of a ledger import',
    description: 'Poll until `status` is `succeeded` or `failed`; `failures` names each item that could not be created, with its row.',
    tag: 'Ledger',
    roles: REPORT_ROLES,
    params: ImportParamsSchema,
    response: { status: 200, description: 'the job', schema: LedgerImportDetailSchema },
    errors: [404, 422],
    handler: async (ctx) => {
      const job = await getImport(ctx.deps.pool, ctx.params.id, ctx.params.importId);
      if (!job) throw new DomainError('NOT_FOUND', `no import '${ctx.params.importId}' in plan '${ctx.params.id}'`);
      return { ...job, failures: await importFailures(ctx.deps.pool, job.id, 1000) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/ledger',
    operationId: 'exportPlanLedger',
    summary: 'Export the plan\'s ledger (整改台账)',
    description:
      'One row per task: status, light (coloured), last progress, days to (or past) the deadline, the highest escalation level reached, ' +
      'extension and rework counts; frozen header, A4 landscape. Owners get the tasks of their unit.',
    tag: 'Ledger',
    roles: ALL_ROLES,
    params: PlanParamsSchema,
    response: workbook('the ledger (.xlsx)'),
    errors: [404, 422],
    handler: async (ctx) => sendPlanLedger(exportContext(ctx), await planOr404(ctx, ctx.params.id), viewerOf(ctx.actor)),
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/notices/dispatch',
    operationId: 'exportDispatchNotice',
    summary: 'Export the weekly dispatch notice (调度通报)',
    description:
      'What the weekly dispatch of each item of the plan found in the chosen week (its last dispatch in that week): every open task, ' +
      'overdue and stale ones first. Owners get the lines of their unit.',
    tag: 'Ledger',
    roles: ALL_ROLES,
    params: PlanParamsSchema,
    query: DispatchNoticeQuerySchema,
    response: workbook('the notice (.xlsx)'),
    errors: [404, 422],
    handler: async (ctx) => {
      const plan = await planOr404(ctx, ctx.params.id);
      const ectx = exportContext(ctx);
      return sendDispatchNotice(ectx, plan, weekPeriod(ctx.query.week, ectx.nowMs, LEDGER_TIMEZONE), viewerOf(ctx.actor));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/notices/review',
    operationId: 'exportReviewReport',
    summary: 'Export the monthly review report (研判报告)',
    description: 'Each item\'s monthly review of the chosen month: completion and its change, overdue work, escalations, reworks, risk. Highest risk first.',
    tag: 'Ledger',
    roles: REPORT_ROLES,
    params: PlanParamsSchema,
    query: ReviewReportQuerySchema,
    response: workbook('the report (.xlsx)'),
    errors: [404, 422],
    handler: async (ctx) => {
      const plan = await planOr404(ctx, ctx.params.id);
      const ectx = exportContext(ctx);
      return sendReviewReport(ectx, plan, monthPeriod(ctx.query.month, ectx.nowMs, LEDGER_TIMEZONE, -1));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id/notices/ranking',
    operationId: 'exportRankingNotice',
    summary: 'Export the unit ranking notice (排名通报)',
    description:
      'The plan\'s responsible units ranked over the chosen week (default: this week) or month: completion as of the period\'s end, ' +
      'overdue work, escalations and send-backs in the period. Published to every unit: every role may read it.',
    tag: 'Ledger',
    roles: ALL_ROLES,
    params: PlanParamsSchema,
    query: RankingNoticeQuerySchema,
    response: workbook('the notice (.xlsx)'),
    errors: [404, 422],
    handler: async (ctx) => {
      if (ctx.query.week !== undefined && ctx.query.month !== undefined) {
        throw new DomainError('VALIDATION_FAILED', 'choose a week or a month, not both', { path: 'query.month' });
      }
      const plan = await planOr404(ctx, ctx.params.id);
      const ectx = exportContext(ctx);
      const period = ctx.query.month !== undefined
        ? monthPeriod(ctx.query.month, ectx.nowMs, LEDGER_TIMEZONE)
        : weekPeriod(ctx.query.week, ectx.nowMs, LEDGER_TIMEZONE);
      return sendRankingNotice(ectx, plan, period);
    },
  }),
];
