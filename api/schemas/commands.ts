/** Bodies of the item and task action routes; each becomes one domain Command. */
import { z } from 'zod';
import { DeadlineSpecSchema, EvidenceSchema, NameSchema, TextSchema, UnitListSchema } from './common';
import { TaskInputSchema } from './item-input';

export const ReportProgressBodySchema = z
  .object({ text: TextSchema, percent: z.number().int().min(0).max(100), evidence: EvidenceSchema.optional() })
  .meta({ id: 'ReportProgressBody' });

export const SubmitTaskBodySchema = z
  .object({ evidence: EvidenceSchema.min(1, 'at least one piece of evidence is required'), note: TextSchema.optional() })
  .meta({ id: 'SubmitTaskBody' });

export const RequestExtensionBodySchema = z
  .object({ newDeadline: DeadlineSpecSchema, reason: TextSchema })
  .meta({ id: 'RequestExtensionBody' });

export const AcceptTaskBodySchema = z.object({ note: TextSchema.optional() }).meta({ id: 'AcceptTaskBody' });

export const SendBackTaskBodySchema = z.object({ reason: TextSchema }).meta({ id: 'SendBackTaskBody' });

export const DecideExtensionBodySchema = z
  .object({ approve: z.boolean(), note: TextSchema.optional() })
  .meta({ id: 'DecideExtensionBody' });

export const ReassignTaskBodySchema = z
  .object({ ownerUnit: NameSchema, ownerPerson: NameSchema, coOwners: UnitListSchema.optional() })
  .meta({ id: 'ReassignTaskBody' });

export const ReasonBodySchema = z.object({ reason: TextSchema }).meta({ id: 'ReasonBody' });

export const NoteBodySchema = z.object({ note: TextSchema.optional() }).meta({ id: 'NoteBody' });

export const ReopenProblemBodySchema = z
  .object({ reason: TextSchema, tasks: z.array(TaskInputSchema).min(1).max(20) })
  .meta({ id: 'ReopenProblemBody', description: 'the problem came back: why, and the new tasks that address it (each must list the problem)' });

/** Idempotency-Key: bound to the caller; a retry with the same key and request is applied once. */
export const IdempotencyKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/, 'use printable ASCII characters without spaces')
  .optional();
