/** The item as the API answers it (from the read side), and the small result of every command. */
import { z } from 'zod';
import {
  DeadlineSpecSchema,
  IsoDateTimeSchema,
  ItemStatusSchema,
  LightSchema,
  PersonRefSchema,
  SeveritySchema,
  SupervisionLevelSchema,
  TaskStatusSchema,
} from './common';
import { EscalationRungSchema, OfficeRulesSchema, OffsetSchema } from './item-input';

const PendingExtensionSchema = z.object({
  requestedAt: IsoDateTimeSchema, newDeadline: DeadlineSpecSchema, proposedDueAt: IsoDateTimeSchema,
});

const AlarmsSchema = z.object({
  dueAt: IsoDateTimeSchema, warned: z.boolean(), overdue: z.boolean(), rungsFired: z.number().int(),
  reviewReminders: z.number().int().optional().describe('reminders the leader got while this submission waits'),
});

/** A task's fields the workflow keeps (the clock's view). */
const TaskCoreShape = {
  id: z.string(),
  problemIds: z.array(z.string()),
  ownerUnit: z.string(),
  ownerPerson: z.string(),
  coOwners: z.array(z.string()),
  status: TaskStatusSchema,
  assignedAt: IsoDateTimeSchema,
  originalDueAt: IsoDateTimeSchema,
  percent: z.number(),
  lastProgressAt: IsoDateTimeSchema.optional(),
  reportCount: z.number().int(),
  submittedAt: IsoDateTimeSchema.optional(),
  reworkCount: z.number().int(),
  pendingExtension: PendingExtensionSchema.optional(),
  extensionsApproved: z.number().int(),
  extensionsDenied: z.number().int(),
  alarms: AlarmsSchema,
  escalationLevel: z.number().int().describe('level against the current deadline; an approved extension re-arms the ladder'),
  maxEscalationLevel: z.number().int().describe('highest level ever reached'),
  stale: z.boolean(),
  acceptedAt: IsoDateTimeSchema.optional(),
  cancelledAt: IsoDateTimeSchema.optional(),
  pausedAt: IsoDateTimeSchema.optional().describe('the clock is paused (中止计时) since then'),
  pauses: z.number().int().optional().describe('how many times the clock was paused'),
  pausedWorkingDays: z.number().int().optional().describe('the working days pauses added to the deadline'),
};

const TaskDeadlineShape = {
  dueAt: IsoDateTimeSchema, spec: DeadlineSpecSchema, resolvedAt: IsoDateTimeSchema,
  provisional: z.literal(true).optional().describe('counted over a year whose holiday notice is not published yet: it may move when it is'),
  shiftedDays: z.number().int().optional().describe('working days pauses and review waits added'),
};

export const TaskStateSchema = z
  .object({ ...TaskCoreShape, deadline: z.object(TaskDeadlineShape) })
  .meta({ id: 'TaskState', description: 'A task as its workflow keeps it (no text)' });

export const TaskViewSchema = z
  .object({
    ...TaskCoreShape,
    ownerUnitName: z.string().describe('the owner unit\'s name in the directory'),
    coOwnerNames: z.array(z.string()),
    description: z.string(),
    measures: z.string().optional(),
    deadline: z.object({ ...TaskDeadlineShape, basis: z.string() }),
    light: LightSchema,
    lastReport: z
      .object({ at: IsoDateTimeSchema, by: z.string(), text: z.string(), percent: z.number(), evidence: z.array(z.string()) })
      .optional(),
    submission: z
      .object({ at: IsoDateTimeSchema, by: z.string(), evidence: z.array(z.string()), note: z.string().optional() })
      .optional(),
  })
  .meta({ id: 'TaskView' });

export const ProblemStateSchema = z
  .object({ id: z.string(), severity: SeveritySchema, status: z.enum(['open', 'closed']), closedAt: IsoDateTimeSchema.optional() })
  .meta({ id: 'ProblemState' });

export const ProblemViewSchema = ProblemStateSchema.extend({ description: z.string() }).meta({ id: 'ProblemView' });

