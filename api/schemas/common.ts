/**
 * Small zod building blocks shared by the request and response schemas. Every
 * string a request carries goes through one of the text schemas here, built on
 * the domain's text rule (domain/text.ts) and limits (domain/limits.ts), so the
 * API and the workflow refuse exactly the same things.
 */
import { ISO_INSTANT } from '../../domain/deadline';
import { z } from 'zod';
import { isValidDuration } from '../../domain/duration';
import { LIMITS } from '../../domain/limits';
import { ACTOR_ID_PATTERN, ID_ALPHABET, ID_PATTERN, normalizeLineEnds, textRuleViolation, type TextKind } from '../../domain/text';
import { SEVERITIES, SUPERVISION_LEVELS, type Severity, type SupervisionLevel } from '../../domain/types';

function ruled(kind: TextKind) {
  return (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const problem = textRuleViolation(value, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

/** A single-line text: trimmed, 1..max characters, no control characters. */
export function lineSchema(max: number) {
  return z.string().trim().min(1).max(max).superRefine(ruled('singleLine'));
}

/** Client-chosen ids travel in URLs and workflow ids: a safe alphabet, bounded. */
export const IdSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(ID_PATTERN, `use ${ID_ALPHABET}`);

/** Multi-line text (descriptions, reports, reasons): Windows line ends become newlines; tabs and newlines allowed. */
export const TextSchema = z
  .string()
  .transform(normalizeLineEnds)
  .pipe(z.string().trim().min(1).max(LIMITS.textLength).superRefine(ruled('multiLine')));
export const ShortTextSchema = lineSchema(LIMITS.titleLength);
export const NameSchema = lineSchema(LIMITS.nameLength);
/** A person or actor id as tokens carry it: printable ASCII without spaces. */
export const ActorIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.actorIdLength)
  .regex(ACTOR_ID_PATTERN, 'use printable ASCII characters without spaces');

// the domain's own instant form (at most nanoseconds): the two layers never disagree on what parses
export const IsoDateTimeSchema = z.iso.datetime({ offset: true }).regex(ISO_INSTANT, 'use an ISO 8601 instant with at most 9 fractional digits');
/** An instant a request sets: with its offset, between 2000 and 2099. */
export const InstantSchema = IsoDateTimeSchema.refine((value) => {
  const ms = Date.parse(value);
  return ms >= LIMITS.earliestInstant && ms < LIMITS.latestInstant;
}, 'must lie between the years 2000 and 2099');

export const DurationSchema = z
  .string()
  .refine(isValidDuration, 'must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. P3D or PT30S');

export const SupervisionLevelSchema = z.enum(SUPERVISION_LEVELS as [SupervisionLevel, ...SupervisionLevel[]]).meta({ id: 'SupervisionLevel' });
export const SeveritySchema = z.enum(SEVERITIES as [Severity, ...Severity[]]).meta({ id: 'Severity' });
export const TaskStatusSchema = z.enum(['assigned', 'inProgress', 'submitted', 'accepted', 'cancelled']).meta({ id: 'TaskStatus' });
export const ItemStatusSchema = z.enum(['active', 'completed', 'cancelled']).meta({ id: 'ItemStatus' });
export const LightSchema = z.enum(['green', 'yellow', 'red', 'none']).meta({ id: 'Light' });
export const RecipientRoleSchema = z
  .enum(['ownerUnit', 'unitLeader', 'itemLeader', 'supervisionOffice'])
  .meta({ id: 'RecipientRole' });

export const DeadlineSpecSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('instant'), at: InstantSchema }),
    z.object({ kind: z.literal('workingDays'), days: z.number().int().min(1).max(3650) }),
  ])
  .meta({ id: 'DeadlineSpec', description: 'A fixed instant (with its UTC offset, years 2000–2099), or N working days from assignment on the Chinese statutory calendar' });

export const PersonRefSchema = z.object({ id: ActorIdSchema, name: NameSchema }).meta({ id: 'PersonRef' });

export const EvidenceSchema = z.array(lineSchema(LIMITS.evidenceLength)).max(LIMITS.evidencePerCommand);
export const UnitListSchema = z.array(NameSchema).max(LIMITS.coOwnersPerTask);
