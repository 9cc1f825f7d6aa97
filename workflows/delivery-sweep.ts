/**
 * The safety net under deliveries' wakes, on a durable timer: every minute it
 * wakes the endpoints that have a delivery due for more than a minute and in no
 * sender's hands (their wake went missing: Temporal was unreachable when an
 * admin's resend wanted to signal them). One run per task queue, however many
 * workers serve it; it outlives restarts and deploys like every item.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { ItemActivities } from '../activities';

const { sweepDeliveries } = proxyActivities<ItemActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How often: a forgotten endpoint waits at most about twice this. */
export const SWEEP_EVERY = '1 minute';
/** Sweeps per run: a new run keeps the history short (a day is 1,440 sweeps). */
const SWEEPS_PER_RUN = 100;

export async function deliverySweepWorkflow(): Promise<void> {
  for (let i = 0; i < SWEEPS_PER_RUN; i++) {
    await sleep(SWEEP_EVERY);
    await sweepDeliveries();
  }
  await continueAsNew<typeof deliverySweepWorkflow>();
}
