/**
 * The Temporal SDK's own metrics (SDK Core, in Rust): workflow and activity
 * task latencies, poll results, free slots, the sticky cache. Core serves them
 * itself on a Prometheus port of its own once the runtime is installed with
 * these options; names are `temporal_*`, durations in seconds, counters with
 * `_total`, as Prometheus conventions and the dashboard expect.
 */
import { isIP } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';

export function sdkMetricsTelemetry(host: string, port: number): TelemetryOptions {
  // Core parses a socket address: a host name would fail the whole runtime (metrics/bind-address.ts resolves one)
  if (!isIP(host)) throw new Error(`the Temporal SDK binds its metrics to an IP address, not ${JSON.stringify(host)}`);
  const bindHost = host.includes(':') ? `[${host}]` : host;
  return {
    metrics: {
      prometheus: { bindAddress: `${bindHost}:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
    },
  };
}

/**
 * The SDK metrics the dashboard (deploy/grafana/rectification.json) draws.
 * Each name is checked against a real worker's exporter by
 * test/integration/worker-process.test.ts, so an SDK upgrade that renames
 * one fails a test rather than leaving a panel empty.
 */
export const SDK_METRICS_ON_DASHBOARD = [
  'temporal_workflow_task_schedule_to_start_latency_seconds',
  'temporal_workflow_task_execution_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
  'temporal_activity_execution_latency_seconds',
  'temporal_local_activity_execution_latency_seconds',
  'temporal_sticky_cache_size',
  'temporal_worker_task_slots_available',
] as const;
