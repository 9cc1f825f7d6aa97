/**
 * One rectification item = one workflow. It holds the item's state (what the
 * clock and the rules need), applies commands arriving as updates, runs the
 * item's clock (one durable timer on the earliest next event) and hands every
 * change to the read side. Items started by this code run `runItem`; items
 * started before bounded saves replay `runLegacyItem` until their next wake.
 */
import type { ItemSummary } from '../domain/types';
import { runItem } from './item-run';
import { runLegacyItem } from './legacy-item';
import type { ItemWorkflowInput } from './messages';

export async function rectificationItemWorkflow(input: ItemWorkflowInput): Promise<ItemSummary> {
  return input.format === 2 ? runItem(input) : runLegacyItem(input);
}
