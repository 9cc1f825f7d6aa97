/**
 * Hands a ledger import to its workflow (workflows/ledger-import.ts). Safe to
 * call again: a workflow already running for the job is kept (it takes up
 * items queued meanwhile), and a job whose earlier workflow completed (a
 * re-upload queued its failed items again) gets a new run.
 */
import type { Client } from '@temporalio/client';
import { LEDGER_IMPORT_WORKFLOW_TYPE, ledgerImportWorkflowId, type LedgerImportInput } from '../../workflows/messages';

export async function startLedgerImport(client: Client, taskQueue: string, importId: string): Promise<void> {
  const input: LedgerImportInput = { importId };
  await client.workflow.start(LEDGER_IMPORT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: ledgerImportWorkflowId(importId),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // a closed run (completed, failed, terminated) never stops a new one: the job row says whether there is work
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
