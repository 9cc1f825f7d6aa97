/**
 * Evidence files' metadata (migration 010). Who may read a row is decided by
 * the API (api/evidence/rights.ts) from the task it belongs to.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

export interface EvidenceFile {
  id: string;
  itemId: string;
  taskId: string;
  sha256: string;
  name: string;
  contentType: string;
  size: number;
  uploadedBy: { id: string; name: string };
  unit?: string;
  uploadedAt: string;
}

export type NewEvidenceFile = Omit<EvidenceFile, 'id' | 'uploadedAt'>;

/** 'ev_' and 16 random bytes, URL-safe: unguessable, and short enough for an `evidence:<id>` reference. */
export const EVIDENCE_ID_PATTERN = /^ev_[A-Za-z0-9_-]{22}$/;
const newId = () => `ev_${randomBytes(16).toString('base64url')}`;

const COLUMNS = 'id, item_id, task_id, sha256, name, content_type, size, uploaded_by, uploaded_by_name, unit, uploaded_at';

function toFile(r: Record<string, any>): EvidenceFile {
  return {
    id: r.id, itemId: r.item_id, taskId: r.task_id, sha256: r.sha256, name: r.name, contentType: r.content_type,
    size: Number(r.size), uploadedBy: { id: r.uploaded_by, name: r.uploaded_by_name },
    ...(r.unit ? { unit: r.unit } : {}), uploadedAt: r.uploaded_at,
  };
}

/**
 * Records an upload. The same content under the same name to the same task is
 * the earlier row (`created: false`): a retried upload adds nothing.
 */
export async function recordEvidence(pool: Pool, file: NewEvidenceFile): Promise<{ file: EvidenceFile; created: boolean }> {
  const inserted = await pool.query(
    `INSERT INTO evidence_files (id, item_id, task_id, sha256, name, content_type, size, uploaded_by, uploaded_by_name, unit)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (item_id, task_id, sha256, name) DO NOTHING
     RETURNING ${COLUMNS}`,
    [newId(), file.itemId, file.taskId, file.sha256, file.name, file.contentType, file.size, file.uploadedBy.id, file.uploadedBy.name, file.unit ?? null],
  );
  if (inserted.rows[0]) return { file: toFile(inserted.rows[0]), created: true };
  return { file: (await findTaskEvidence(pool, file.itemId, file.taskId, file.sha256, file.name))!, created: false };
}

/** The task's file with this content under this name, if it has one. */
export async function findTaskEvidence(pool: Pool, itemId: string, taskId: string, sha256: string, name: string): Promise<EvidenceFile | undefined> {
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM evidence_files WHERE item_id = $1 AND task_id = $2 AND sha256 = $3 AND name = $4`,
    [itemId, taskId, sha256, name],
  );
  return rows[0] ? toFile(rows[0]) : undefined;
}

/** How many files a task holds. */
export async function countTaskEvidence(pool: Pool, itemId: string, taskId: string): Promise<number> {
  const { rows } = await pool.query('SELECT count(*) AS n FROM evidence_files WHERE item_id = $1 AND task_id = $2', [itemId, taskId]);
  return Number(rows[0].n);
}

export async function getEvidence(pool: Pool, id: string): Promise<EvidenceFile | undefined> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM evidence_files WHERE id = $1`, [id]);
  return rows[0] ? toFile(rows[0]) : undefined;
}

/** A task's files, oldest first (`limit` at least EVIDENCE_MAX_FILES_PER_TASK, so the list is whole). */
export async function listTaskEvidence(pool: Pool, itemId: string, taskId: string, limit = 1000): Promise<EvidenceFile[]> {
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM evidence_files WHERE item_id = $1 AND task_id = $2 ORDER BY uploaded_at, id LIMIT $3`,
    [itemId, taskId, limit],
  );
  return rows.map(toFile);
}

/** Which of `ids` are files of this task. */
export async function taskEvidenceIdsAmong(pool: Pool, itemId: string, taskId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await pool.query(
    'SELECT id FROM evidence_files WHERE item_id = $1 AND task_id = $2 AND id = ANY($3::text[])',
    [itemId, taskId, ids],
  );
  return new Set(rows.map((r) => r.id as string));
}