export const ReviewFiguresSchema = z
  .object({
    totalTasks: z.number(), acceptedTasks: z.number(), cancelledTasks: z.number(), completionRate: z.number(),
    openProblems: z.number(), overdueCount: z.number(), escalationsThisPeriod: z.number(),
    reworksThisPeriod: z.number(), risk: z.enum(['low', 'medium', 'high']),
  })
  .meta({ id: 'ReviewFigures' });

export const ItemFiguresSchema = z
  .object({
    light: LightSchema, ownerUnits: z.array(z.string()), openTasks: z.number().int(), overdueTasks: z.number().int(),
    openProblems: z.number().int(), escalationLevel: z.number().int(), maxEscalationLevel: z.number().int(),
    nextDeadline: IsoDateTimeSchema.optional(),
  })
  .meta({ id: 'ItemFigures' });

export const ItemOutcomeSchema = z
  .object({
    itemId: z.string(), status: z.enum(['completed', 'cancelled']), endedAt: IsoDateTimeSchema, createdAt: IsoDateTimeSchema,
    problems: z.number().int(), tasks: z.number().int(), acceptedTasks: z.number().int(), cancelledTasks: z.number().int(),
    acceptedLate: z.number().int().describe('accepted tasks handed in after their original deadline (moved only by pauses and review waits)'),
    reworks: z.number().int(), escalations: z.number().int(), maxEscalationLevel: z.number().int().optional(),
    extensionsApproved: z.number().int(), pauses: z.number().int().optional(), pausedWorkingDays: z.number().int().optional(),
    dispatches: z.number().int(), reviews: z.number().int(),
  })
  .meta({ id: 'ItemOutcome', description: 'How the item went, once it has ended' });

export const ItemViewSchema = z
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
      warningLead: OffsetSchema,
      escalationLadder: z.array(EscalationRungSchema),
      office: OfficeRulesSchema.optional().describe('absent on items started before office rules existed'),
    }),
    status: ItemStatusSchema,
    createdAt: IsoDateTimeSchema,
    createdBy: z.string(),
    updatedAt: IsoDateTimeSchema,
    completedAt: IsoDateTimeSchema.optional(),
    cancelledAt: IsoDateTimeSchema.optional(),
    cancelReason: z.string().optional(),
    problems: z.array(ProblemViewSchema),
    tasks: z.array(TaskViewSchema),
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
    figures: ItemFiguresSchema,
    followUp: z.object({ since: IsoDateTimeSchema, dueAt: IsoDateTimeSchema, notified: z.boolean() }).optional()
      .describe('回头看: every task is done and the item waits for the leader to confirm nothing came back'),
    outcome: ItemOutcomeSchema.optional().describe('once the item has ended'),
    version: z.number().int().describe('the version the read side holds; commands answer the version they produced'),
    asOf: IsoDateTimeSchema.describe('workflow time of the last save: lights and figures are as of then'),
  })
  .meta({
    id: 'ItemView',
    description: 'An item from the read side. Owners see only the tasks their unit acts for and the problems those address.',
  });

export const CommandResultSchema = z
  .object({
    itemId: z.string(),
    version: z.number().int().describe('the item version this command produced; GET /items/{id}?minVersion= waits for it'),
    status: ItemStatusSchema,
    duplicate: z.boolean().describe('true when this request (same caller, key and body) was applied before'),
    task: TaskStateSchema.optional(),
    problem: ProblemStateSchema.optional(),
  })
  .meta({ id: 'CommandResult', description: 'What a command answers: small, whatever the item\'s size' });

export const FourListsSchema = z
  .object({
    problems: z.array(ProblemViewSchema),
    tasks: z.array(z.object({
      id: z.string(), problemIds: z.array(z.string()), description: z.string(), measures: z.string().optional(), status: TaskStatusSchema,
    })),
    responsibilities: z.array(z.object({ taskId: z.string(), ownerUnit: z.string(), ownerPerson: z.string(), coOwners: z.array(z.string()) })),
    timeLimits: z.array(z.object({ taskId: z.string(), dueAt: IsoDateTimeSchema, originalDueAt: IsoDateTimeSchema, basis: z.string() })),
  })
  .meta({ id: 'FourLists', description: '四项清单: problems, tasks, responsibilities, time limits' });
