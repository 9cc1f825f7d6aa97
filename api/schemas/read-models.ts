/** Response shapes of the read routes (PostgreSQL projections), for the OpenAPI document. */
import { z } from 'zod';
import { ActorIdSchema, IdSchema, IsoDateTimeSchema, ItemStatusSchema, LightSchema, RecipientRoleSchema, SeveritySchema, ShortTextSchema, SupervisionLevelSchema, TaskStatusSchema } from './common';
import { LIMITS } from '../../domain/limits';
import { ReviewFiguresSchema } from './item-state';

const nullableText = z.string().nullable();
const nullableTime = IsoDateTimeSchema.nullable();

export const ItemSummarySchema = z
  .object({
    id: z.string(), planId: nullableText, title: z.string(), source: nullableText, category: nullableText,
    supervisionLevel: SupervisionLevelSchema, leaderId: z.string(), leaderName: z.string(), status: ItemStatusSchema,
    light: LightSchema, ownerUnits: z.array(z.string()), ownerUnitNames: z.array(z.string()), openTasks: z.number().int(),
    overdueTasks: z.number().int(),
    openProblems: z.number().int(), escalationLevel: z.number().int(), maxEscalationLevel: z.number().int(), nextDeadline: nullableTime,
    createdAt: IsoDateTimeSchema, updatedAt: IsoDateTimeSchema, completedAt: nullableTime, cancelledAt: nullableTime,
    version: z.number().int(), asOf: IsoDateTimeSchema,
  })
  .meta({ id: 'ItemSummary' });

