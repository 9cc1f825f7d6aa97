/**
 * The body of POST /items, validated into the domain's ItemInput. Cross-field
 * rules (ids unique, every task points at real problems, every problem has a
 * task, the ladder climbs) are checked here so a bad item never reaches Temporal.
 */
import { z } from 'zod';
import { tryParseDuration } from '../../domain/duration';
import type { ItemInput } from '../../domain/types';
import {
  DeadlineSpecSchema,
  DurationSchema,
  IdSchema,
  PersonRefSchema,
  RecipientRoleSchema,
  SeveritySchema,
  ShortTextSchema,
  SupervisionLevelSchema,
  TextSchema,
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
  .object({ after: DurationSchema, level: z.number().int().min(1).max(10), notify: z.array(RecipientRoleSchema).min(1) })
  .meta({ id: 'EscalationRung', description: '`after` is an ISO-8601 duration after the deadline (PT0S = at the deadline)' });

export const ItemPolicySchema = z
  .object({
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai'),
    weeklyDispatch: z.object({ weekday: z.number().int().min(1).max(7), time: TimeOfDaySchema }),
    monthlyReview: z.object({ day: z.number().int().min(1).max(28), time: TimeOfDaySchema }),
    warningLead: DurationSchema,
    escalationLadder: z.array(EscalationRungSchema).min(1).max(10),
  })
  .partial()
  .superRefine((policy, ctx) => {
    const ladder = policy.escalationLadder ?? [];
    ladder.forEach((rung, i) => {
      const prev = ladder[i - 1];
      if (!prev) return;
      if ((tryParseDuration(rung.after) ?? 0) <= (tryParseDuration(prev.after) ?? 0)) {
        ctx.addIssue({ code: 'custom', path: ['escalationLadder', i, 'after'], message: 'rungs must come later than the one before' });
      }
      if (rung.level <= prev.level) {
        ctx.addIssue({ code: 'custom', path: ['escalationLadder', i, 'level'], message: 'levels must rise from rung to rung' });
      }
    });
  })
  .meta({ id: 'ItemPolicy', description: 'Every field is optional; missing ones take the defaults (Asia/Shanghai, Monday 09:00, the 1st 09:00, P3D, the standard ladder)' });

export const ProblemInputSchema = z
  .object({ id: IdSchema, description: TextSchema, severity: SeveritySchema })
  .meta({ id: 'ProblemInput' });

export const TaskInputSchema = z
  .object({
    id: IdSchema,
    problemIds: z.array(IdSchema).min(1),
    description: TextSchema,
    measures: TextSchema.optional(),
    ownerUnit: ShortTextSchema,
    ownerPerson: ShortTextSchema,
    coOwners: z.array(ShortTextSchema).max(20).optional(),
    deadline: DeadlineSpecSchema,
  })
  .meta({ id: 'TaskInput' });

function duplicates(ids: string[]): Set<string> {
  const seen = new Set<string>();
  return new Set(ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false))));
}

export const ItemInputSchema = z
  .object({
    id: IdSchema.optional().describe('client-chosen id; generated when absent. The same id twice is refused (409)'),
    planId: IdSchema.optional(),
    title: ShortTextSchema,
    source: ShortTextSchema.optional(),
    category: ShortTextSchema.optional(),
    supervisionLevel: SupervisionLevelSchema.default('none'),
    leader: PersonRefSchema,
    problems: z.array(ProblemInputSchema).min(1).max(500),
    tasks: z.array(TaskInputSchema).min(1).max(1000),
    policy: ItemPolicySchema.optional(),
  })
  .superRefine((item, ctx) => {
    const problemIds = new Set(item.problems.map((p) => p.id));
    const dupProblems = duplicates(item.problems.map((p) => p.id));
    item.problems.forEach((p, i) => {
      if (dupProblems.has(p.id)) ctx.addIssue({ code: 'custom', path: ['problems', i, 'id'], message: `duplicate problem id '${p.id}'` });
    });
    const dupTasks = duplicates(item.tasks.map((t) => t.id));
    const covered = new Set<string>();
    item.tasks.forEach((t, i) => {
      if (dupTasks.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id '${t.id}'` });
      t.problemIds.forEach((pid, j) => {
        covered.add(pid);
        if (!problemIds.has(pid)) {
          ctx.addIssue({ code: 'custom', path: ['tasks', i, 'problemIds', j], message: `no problem with id '${pid}'` });
        }
      });
    });
    item.problems.forEach((p, i) => {
      if (!covered.has(p.id)) ctx.addIssue({ code: 'custom', path: ['problems', i], message: `problem '${p.id}' has no task` });
    });
  })
  .meta({ id: 'ItemInput' });

export type ItemInputBody = z.output<typeof ItemInputSchema>;

/** The domain input once the id is settled (client-supplied or generated). */
export function toItemInput(body: ItemInputBody, id: string): ItemInput {
  return { ...body, id };
}
