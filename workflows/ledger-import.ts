/**
 * One run per ledger import: a single activity that creates the job's items
 * (activities/ledger-import.ts), retried by Temporal until the job is done —
 * after a dependency was down, after its worker stopped or died. The history
 * is a handful of events whatever the size of the file; the job's progress
 * lives in PostgreSQL.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import { ledgerImportQueuedSignal, type LedgerImportInput } from './messages';

const { runLedgerImport } = proxyActivities<ItemActivities>({
  // a worker that stops heartbeating (killed, cut off) loses the attempt within this; the next takes the job up
  heartbeatTimeout: '30 seconds',
  // an upper bound only: a file of 20,000 rows at a few items a second
  startToCloseTimeout: '6 hours',
  // never gives up: an import waits out any outage (maximumAttempts unset: unlimited)
  retry: { initialInterval: '15 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function ledgerImportWorkflow(input: LedgerImportInput): Promise<void> {
  // Items queued again (the same file uploaded) while a run works or just ended: one more run. A signal that
  // arrives after the last run returned but before the workflow completes is still seen: Temporal does not let
  // a workflow complete past a signal it has not handled.
  let queued = true;
  setHandler(ledgerImportQueuedSignal, () => {
    queued = true;
  });
  while (queued) {
    queued = false;
    await runLedgerImport(input.importId);
  }
}
