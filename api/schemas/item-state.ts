/** The live state of an item, as the workflow returns it: the response of every item action. */
import { z } from 'zod';
import {
  DeadlineSpecSchema,
  IsoDateTimeSchema,
  ItemStatusSchema,
  PersonRefSchema,
  SeveritySchema,
  SupervisionLevelSchema,
  TaskStatusSchema,
} from './common';
import { EscalationRungSchema } from './item-input';

const ProgressReportSchema = z.object({
  at: IsoDateTimeSchema, by: z.string(), text: z.string(), percent: z.number(), evidence: z.array(z.string()),
});

const ExtensionRequestSchema = z.object({
  requestedAt: IsoDateTimeSchema,
  requestedBy: z.string(),
  newDeadline: DeadlineSpecSchema,
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'denied']),
  decidedAt: IsoDateTimeSchema.optional(),
  decidedBy: z.string().optional(),
  note: z.string().optional(),
  resolvedDueAt: IsoDateTimeSchema.optional(),
});

export const TaskStateSchema = z
  .object({
    id: z.string(),
    problemIds: z.array(z.string()),
    description: z.string(),
    measures: z.string().optional(),
    ownerUnit: z.string(),
    ownerPerson: z.string(),
    coOwners: z.array(z.string()),
    status: TaskStatusSchema,
    assignedAt: IsoDateTimeSchema,
    deadline: z.object({ dueAt: IsoDateTimeSchema, spec: DeadlineSpecSchema, resolvedAt: IsoDateTimeSchema, basis: z.string() }),
    originalDueAt: IsoDateTimeSchema,
    percent: z.number(),
    lastProgressAt: IsoDateTimeSchema.optional(),
    lastReport: ProgressReportSchema.optional(),
    reportCount: z.number().int(),
    submission: z
      .object({ at: IsoDateTimeSchema, by: z.string(), evidence: z.array(z.string()), note: z.string().optional() })
      .optional(),
    reworkCount: z.number().int(),
    extensions: z.array(ExtensionRequestSchema),
    alarms: z.object({ dueAt: IsoDateTimeSchema, warned: z.boolean(), overdue: z.boolean(), rungsFired: z.number().int() }),
    escalationLevel: z.number().int(),
    stale: z.boolean(),
    acceptedAt: IsoDateTimeSchema.optional(),
    acceptedBy: z.string().optional(),
    cancelledAt: IsoDateTimeSchema.optional(),
    cancelReason: z.string().optional(),
  })
  .meta({ id: 'TaskState' });

export const ProblemStateSchema = z
  .object({
    id: z.string(),
    description: z.string(),
    severity: SeveritySchema,
    status: z.enum(['open', 'closed']),
    closedAt: IsoDateTimeSchema.optional(),
  })
  .meta({ id: 'ProblemState' });

export const ReviewFiguresSchema = z
  .object({
    totalTasks: z.number(), acceptedTasks: z.number(), cancelledTasks: z.number(), completionRate: z.number(),
    openProblems: z.number(), overdueCount: z.number(), escalationsThisPeriod: z.number(),
    reworksThisPeriod: z.number(), risk: z.enum(['low', 'medium', 'high']),
  })
  .meta({ id: 'ReviewFigures' });

export const ItemStateSchema = z
  .object({
    id: z.string(),
    planId: z.string().optional(),
    title: z.string(),
    source: z.string().optional(),
    category: z.string().optional(),
    supervisionLevel: SupervisionLevelSchema,
    leader: PersonRefSchema,
    policy: z.object({
      timezone: z.string(),
      weeklyDispatch: z.object({ weekday: z.number().int(), time: z.string() }),
      monthlyReview: z.object({ day: z.number().int(), time: z.string() }),
      warningLead: z.string(),
      escalationLadder: z.array(EscalationRungSchema),
    }),
    status: ItemStatusSchema,
    createdAt: IsoDateTimeSchema,
    createdBy: z.string(),
    updatedAt: IsoDateTimeSchema,
    completedAt: IsoDateTimeSchema.optional(),
    cancelledAt: IsoDateTimeSchema.optional(),
    cancelReason: z.string().optional(),
    problems: z.array(ProblemStateSchema),
    tasks: z.array(TaskStateSchema),
    schedule: z.object({
      nextDispatchAt: IsoDateTimeSchema,
      nextReviewAt: IsoDateTimeSchema,
      dispatchCount: z.number().int(),
      reviewCount: z.number().int(),
      lastDispatchAt: IsoDateTimeSchema.optional(),
      lastReviewAt: IsoDateTimeSchema.optional(),
      lastReview: ReviewFiguresSchema.optional(),
    }),
    counters: z.object({
      escalations: z.number().int(), reworks: z.number().int(), escalationsSinceReview: z.number().int(),
      reworksSinceReview: z.number().int(), auditSeq: z.number().int(),
    }),
  })
  .meta({ id: 'ItemState', description: 'Live state from the item workflow. Owners see only their unit\'s tasks and the problems those address.' });

export const FourListsSchema = z
  .object({
    problems: z.array(ProblemStateSchema),
    tasks: z.array(z.object({
      id: z.string(), problemIds: z.array(z.string()), description: z.string(), measures: z.string().optional(), status: TaskStatusSchema,
    })),
    responsibilities: z.array(z.object({ taskId: z.string(), ownerUnit: z.string(), ownerPerson: z.string(), coOwners: z.array(z.string()) })),
    timeLimits: z.array(z.object({ taskId: z.string(), dueAt: IsoDateTimeSchema, originalDueAt: IsoDateTimeSchema, basis: z.string() })),
  })
  .meta({ id: 'FourLists', description: '四项清单: problems, tasks, responsibilities, time limits' });
