/**
 * Tasks name units by their code in the directory: an unknown or deactivated
 * unit is refused with a 422 naming it, before anything starts or changes.
 */
import type { Pool } from 'pg';
import { activeUnits } from '../db/repositories/directory';
import { DomainError } from '../domain/errors';
import type { TaskInput } from '../domain/types';

/** [path, unit code] pairs of a task's owner and co-owner units. */
export function unitsOfTask(task: Pick<TaskInput, 'ownerUnit' | 'coOwners'>, path: string): Array<[string, string]> {
  return [[`${path}.ownerUnit`, task.ownerUnit], ...(task.coOwners ?? []).map((c, j): [string, string] => [`${path}.coOwners.${j}`, c])];
}

/** The units' names by code, once every one is an active unit of the directory. */
export async function assertKnownUnits(pool: Pool, refs: Array<[string, string]>): Promise<Map<string, string>> {
  const { names } = await activeUnits(pool, refs.map(([, code]) => code));
  return refuseUnknownUnits(refs, names);
}

/** The names, once every referenced unit is among the active ones found; else the 422 naming the first unknown one. */
export function refuseUnknownUnits(refs: Array<[string, string]>, names: Map<string, string>): Map<string, string> {
  const unknown = [...new Set(refs.map(([, code]) => code))].filter((c) => !names.has(c));
  if (unknown.length === 0) return names;
  const [path] = refs.find(([, code]) => code === unknown[0])!;
  throw new DomainError(
    'VALIDATION_FAILED',
    `unknown unit${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}: not an active unit of the directory (GET /units)`,
    { path },
  );
}
