/**
 * At worker start, once: every ledger import not finished in PostgreSQL gets
 * its workflow (jobs accepted before imports ran as workflows, or whose
 * upload could not hand them over). Every worker may ask: the hand-over is
 * signal-with-start, so an import whose workflow runs already is only asked to
 * run once more, which finds nothing to do when the job is done.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { startLedgerImport } from '../api/ledger-import/workflow-start';
import { unfinishedImports } from '../db/repositories/ledger-imports';

/** Resolves to the ids of the imports handed to their workflow. */
export async function resumeLedgerImports(client: Client, pool: Pool, taskQueue: string): Promise<string[]> {
  const ids = await unfinishedImports(pool);
  for (const id of ids) await startLedgerImport(client, taskQueue, id);
  return ids;
}
