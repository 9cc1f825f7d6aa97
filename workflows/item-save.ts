/**
 * How one batch of an item's changes reaches the read side.
 *
 * A save is first tried as a local activity: it runs on this worker inside the
 * workflow task that produced the changes, so a wake of the clock costs one
 * workflow task instead of a workflow task, an activity task and a second
 * workflow task. Should it fail (the database down, slow or refusing), the
 * batch goes as a regular activity that retries for as long as it takes, as
 * every save did before; the clock never waits on those retries. Either way the
 * save is idempotent (rows carry versions, records natural keys), so a worker
 * killed mid-save and the workflow task replayed elsewhere writes nothing twice.
 *
 * Items whose history predates this (no `local-saves` marker) replay their
 * regular activities; from their next new workflow task they save locally too.
 */
import { patched as askPatched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import type { ItemChanges, SaveReceipt } from '../domain/item-changes';
import { LOCAL_SAVES, type PatchGate } from './patches';

const { saveItemChanges } = proxyActivities<ItemActivities>({
  // A save is one short transaction: a worker killed mid-save is noticed in seconds, not a minute.
  startToCloseTimeout: '10 seconds',
  // A database outage must lose nothing: retry until it is back, never give up.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * The workflow task waits for a local save, and the timers it sets start when it
 * completes: a healthy save takes milliseconds, so one that takes seconds is
 * left to the regular activity (whatever it wrote meanwhile is written again, idempotently).
 */
export const LOCAL_SAVE_TIMEOUT_MS = 3_000;

const { saveItemChanges: saveItemChangesHere } = proxyLocalActivities<ItemActivities>({
  startToCloseTimeout: LOCAL_SAVE_TIMEOUT_MS,
  // nor does it wait longer for a free local-activity slot (more workflow-task slots than local ones):
  // the next wake's timer waits for the local save (item-run.ts)
  scheduleToStartTimeout: LOCAL_SAVE_TIMEOUT_MS,
  retry: { maximumAttempts: 1 },
});

/**
 * Saves one batch. `localSettled` is called once the local attempt is over,
 * saved or not (at once when there is none), with the real time a local save
 * ended (none when it failed, or from a worker that did not say): whatever
 * waits for it must not wait for the regular activity's retries through a
 * database outage.
 */
export async function saveBatch(
  batch: ItemChanges,
  localSettled: (savedAtMs?: number) => void = () => undefined,
  patched: PatchGate = askPatched,
): Promise<void> {
  let receipt: SaveReceipt | void | undefined;
  let saved = false;
  if (patched(LOCAL_SAVES)) {
    try {
      receipt = await saveItemChangesHere(batch);
      saved = true;
    } catch {
      // the regular activity below retries with backoff for as long as the database needs
    }
  }
  localSettled(typeof receipt?.savedAtMs === 'number' ? receipt.savedAtMs : undefined);
  if (!saved) await saveItemChanges(batch);
}
