/**
 * One delivery endpoint (a unit's channel) = one long-lived workflow: it sends
 * what the endpoint has due, one round at a time, and sleeps until the next
 * thing is due (a digest window, a retry's backoff, the end of quiet hours, the
 * robot's rate) or until an item's save wakes it. Idle endpoints wait on the
 * signal alone: no timers, no polling. The deliveries themselves live in
 * PostgreSQL (the outbox); this workflow only decides when to send.
 */
import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import type { BucketState } from '../activities/delivery/rate-limit';
import { wakeDeliveriesSignal, type DeliveryEndpointInput } from './messages';

const { sendDueDeliveries } = proxyActivities<ItemActivities>({
  // a round sends at most a few hundred messages, each with its own 10 s timeout
  startToCloseTimeout: '5 minutes',
  // it beats after each message (10 s at most each): a round whose worker died is retried within a minute
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Rounds per run: a new run keeps the history short. */
const ROUNDS_PER_RUN = 100;

export async function deliveryEndpointWorkflow(input: DeliveryEndpointInput): Promise<void> {
  // a start is a wake: whatever is due goes now
  let woken = true;
  setHandler(wakeDeliveriesSignal, () => {
    woken = true;
  });
  let bucket: BucketState | undefined = input.bucket;
  let nextAt: number | undefined;
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    if (!woken) {
      if (nextAt === undefined) await condition(() => woken);
      else await condition(() => woken, Math.max(1, nextAt - Date.now()));
    }
    woken = false;
    const result = await sendDueDeliveries({ unitCode: input.unitCode, channelId: input.channelId }, bucket);
    bucket = result.bucket;
    nextAt = result.nextAt === undefined ? undefined : Date.parse(result.nextAt);
  }
  await continueAsNew<typeof deliveryEndpointWorkflow>({ ...input, ...(bucket ? { bucket } : {}) });
}
