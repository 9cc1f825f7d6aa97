/** Latency statistics and a bounded fixed-concurrency runner for the benchmarks. */

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1]!;
}

const ms = (v: number) => +v.toFixed(1);

/** p50/p95/p99/max/mean in milliseconds, one decimal. */
export function summarize(samplesMs: readonly number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    p50Ms: ms(percentile(s, 50)),
    p95Ms: ms(percentile(s, 95)),
    p99Ms: ms(percentile(s, 99)),
    maxMs: ms(s[s.length - 1] ?? Number.NaN),
    meanMs: ms(mean),
  };
}

export interface RunResult {
  latenciesMs: number[];
  wallMs: number;
  failures: number;
  /** the first few failures, for the report */
  failureSamples: string[];
}

/**
 * Runs `fn(0..count-1)` with at most `concurrency` calls in flight (each worker
 * takes the next index, so the loop is bounded by `count`). A call that throws
 * counts as a failure; its latency is still recorded.
 */
export async function runConcurrent(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<RunResult> {
  const latenciesMs: number[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      try {
        await fn(i);
      } catch (err) {
        failures += 1;
        if (failureSamples.length < 5) failureSamples.push(err instanceof Error ? err.message : String(err));
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { latenciesMs, wallMs: performance.now() - started, failures, failureSamples };
}

/** Throughput and latency of one phase, ready for the JSON summary. */
export function phaseReport(r: RunResult) {
  return {
    perSecond: +((r.latenciesMs.length / r.wallMs) * 1000).toFixed(1),
    wallSeconds: +(r.wallMs / 1000).toFixed(2),
    failures: r.failures,
    ...(r.failureSamples.length ? { failureSamples: r.failureSamples } : {}),
    latency: summarize(r.latenciesMs),
  };
}
