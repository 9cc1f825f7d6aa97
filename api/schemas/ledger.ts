/** The Excel ledger's routes: their parameters and the import job as it is answered. */
import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema } from './common';

export const ImportParamsSchema = z.object({ id: IdSchema, importId: z.uuid() });

// Years 2000–2099 and real month and day numbers in the pattern itself; a day the month lacks (02-30) is a 422.
const DAY = /^20\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^20\d{2}-(0[1-9]|1[0-2])$/;

const week = z.string().regex(DAY, 'must be a date YYYY-MM-DD').describe('any day of the week (Monday to Sunday, China time); the current week when absent');

export const DispatchNoticeQuerySchema = z.object({ week: week.optional() });
export const ReviewReportQuerySchema = z.object({
  month: z.string().regex(MONTH, 'must be a month YYYY-MM').optional().describe('the month reviewed; the previous month when absent'),
});
export const RankingNoticeQuerySchema = z.object({
  week: week.optional(),
  month: z.string().regex(MONTH, 'must be a month YYYY-MM').optional().describe('rank over a month instead of a week (not both)'),
});
export const ImportListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const FieldChangeSchema = z.object({ field: z.string(), before: z.string(), after: z.string() });
const KeyTitleSchema = z.object({ key: z.string(), title: z.string() });

export const ImportDiffSchema = z
  .object({
    summary: z.string(),
    itemsAdded: z.array(KeyTitleSchema),
    itemsUnchanged: z.number().int(),
    itemsChanged: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        changes: z.array(FieldChangeSchema),
        problemsAdded: z.array(z.string()),
        problemsRemoved: z.array(z.string()),
        problemsChanged: z.array(z.object({ id: z.string(), changes: z.array(FieldChangeSchema) })),
        tasksAdded: z.array(z.string()),
        tasksRemoved: z.array(z.string()),
        tasksChanged: z.array(z.object({ id: z.string(), changes: z.array(FieldChangeSchema) })),
      }),
    ),
    itemsNotInFile: z.array(KeyTitleSchema),
  })
  .meta({
    id: 'LedgerImportDiff',
    description: 'What the file changes against the plan\'s earlier imports. Only added items are created; changed items are reported and not applied; items not in the file are left alone.',
  });

const nullableTime = IsoDateTimeSchema.nullable();

export const LedgerImportSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    fingerprint: z.string(),
    file: z.object({ sha256: z.string(), bytes: z.number().int() }),
    items: z.object({
      total: z.number().int().describe('items this import creates'),
      created: z.number().int(),
      failed: z.number().int(),
      pending: z.number().int(),
      unchanged: z.number().int().describe('imported before with the same content: not created again'),
      changed: z.number().int().describe('imported before with other content: reported in diff, not applied'),
    }),
    progress: z.number().min(0).max(1),
    diff: ImportDiffSchema,
    createdBy: z.object({ id: z.string(), name: z.string() }),
    attempts: z.number().int(),
    createdAt: IsoDateTimeSchema,
    startedAt: nullableTime,
    finishedAt: nullableTime,
    updatedAt: IsoDateTimeSchema,
  })
  .meta({ id: 'LedgerImport', description: 'An import job: poll it until status is succeeded or failed' });

export const LedgerImportDetailSchema = LedgerImportSchema.extend({
  failures: z.array(
    z.object({ itemId: z.string(), itemKey: z.string(), row: z.number().int(), code: z.string(), message: z.string() }),
  ),
}).meta({ id: 'LedgerImportDetail', description: 'An import job with the items it could not create (first 1,000)' });

export const LedgerImportAnswerSchema = z
  .object({
    import: LedgerImportSchema,
    duplicate: z.boolean().describe('the same content was imported into this plan before: nothing new is created'),
    retried: z.number().int().describe('items of that earlier import that had failed and are tried again'),
  })
  .meta({ id: 'LedgerImportAnswer' });

export const LedgerImportListSchema = z.object({ imports: z.array(LedgerImportSchema) }).meta({ id: 'LedgerImportList' });
