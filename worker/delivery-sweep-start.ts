/**
 * Starts the delivery sweep (workflows/delivery-sweep.ts) for this task queue
 * unless it runs already: every worker asks at start, the first one starts it.
 */
import type { Client } from '@temporalio/client';
import { DELIVERY_SWEEP_WORKFLOW_TYPE, deliverySweepWorkflowId } from '../workflows/messages';

/** Resolves to the run's id: the one already running, when one is. */
export async function startDeliverySweep(client: Client, taskQueue: string): Promise<string> {
  const handle = await client.workflow.start(DELIVERY_SWEEP_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: deliverySweepWorkflowId(taskQueue),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.firstExecutionRunId;
}
