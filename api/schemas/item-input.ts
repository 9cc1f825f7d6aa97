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

export const EscalationRungSchema = z
  .object({ after: DurationSchema, level: z.number().int().min(1).max(10), notify: z.array(RecipientRoleSchema).min(1).max(4) })
  .meta({ id: 'EscalationRung', description: '`after` is an ISO-8601 duration after the deadline (PT0S = at the deadline)' });

export const ItemPolicySchema = z
  .object({
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai'),
    weeklyDispatch: z.object({ weekday: z.number().int().min(1).max(7), time: TimeOfDaySchema }),
    monthlyReview: z.object({ day: z.number().int().min(1).max(28), time: TimeOfDaySchema }),
    warningLead: DurationSchema,
    escalationLadder: z.array(EscalationRungSchema).min(1).max(10),
  })
  .partial()
  .meta({
    id: 'ItemPolicy',
    description: 'Every field is optional; missing ones take the defaults (Asia/Shanghai, Monday 09:00, the 1st 09:00, P3D, the standard ladder). Rungs must come strictly later and not lower in level than the one before.',
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
