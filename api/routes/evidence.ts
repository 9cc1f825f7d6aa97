/**
 * Evidence files (佐证材料): an owner unit uploads photos and documents to its
 * task, then lists their `evidence:<id>` references in a progress report or a
 * submission (whose `evidence` stays a list of strings). Bytes go to the
 * evidence store under their SHA-256; rights are in api/evidence/rights.ts.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { countTaskEvidence, findTaskEvidence, getEvidence, listTaskEvidence, recordEvidence, type EvidenceFile } from '../../db/repositories/evidence-files';
import { DomainError } from '../../domain/errors';
import { contentDisposition, FILE_NAME_HEADER, fileNameFrom } from '../evidence/file-name';
import { EVIDENCE_TYPES, isEvidenceType, mediaTypeOf, shownInline } from '../evidence/file-types';
import { assertMayReadTask, assertMayUpload, mayReadTask } from '../evidence/rights';
import { ApiProblem } from '../http/api-problem';
import { defineRoute, type RouteSpec } from '../http/route';
import { EvidenceFileSchema, EvidenceListSchema, EvidenceParamsSchema } from '../schemas/evidence';
import { TaskParamsSchema } from '../schemas/params';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;

export const evidenceRef = (id: string) => `evidence:${id}`;

function answerOf(file: EvidenceFile) {
  return { ...file, ref: evidenceRef(file.id) };
}

/** Missing, or not the caller's to see: the same answer, so nothing can be probed. */
const noSuchEvidence = (id: string) => new DomainError('NOT_FOUND', `no evidence '${id}'`);

