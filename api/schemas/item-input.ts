/**
 * The body of POST /items and of the problems and tasks added later, validated
 * into the domain's ItemInput. zod checks shape and the text rule; the
 * business rules (ids unique, every task points at real problems, every
 * problem has a task, the ladder climbs, the item fits its budget) are the
 * domain's alone (domain/create-item.ts, domain/policy.ts): 422 when broken.
 */
import { z } from 'zod';
import { LIMITS } from '../../domain/limits';
import type { ItemInput } from '../../domain/types';
import {
  DeadlineSpecSchema,
  DurationSchema,
  IdSchema,
  NameSchema,
  PersonRefSchema,
  RecipientRoleSchema,
  SeveritySchema,
  ShortTextSchema,
  SupervisionLevelSchema,
  TextSchema,
  UnitListSchema,
} from './common';

const TimeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const OffsetSchema = z
  .union([
    DurationSchema,
    z.object({ workingDays: z.number().int().min(1).max(250), at: TimeOfDaySchema.optional() }).strict(),
  ])
  .meta({
    id: 'Offset',
    description: 'An ISO-8601 duration (calendar time, e.g. "P3D"; "PT0S" = at once), or `{workingDays: N, at?: "HH:MM"}`: the local time `at` (default 09:00) on the Nth working day of the item\'s holiday calendar, counted from the day after (or, for a warning lead, before) the reference day.',
  });

export const EscalationRungSchema = z
  .object({ after: OffsetSchema, level: z.number().int().min(1).max(10), notify: z.array(RecipientRoleSchema).min(1).max(4) })
  .meta({ id: 'EscalationRung', description: '`after` the deadline: a duration (PT0S = at the deadline) or working days' });

const ReviewRungSchema = z
  .object({ after: OffsetSchema, notify: z.array(z.enum(['itemLeader', 'supervisionOffice'])).min(1).max(2) })
  .meta({ id: 'ReviewRung', description: 'a reminder `after` the submission while the leader has not decided' });

export const OfficeRulesSchema = z
  .object({
    roundsOnWorkingDays: z.boolean(),
    staleMinWorkingDays: z.number().int().min(0).max(5),
    reviewLadder: z.array(ReviewRungSchema).max(10),
    followUp: z.object({ after: OffsetSchema }).strict(),
  })
  .partial()
  .strict()
  .meta({
    id: 'OfficeRules',
    description: 'Time as an office counts it. Defaults: rounds on a holiday or weekend move to the next working day (roundsOnWorkingDays true); a task is stale at a dispatch only if the week held at least 3 working days; a task submitted waits with its owner\'s clock stopped while the leader is reminded after 3 working days and escalated to (with the supervision office) after 5; no follow-up check unless `followUp` is set.',
  });

export const ItemPolicySchema = z
  .object({
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai'),
    weeklyDispatch: z.object({ weekday: z.number().int().min(1).max(7), time: TimeOfDaySchema }),
    monthlyReview: z.object({ day: z.number().int().min(1).max(28), time: TimeOfDaySchema }),
    warningLead: OffsetSchema,
    escalationLadder: z.array(EscalationRungSchema).min(1).max(10),
    office: OfficeRulesSchema,
  })
  .partial()
  .meta({
    id: 'ItemPolicy',
    description: 'Every field is optional; missing ones take the defaults: Asia/Shanghai, dispatch Monday 09:00, review on the 1st 09:00, the warning 3 working days before the deadline, the ladder level 1 at the deadline (owner unit), level 2 after 3 working days (unit leader), level 3 after 5 working days (item leader and supervision office), and the office rules. Rungs must come strictly later and not lower in level than the one before, and a ladder counts in one kind of time (after a first rung at PT0S, all durations or all working days).',
  });

export const ProblemInputSchema = z
  .object({ id: IdSchema, description: TextSchema, severity: SeveritySchema })
  .meta({ id: 'ProblemInput' });

export const TaskInputSchema = z
  .object({
    id: IdSchema,
    problemIds: z.array(IdSchema).min(1).max(LIMITS.problemIdsPerTask),
    description: TextSchema,
    measures: TextSchema.optional(),
    ownerUnit: NameSchema,
    ownerPerson: NameSchema,
    coOwners: UnitListSchema.optional(),
    deadline: DeadlineSpecSchema,
  })
  .meta({ id: 'TaskInput' });

export const ItemInputSchema = z
  .object({
    id: IdSchema.optional().describe('client-chosen id; generated when absent. The same id twice is refused (409)'),
    planId: IdSchema.optional(),
    title: ShortTextSchema,
    source: ShortTextSchema.optional(),
    category: ShortTextSchema.optional(),
    supervisionLevel: SupervisionLevelSchema.default('none'),
    leader: PersonRefSchema,
    problems: z.array(ProblemInputSchema).min(1).max(LIMITS.problemsPerItem),
    tasks: z.array(TaskInputSchema).min(1).max(LIMITS.tasksPerItem),
    policy: ItemPolicySchema.optional(),
  })
  .meta({ id: 'ItemInput' });

export type ItemInputBody = z.output<typeof ItemInputSchema>;

/** The domain input once the id is settled (client-supplied or generated). */
export function toItemInput(body: ItemInputBody, id: string): ItemInput {
  return { ...body, id };
}
