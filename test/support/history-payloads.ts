/**
 * The sizes of the payloads a workflow's history holds, by kind: what Temporal
 * weighs against its 2 MiB limit (and 512 KiB warning) per payload field, and
 * its 2 KiB limit per search attribute value.
 */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface PayloadSizes {
  workflowInput: number[];
  activityInput: number[];
  updateArgs: number[];
  updateResults: number[];
  continueAsNewInput: number[];
  searchAttributeValues: number[];
}

function size(payloads: Payloads): number {
  return (payloads?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0) + (p.metadata ? Object.values(p.metadata).reduce((m, v) => m + (v?.length ?? 0), 0) : 0), 0);
}

export function payloadSizes(history: History): PayloadSizes {
  const sizes: PayloadSizes = { workflowInput: [], activityInput: [], updateArgs: [], updateResults: [], continueAsNewInput: [], searchAttributeValues: [] };
  for (const e of history.events ?? []) {
    if (e.workflowExecutionStartedEventAttributes) sizes.workflowInput.push(size(e.workflowExecutionStartedEventAttributes.input));
    if (e.activityTaskScheduledEventAttributes) sizes.activityInput.push(size(e.activityTaskScheduledEventAttributes.input));
    if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      sizes.updateArgs.push(size(e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.args));
    }
    if (e.workflowExecutionUpdateCompletedEventAttributes) {
      sizes.updateResults.push(size(e.workflowExecutionUpdateCompletedEventAttributes.outcome?.success));
    }
    if (e.workflowExecutionContinuedAsNewEventAttributes) {
      sizes.continueAsNewInput.push(size(e.workflowExecutionContinuedAsNewEventAttributes.input));
    }
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    for (const p of Object.values(fields ?? {})) sizes.searchAttributeValues.push(p?.data?.length ?? 0);
  }
  return sizes;
}

export const max = (values: number[]): number => values.reduce((m, v) => Math.max(m, v), 0);
