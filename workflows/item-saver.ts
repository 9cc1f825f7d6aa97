/**
 * The item's saves, run beside its clock: the clock never waits for the read
 * side. Saves go one at a time, in order, each split into batches of bounded
 * size; while one is in flight (or retrying through a database outage) new
 * changes gather in the tracker and leave together in the next save.
 */
import { condition } from '@temporalio/workflow';
import { splitIntoBatches, type ItemChanges, type SaveTracker } from '../domain/item-changes';
import type { ItemRecords } from '../domain/item-records';
import { LIMITS } from '../domain/limits';
import { jsonBytes } from '../domain/text';
import type { ItemState } from '../domain/types';

export class ItemSaver {
  private readonly queue: ItemChanges[] = [];
  private inFlightBytes = 0;
  private saving = false;
  /** the batch in flight is being tried as a local activity (in this workflow task) */
  private savingLocally = false;
  /** state or records changed since the last take */
  private dirty = false;
  private ended = false;
  /** the version the read side holds in full */
  savedVersion = 0;
  /** the real time (worker clock) the last local save ended, as its result recorded it */
  localSaveEndedAtMs: number | undefined;

  constructor(
    private readonly tracker: SaveTracker,
    private readonly save: (batch: ItemChanges, localSettled: (savedAtMs?: number) => void) => Promise<void>,
  ) {}

  /** A change happened: its records (if any) wait for the next save. */
  note(records?: ItemRecords): void {
    if (records) this.tracker.add(records);
    this.dirty = true;
  }

  /** Nothing in flight and nothing queued: a continue-as-new may happen now. */
  get busy(): boolean {
    return this.saving || this.queue.length > 0;
  }

  /**
   * A local save is under way, or about to start from what is queued or noted:
   * it will finish within this workflow task. Not while a batch goes by the
   * regular activity, which may retry for as long as the database is down.
   */
  get localSavePending(): boolean {
    return this.savingLocally || (!this.saving && (this.queue.length > 0 || (this.dirty && !this.held)));
  }

  /** Bytes produced and not yet on the read side: what backpressure and continue-as-new look at. */
  get unsavedBytes(): number {
    return this.tracker.unsavedBytes + this.inFlightBytes + this.queue.reduce((n, c) => n + jsonBytes(c), 0);
  }

  /** Takes everything unsaved now (for continue-as-new), or undefined when nothing is. */
  takeNow(state: ItemState, nowMs: number): ItemChanges | undefined {
    this.dirty = false;
    return this.tracker.take(state, nowMs);
  }

  /** Gives back what takeNow took, to be saved before anything else. */
  enqueue(changes: ItemChanges): void {
    this.queue.push(changes);
  }

  /**
   * While held, no new save starts from the item's pending changes (queued ones
   * still go): the item wants to continue as new, and whatever is unsaved when
   * the save in flight returns travels with it instead. Without the hold, a
   * steady stream of commands keeps the saver busy and the run never continues.
   */
  held = false;

  /** The save loop; returns once the item has ended and everything is saved. */
  async run(state: () => ItemState, now: () => number): Promise<void> {
    for (;;) {
      await condition(() => this.queue.length > 0 || this.ended || (this.dirty && !this.held));
      if (this.queue.length === 0) {
        if (!this.dirty) return; // ended, and nothing left
        this.dirty = false;
        const taken = this.tracker.take(state(), now());
        if (taken) this.queue.push(taken);
        continue;
      }
      const changes = this.queue.shift()!;
      this.saving = true;
      this.inFlightBytes = jsonBytes(changes);
      for (const batch of splitIntoBatches(changes, LIMITS.saveBatchBytes)) {
        this.savingLocally = true;
        await this.save(batch, (savedAtMs) => {
          this.savingLocally = false;
          if (savedAtMs !== undefined) this.localSaveEndedAtMs = savedAtMs;
        });
        this.savingLocally = false;
      }
      this.inFlightBytes = 0;
      this.saving = false;
      this.savedVersion = Math.max(this.savedVersion, changes.version);
    }
  }

  /** The item ended: the loop saves what is left, then returns. */
  finish(): void {
    this.ended = true;
  }
}
