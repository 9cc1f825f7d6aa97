/**
 * The raw floors the speed benchmark measures this project against: the least
 * a Temporal application can do for the same job. Bundled on their own task
 * queue, never part of the product.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { recordFiring } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** What `workflow.start` costs when the workflow itself does nothing. */
export async function emptyWorkflow(): Promise<void> {}

/** One durable timer to the due instant, then one activity that writes the event to PostgreSQL. */
export async function timerThenActivityWorkflow(dueAtMs: number): Promise<void> {
  await sleep(Math.max(1, dueAtMs - Date.now()));
  await recordFiring({ workflowId: workflowInfo().workflowId, dueAtMs, firedAtMs: Date.now() });
}
