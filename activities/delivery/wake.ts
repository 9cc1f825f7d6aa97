/** Wakes endpoints' delivery workflows: signal-with-start, so an endpoint's first delivery starts its workflow. */
import type { Client } from '@temporalio/client';
import type { Endpoint } from '../../db/repositories/deliveries';
import { DELIVERY_WORKFLOW_TYPE, deliveryWorkflowId, wakeDeliveriesSignal, type DeliveryEndpointInput } from '../../workflows/messages';

export function createWaker(client: Client, taskQueue: string): (endpoints: Endpoint[]) => Promise<void> {
  return async (endpoints) => {
    await Promise.all(
      endpoints.map((e) =>
        client.workflow.signalWithStart(DELIVERY_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: deliveryWorkflowId(e.unitCode, e.channelId),
          args: [{ unitCode: e.unitCode, channelId: e.channelId } satisfies DeliveryEndpointInput],
          signal: wakeDeliveriesSignal,
          signalArgs: [],
        }),
      ),
    );
  };
}
