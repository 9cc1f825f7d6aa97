/**
 * Hands a ledger import to its workflow (workflows/ledger-import.ts). Safe to
 * call again: a workflow already running for the job is signalled, and runs
 * once more after the run in hand (so items queued as that run ends are not
 * left behind); a job whose earlier workflow completed (a re-upload queued its
 * failed items again) gets a new run.
 */
import type { Client } from '@temporalio/client';
import { LEDGER_IMPORT_WORKFLOW_TYPE, ledgerImportQueuedSignal, ledgerImportWorkflowId, type LedgerImportInput } from '../../workflows/messages';

export async function startLedgerImport(client: Client, taskQueue: string, importId: string): Promise<void> {
  const input: LedgerImportInput = { importId };
  await client.workflow.signalWithStart(LEDGER_IMPORT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: ledgerImportWorkflowId(importId),
    args: [input],
    signal: ledgerImportQueuedSignal,
    signalArgs: [],
    // a closed run (completed, failed, terminated) never stops a new one: the job row says whether there is work
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
