/** How long an item's next timer runs, timed from the latest reading of the time it has. */

/**
 * A reading of the worker's clock (a local save's end, or the time as the task
 * runs) ahead of the workflow's clock by more than this is not believed: the
 * timer is timed from the workflow's clock, as before. Under a burst of work
 * the lead measured 0.1–0.5 s; a worker clock that runs fast looks the same,
 * and within this window makes the timer fire that much early (nothing is
 * handled early: the item wakes, finds nothing due, and sets the rest), so the
 * window is kept short.
 */
export const CLOCK_MAX_LEAD_MS = 2_000;

/**
 * The latest believable reading of the time: `fromMs`, or the worker's clock
 * as the task runs when that is later and leads the workflow's clock by no
 * more than CLOCK_MAX_LEAD_MS. A task waits for the worker's workflow thread
 * behind the others in a burst, after its save too; a timer timed from an
 * earlier reading starts, and fires, that much late.
 *
 * The worker's clock is not replayed: a replay computes another duration than
 * the one recorded. Temporal matches a timer by its id, never its duration
 * (test/workflows/replay.test.ts holds the SDK to that), and the duration
 * decides nothing else, so no patch is needed.
 */
export function latestReading(nowMs: number, fromMs: number, workerClockMs: number): number {
  const lead = workerClockMs - nowMs;
  return lead > 0 && lead <= CLOCK_MAX_LEAD_MS ? Math.max(fromMs, workerClockMs) : fromMs;
}
/** Timed from the save's end, a timer is not set shorter than this: one that expires before the server has written it fires late. */
const MIN_TIMED_TIMER_MS = 100;

/**
 * How long the timer for `wakeAt` runs. Temporal starts it when the workflow
 * task completes; the workflow's clock is the task's start. A task that waited
 * for a worker thread and ran a save under load completes hundreds of ms
 * later, and a timer timed from its start fires that much late. `fromMs` is a
 * later reading (the save's end) when there is one.
 */
export function timerMs(wakeAt: number, nowMs: number, fromMs: number): number {
  const byClock = wakeAt - nowMs;
  if (fromMs <= nowMs) return Math.max(1, byClock);
  return Math.max(1, Math.min(byClock, Math.max(wakeAt - fromMs, MIN_TIMED_TIMER_MS)));
}
