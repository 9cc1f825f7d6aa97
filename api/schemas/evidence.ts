/** Evidence files: what an upload answers and a task's list shows. */
import { z } from 'zod';
import { EVIDENCE_ID_PATTERN } from '../../db/repositories/evidence-files';

export const EvidenceParamsSchema = z.object({
  id: z.string().regex(EVIDENCE_ID_PATTERN, 'an evidence id as an upload answered it (ev_…)'),
});

export const EvidenceFileSchema = z
  .object({
    id: z.string(),
    /** what a progress report or a submission lists in its `evidence` */
    ref: z.string().describe('`evidence:<id>`: put it into the `evidence` list of a progress report or submission'),
    itemId: z.string(),
    taskId: z.string(),
    sha256: z.string().describe('hex SHA-256 of the bytes; also the download\'s ETag'),
    name: z.string(),
    contentType: z.string(),
    size: z.number().int().describe('bytes'),
    uploadedBy: z.object({ id: z.string(), name: z.string() }),
    unit: z.string().optional().describe('the uploader\'s unit'),
    uploadedAt: z.string(),
  })
  .meta({ id: 'EvidenceFile' });

export const EvidenceListSchema = z.object({ files: z.array(EvidenceFileSchema) }).meta({ id: 'EvidenceList' });
