/**
 * What a benchmark started, stopped in reverse order whatever happens: every
 * bench command stops by itself and leaves nothing running.
 */
import type { Worker } from '@temporalio/worker';

export function createCleanups() {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
    cleanups.length = 0;
  };
  /** Runs the worker until the cleanups stop it. */
  const runWorker = (worker: Worker) => {
    const running = worker.run();
    running.catch(() => undefined); // a worker crash surfaces in cleanup, not as an unhandled rejection
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
  };
  return { cleanups, stopAll, runWorker };
}
