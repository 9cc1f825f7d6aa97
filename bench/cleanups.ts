/**
 * What a benchmark started, stopped in reverse order whatever happens: every
 * bench command stops by itself and leaves nothing running.
 */
export function createCleanups() {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
    cleanups.length = 0;
  };
  return { cleanups, stopAll };
}