export const evidenceRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/items/:id/tasks/:taskId/evidence',
    operationId: 'uploadEvidence',
    summary: 'Upload an evidence file to a task',
    description:
      'The body is the file itself, sent with its own Content-Type (one of the listed types; anything else is 415) and its name in ' +
      '`X-File-Name`, percent-encoded UTF-8. At most `EVIDENCE_MAX_BYTES` (20 MiB by default; 413 past it). Only the task\'s owner unit and ' +
      'its co-owner units (and admins) upload, while the task takes progress reports or a submission (409 otherwise); to anyone else the ' +
      'task answers like a missing one. The answer\'s `ref` (`evidence:<id>`) goes into the `evidence` list of a progress report or submission. ' +
      'The bytes are stored once per content (SHA-256); the same content under the same name to the same task again answers the earlier ' +
      'file (200) and adds nothing. A task holds at most `EVIDENCE_MAX_FILES_PER_TASK` files (200 by default; 422 past it).',
    tag: 'Evidence',
    roles: ['owner', 'admin'],
    params: TaskParamsSchema,
    headers: [{ name: FILE_NAME_HEADER, required: true, description: 'the file\'s name, percent-encoded UTF-8 (encodeURIComponent)' }],
    fileBody: { contentTypes: EVIDENCE_TYPES, limit: (config) => config.EVIDENCE_MAX_BYTES },
    response: { status: 201, description: 'stored', schema: EvidenceFileSchema },
    alsoAnswers: [{ status: 200, description: 'this task already had this file under this name: that file', schema: EvidenceFileSchema }],
    errors: [404, 409, 413, 415, 422],
    handler: async (ctx) => {
      const { id: itemId, taskId } = ctx.params;
      const { actor, deps, req, res } = ctx;
      // rights first: a caller who may not upload learns nothing about what they sent
      await assertMayUpload(deps, actor, itemId, taskId);
      const contentType = mediaTypeOf(req.get('content-type'));
      if (!isEvidenceType(contentType)) {
        throw new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE',
          `evidence must be a photo, a PDF or OFD, an office document, text, a ZIP or an MP4 video, sent with its own Content-Type; got '${(contentType ?? 'none').slice(0, 80)}'`);
      }
      const name = fileNameFrom(req.get(FILE_NAME_HEADER));
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (bytes.length === 0) throw new ApiProblem(400, 'BAD_REQUEST', 'the body is empty: send the file\'s bytes');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // bounded like everything else (two uploads racing past the last place may both land: one over at most)
      const held = await countTaskEvidence(deps.pool, itemId, taskId);
      if (held >= deps.config.EVIDENCE_MAX_FILES_PER_TASK && !(await findTaskEvidence(deps.pool, itemId, taskId, sha256, name))) {
        throw new DomainError('VALIDATION_FAILED', `task ${taskId} holds ${held} evidence files, the most a task takes (EVIDENCE_MAX_FILES_PER_TASK)`, { taskId });
      }
      // the blob before its row: a row never names bytes the store does not hold
      await deps.evidence.put(sha256, bytes, contentType!);
      const { file, created } = await recordEvidence(deps.pool, {
        itemId, taskId, sha256, name, contentType: contentType!, size: bytes.length,
        uploadedBy: { id: actor.id, name: actor.name }, unit: actor.unit,
      });
      ctx.log.info({ itemId, taskId, evidence: file.id, sha256, size: file.size, created }, 'evidence uploaded');
      res.location(`/evidence/${file.id}`);
      if (!created) {
        res.status(200).json(answerOf(file));
        return undefined;
      }
      return answerOf(file);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/items/:id/tasks/:taskId/evidence',
    operationId: 'listEvidence',
    summary: 'The evidence files of a task',
    description: 'Oldest first, every one (a task holds at most `EVIDENCE_MAX_FILES_PER_TASK`, 200 by default). Everyone who may read the task: leaders, supervisors, admins, and the units the task is theirs to do.',
    tag: 'Evidence',
    roles: ALL_ROLES,
    params: TaskParamsSchema,
    response: { status: 200, description: 'the files\' metadata', schema: EvidenceListSchema },
    errors: [404],
    handler: async (ctx) => {
      const { id: itemId, taskId } = ctx.params;
      await assertMayReadTask(ctx.deps, ctx.actor, itemId, taskId);
      return { files: (await listTaskEvidence(ctx.deps.pool, itemId, taskId)).map(answerOf) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/evidence/:id',
    operationId: 'downloadEvidence',
    summary: 'Download an evidence file',
    description:
      'The file with its stored Content-Type, its name in Content-Disposition (inline for photos, attachment otherwise) and its SHA-256 as ' +
      'the ETag (`If-None-Match` answers 304). Only to those who may read its task; to anyone else it answers exactly like a missing file.',
    tag: 'Evidence',
    roles: ALL_ROLES,
    params: EvidenceParamsSchema,
    response: { status: 200, description: 'the file\'s bytes', contentType: 'application/octet-stream' },
    alsoAnswers: [{ status: 304, description: 'not modified (If-None-Match named its ETag)' }],
    errors: [404],
    handler: async (ctx) => {
      const { deps, actor, req, res } = ctx;
      const file = await getEvidence(deps.pool, ctx.params.id);
      if (!file || !(await mayReadTask(deps, actor, file.itemId, file.taskId))) throw noSuchEvidence(ctx.params.id);
      const etag = `"${file.sha256}"`;
      res.set({
        ETag: etag,
        // rights can change (a reassignment): every read asks again
        'Cache-Control': 'private, no-cache',
        'X-Content-Type-Options': 'nosniff',
        // opened in a tab, nothing in it may run or reach out
        'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      });
      const ifNoneMatch = req.get('if-none-match');
      if (ifNoneMatch !== undefined && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(etag)) {
        res.status(304).end();
        return undefined;
      }
      const blob = await deps.evidence.get(file.sha256);
      if (!blob) throw new Error(`evidence ${file.id}: the store holds no blob ${file.sha256}`);
      res.status(200).set({
        'Content-Length': String(file.size),
        'Content-Disposition': contentDisposition(shownInline(file.contentType) ? 'inline' : 'attachment', file.name),
      });
      // exactly the stored type (Express' set() would add a charset to text types)
      res.setHeader('Content-Type', file.contentType);
      try {
        await pipeline(blob.body, res);
      } catch (err) {
        // the status is sent: a client that went away is no fault, a store that broke off is logged; either way the socket ends
        const clientGone = (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
        if (clientGone) ctx.log.debug({ evidence: file.id }, 'evidence download ended by the client');
        else ctx.log.warn({ evidence: file.id, err }, 'evidence download broke off');
        res.destroy();
      }
      return undefined;
    },
  }),
];