export const ItemPageSchema = z
  .object({ items: z.array(ItemSummarySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ItemPage' });

export const PlanInputSchema = z
  .object({
    id: IdSchema.optional().describe('generated when absent'),
    title: ShortTextSchema,
    source: ShortTextSchema.optional(),
    categories: z.array(ShortTextSchema).max(LIMITS.categoriesPerPlan).default([]),
    leaderIds: z.array(ActorIdSchema).max(LIMITS.leadersPerPlan).optional()
      .describe('the leaders who answer for the plan and decide on all its items; a leader creating a plan is always one of them'),
  })
  .meta({ id: 'PlanInput' });

export const PlanLeadersSchema = z
  .object({ leaderIds: z.array(ActorIdSchema).min(1).max(LIMITS.leadersPerPlan) })
  .meta({ id: 'PlanLeaders' });

export const PlanSchema = z
  .object({
    id: z.string(), title: z.string(), source: nullableText, categories: z.array(z.string()), leaderIds: z.array(z.string()),
    createdBy: z.string(), createdAt: IsoDateTimeSchema,
  })
  .meta({ id: 'Plan' });

export const PlanPageSchema = z.object({ plans: z.array(PlanSchema), nextCursor: z.string().nullable() }).meta({ id: 'PlanPage' });

export const PlanReportSchema = z
  .object({
    plan: PlanSchema,
    counts: z.object({ categories: z.number(), items: z.number(), problems: z.number(), tasks: z.number(), units: z.number() }),
    completion: z.object({
      tasksAccepted: z.number(), tasksCancelled: z.number(), tasksOpen: z.number(), tasksOverdue: z.number(),
      completionRate: z.number(), problemsClosed: z.number(), problemsOpen: z.number(),
      itemsCompleted: z.number(), itemsActive: z.number(), itemsCancelled: z.number(),
    }),
    outcomes: z.object({
      itemsEnded: z.number(), acceptedTasks: z.number(), acceptedLate: z.number(), reworks: z.number(), escalations: z.number(),
      maxEscalationLevel: z.number(), extensionsApproved: z.number(), pauses: z.number(), pausedWorkingDays: z.number(),
    }).describe('the outcomes of the plan\'s ended items, added up'),
    lists: z.object({
      problems: z.array(z.object({ itemId: z.string(), id: z.string(), description: z.string(), severity: SeveritySchema, status: z.enum(['open', 'closed']), closedAt: nullableTime })),
      tasks: z.array(z.object({ itemId: z.string(), id: z.string(), problemIds: z.array(z.string()), description: z.string(), measures: nullableText, status: TaskStatusSchema })),
      responsibilities: z.array(z.object({ taskId: z.string(), itemId: z.string(), ownerUnit: z.string(), ownerPerson: z.string(), coOwners: z.array(z.string()) })),
      timeLimits: z.array(z.object({ taskId: z.string(), itemId: z.string(), dueAt: IsoDateTimeSchema, originalDueAt: IsoDateTimeSchema, basis: z.string() })),
    }),
  })
  .meta({ id: 'PlanReport', description: 'The figures a plan report leads with, completion, and the four lists across its items' });

const DispatchLineSchema = z.object({
  taskId: z.string(), ownerUnit: z.string(), coOwners: z.array(z.string()), ownerPerson: z.string(), status: TaskStatusSchema,
  percent: z.number(), lastProgressAt: IsoDateTimeSchema.optional(), dueAt: IsoDateTimeSchema,
  msToDeadline: z.number(), light: LightSchema, stale: z.boolean(),
});

export const DispatchListSchema = z
  .object({ dispatches: z.array(z.object({
    itemId: z.string(), seq: z.number().int(), at: IsoDateTimeSchema, openTasks: z.number().int(), staleTasks: z.number().int(),
    overdueTasks: z.number().int(), lines: z.array(DispatchLineSchema),
  })) })
  .meta({ id: 'DispatchList', description: '一周一调度: weekly dispatch records' });

export const ReviewListSchema = z
  .object({ reviews: z.array(z.object({
    itemId: z.string(), seq: z.number().int(), at: IsoDateTimeSchema, period: z.string(), figures: ReviewFiguresSchema,
    previous: ReviewFiguresSchema.optional(), completionRateChange: z.number().optional(),
  })) })
  .meta({ id: 'ReviewList', description: '一月一研判: monthly review records' });

const EscalationSchema = z
  .object({
    itemId: z.string(), taskId: z.string(), ownerUnit: z.string(), dueAt: IsoDateTimeSchema, rung: z.number().int(),
    level: z.number().int(), notify: z.array(RecipientRoleSchema), firedAt: IsoDateTimeSchema,
  })
  .meta({ id: 'Escalation' });

export const EscalationListSchema = z.object({ escalations: z.array(EscalationSchema) }).meta({ id: 'EscalationList' });

export const EscalationFeedSchema = z
  .object({
    escalations: z.array(EscalationSchema.extend({ ownerUnitName: z.string(), itemTitle: nullableText, planId: nullableText })),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'EscalationFeed' });

export const AuditListSchema = z
  .object({ events: z.array(z.object({
    itemId: z.string(), seq: z.number().int(), at: IsoDateTimeSchema,
    actor: z.object({ id: z.string(), name: z.string(), role: z.string(), unit: z.string().optional() }),
    action: z.string(), requestId: z.string().optional(), taskId: z.string().optional(), details: z.record(z.string(), z.unknown()),
  })) })
  .meta({ id: 'AuditList', description: 'Who did what, when' });

export const NotificationListSchema = z
  .object({ notifications: z.array(z.object({
    key: z.string(), itemId: z.string(), taskId: z.string().optional(), kind: z.string(), recipientRole: RecipientRoleSchema,
    recipient: z.string(), reason: z.string(), level: z.number().int().optional(), firedAt: IsoDateTimeSchema,
    dueAt: IsoDateTimeSchema.optional(), createdAt: IsoDateTimeSchema,
    deliveredAt: nullableTime.describe('when it first reached one of its channels (GET /items/:id/deliveries tells each channel)'),
  })) })
  .meta({ id: 'NotificationList' });

export const UnitTasksSchema = z
  .object({ unit: z.string(), unitName: z.string(), tasks: z.array(z.object({
    itemId: z.string(), itemTitle: z.string(), planId: nullableText, taskId: z.string(), description: z.string(),
    status: TaskStatusSchema, light: LightSchema, percent: z.number(), ownerPerson: z.string(), coOwners: z.array(z.string()),
    dueAt: IsoDateTimeSchema, originalDueAt: IsoDateTimeSchema, escalationLevel: z.number().int(), stale: z.boolean(),
    lastProgressAt: nullableTime,
  })) })
  .meta({ id: 'UnitTasks' });

export const UnitRankingSchema = z
  .object({ planId: nullableText, units: z.array(z.object({
    rank: z.number().int(), ownerUnit: z.string(), unitName: z.string(), totalTasks: z.number().int(), acceptedTasks: z.number().int(),
    completionRate: z.number(), overdueTasks: z.number().int(), escalations: z.number().int(), reworks: z.number().int(),
  })) })
  .meta({ id: 'UnitRanking', description: 'Units by completion rate, then overdue tasks, then escalations' });

export const HealthSchema = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'unavailable'])).optional() })
  .meta({ id: 'Health' });

export const ProblemDetailsSchema = z
  .object({
    type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), code: z.string(), requestId: z.string(),
    errors: z.array(z.object({
      path: z.string(), message: z.string(),
      row: z.number().int().optional().describe('a spreadsheet upload: the 1-based row of the mistake'),
      column: z.string().optional().describe('a spreadsheet upload: the header of its column'),
    })).optional(),
    errorsTotal: z.number().int().optional().describe('a spreadsheet upload: how many mistakes there are in all; `errors` lists the first 200'),
  })
  .meta({ id: 'ProblemDetails', description: 'RFC 9457 problem details with a stable `code` and the request id' });

export const StuckReportSchema = z
  .object({
    saveFailures: z.array(z.object({
      itemId: z.string(), attempts: z.number().int(), lastError: z.string(), firstFailedAt: IsoDateTimeSchema, lastFailedAt: IsoDateTimeSchema,
    })),
    failingWorkflowTasks: z.array(z.object({ itemId: z.string(), problems: z.array(z.string()) })),
    notRunning: z.array(z.object({ itemId: z.string(), workflowStatus: z.string() })),
    truncated: z.boolean(),
  })
  .meta({ id: 'StuckReport' });
