/**
 * The item workflow's patches, and the level that takes them without markers.
 *
 * `patched()` records, in every run that takes a patch, a marker and an upsert
 * of the `TemporalChangeVersion` search attribute: a visibility write on the
 * server. A new item took four at its first workflow task: eight of its
 * fourteen history events.
 *
 * A run whose input carries `patchLevel` was started by code that takes every
 * patch of that level, and takes them without asking: its history holds no
 * markers for them, and its replay, with the same input, decides the same.
 * (Except where a worker that predates levels ran some of its tasks during a
 * deploy: it asked `patched()`, which took the patch and recorded a marker;
 * replay matches such markers, see `patchGate`.)
 * Runs started without it (items started before the level existed) ask
 * `patched()` as they always did. Rules:
 * - never rename a patch id, nor remove one from a level;
 * - a new patch is asked with `patched()` until a new level includes it;
 * - a run whose level this code does not know fails its workflow task (and
 *   waits, retried, for code that knows it) rather than guess.
 */
import { patched, workflowInfo } from '@temporalio/workflow';

/** Saves go as local activities first. */
export const LOCAL_SAVES = 'local-saves';
/** Only the search attributes commands change are kept, upserted when they differ. */
export const STABLE_SEARCH_ATTRIBUTES = 'stable-search-attributes';
/** Continue-as-new by update count, with new saves held until it happens. */
export const CONTINUE_UNDER_LOAD = 'continue-under-load';
/** The next wake's timer is set once the local save of the same workflow task is through. */
export const TIMERS_AFTER_SAVE = 'timers-after-save';
/** What came due while the save ran is handled at once, not after a timer set for the past. */
export const DUE_DURING_SAVE = 'due-during-save';
/** The next wake's timer is timed from the real end of the local save, not the task's start. */
export const TIMERS_FROM_SAVE_END = 'timers-from-save-end';
/** The search attributes follow the item once more when it ends. */
export const FINAL_SEARCH_ATTRIBUTES = 'final-search-attributes';

/** The level new runs start at. */
export const PATCH_LEVEL = 1;

const TAKEN_AT_LEVEL: ReadonlyArray<ReadonlySet<string>> = [
  new Set(),
  new Set([
    LOCAL_SAVES, STABLE_SEARCH_ATTRIBUTES, CONTINUE_UNDER_LOAD, TIMERS_AFTER_SAVE, DUE_DURING_SAVE,
    TIMERS_FROM_SAVE_END, FINAL_SEARCH_ATTRIBUTES,
  ]),
];

/** Whether this run takes a patch: at once when its level includes it, else by `patched()`. */
export type PatchGate = (patchId: string) => boolean;

export function patchGate(level: number | null | undefined): PatchGate {
  // null as absent: a client that bypasses the API and writes null started the run without levels
  if (level === undefined || level === null) return patched;
  const taken = Number.isInteger(level) && level >= 0 ? TAKEN_AT_LEVEL[level] : undefined;
  // a plain Error fails the workflow task, not the workflow: it is retried until code that knows the level runs it
  if (!taken) throw new Error(`patch level ${String(level)} is unknown to this worker's code (it knows up to ${PATCH_LEVEL})`);
  return (patchId) => {
    if (!taken.has(patchId)) return patched(patchId);
    // The level is written by whoever started the run (the API, or the run before it), not by the code
    // that ran it: during a rolling deploy a worker that predates levels may run its first tasks, ignore
    // the field and ask patched(), recording markers (it always took the patch). On replay, take the
    // patch as it did and let patched() match such a marker (a missing one records nothing while
    // replaying); left unmatched, a marker is a non-determinism error no retry gets past.
    if (workflowInfo().unsafe.isReplaying) patched(patchId);
    return true;
  };
}
