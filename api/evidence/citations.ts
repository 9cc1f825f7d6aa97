/**
 * A progress report or submission lists evidence as strings: plain references
 * (a paper file's number, a page of a ledger) go as they are, but an
 * `evidence:<id>` reference must name a file uploaded to this very task.
 * Otherwise a unit could hand in another task's photos as its own proof (a
 * co-owner unit reads its partner's files), or cite a file the readers of this
 * task may not open.
 */
import { taskEvidenceIdsAmong } from '../../db/repositories/evidence-files';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/types';
import type { RouteDeps } from '../http/route';
import { mayReadTask } from './rights';

const PREFIX = 'evidence:';

export async function assertCitesOwnFiles(
  deps: Pick<RouteDeps, 'pool' | 'items'>, actor: Actor, itemId: string, taskId: string, evidence: readonly string[] | undefined,
): Promise<void> {
  const ids = (evidence ?? []).filter((ref) => ref.startsWith(PREFIX)).map((ref) => ref.slice(PREFIX.length));
  if (ids.length === 0) return;
  const own = await taskEvidenceIdsAmong(deps.pool, itemId, taskId, ids);
  const foreign = ids.find((id) => !own.has(id));
  if (foreign === undefined) return;
  // a caller who may not see the task gets the command's own refusal (as if missing), not a word about files
  if (!(await mayReadTask(deps, actor, itemId, taskId))) return;
  throw new DomainError('VALIDATION_FAILED', `evidence '${PREFIX}${foreign}' is not a file uploaded to task ${taskId}: upload it to this task and cite the reference it answers`, {
    path: 'body.evidence', taskId,
  });
}
