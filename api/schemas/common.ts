/** Small zod building blocks shared by the request and response schemas. */
import { z } from 'zod';
import { isValidDuration } from '../../domain/duration';
import { SEVERITIES, SUPERVISION_LEVELS, type Severity, type SupervisionLevel } from '../../domain/types';

/** Client-chosen ids travel in URLs and workflow ids: keep them to a safe alphabet. */
export const IdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - (starting with a letter or digit)');

export const TextSchema = z.string().trim().min(1).max(2000);
export const ShortTextSchema = z.string().trim().min(1).max(200);
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

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
    z.object({ kind: z.literal('instant'), at: IsoDateTimeSchema }),
    z.object({ kind: z.literal('workingDays'), days: z.number().int().min(1).max(3650) }),
  ])
  .meta({ id: 'DeadlineSpec', description: 'A fixed instant (with its UTC offset), or N working days from assignment on the Chinese statutory calendar' });

export const PersonRefSchema = z.object({ id: ShortTextSchema, name: ShortTextSchema }).meta({ id: 'PersonRef' });

export const EvidenceSchema = z.array(z.string().trim().min(1).max(1000)).max(50);
