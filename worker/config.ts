/**
 * The worker's environment, parsed once at start. Composed from the shared
 * fragments so the worker and the API agree on names and defaults.
 */
import { z } from 'zod';
import { databaseEnv, loggingEnv, metricsEnv, parseEnv, portOrOff, temporalEnv } from '../config/env';
import { holidayFileEnv } from '../config/holiday-supplement';

/**
 * Temporal's default is 10 s: in a wave that keeps the worker busy longer, most
 * wakes time out on the worker's sticky queue and are taken again with the
 * item's whole history replayed (1,762 of 2,000 in a wave of one-task items on
 * the benchmark machine). A worker stopped with SIGTERM hands its queue back at
 * once; one killed outright keeps the wakes already sent to it (those of the
 * ~10 s before the server notices it stopped polling) for this long.
 */
export const DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS = 60;

export const WorkerConfigSchema = z.object({
  ...temporalEnv,
  ...databaseEnv,
  ...loggingEnv,
  ...holidayFileEnv,
  ...metricsEnv,
  /** the worker's own metrics (saves, clock events, lateness, deliveries) on METRICS_HOST; `off` serves none */
  WORKER_METRICS_PORT: portOrOff(9464),
  /** the Temporal SDK's runtime metrics (task latencies, slots, sticky cache) on METRICS_HOST; `off` serves none */
  TEMPORAL_SDK_METRICS_PORT: portOrOff(9465),
  /** activities in flight at once; most are short PostgreSQL writes */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(20),
  /** workflow tasks in flight at once (CPU-bound replay work) */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).max(1000).default(20),
  /** workflows kept in the worker's cache; each holds a sandbox in memory */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100000).default(500),
  /**
   * how long a wake may wait for the worker that holds the item in its cache before it goes to any
   * worker, which replays the item's whole history (Temporal's default, 10 s, sends most of a large
   * deadline wave that way: twice the work at the moment there is most of it)
   */
  WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS),
  /** how long in-flight activities get to finish on SIGTERM before they are cancelled */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600000).default(10000),
  /** where messages link to: the API (or console) base URL as recipients reach it */
  DELIVERY_BASE_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** notifications to one channel within this window leave as one digest (level-3 escalations never wait) */
  DELIVERY_DIGEST_WINDOW_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** a delivery that keeps failing for this long is dead (an admin may resend it) */
  DELIVERY_GIVE_UP_AFTER_HOURS: z.coerce.number().min(0.01).max(24 * 14).default(24),
  /** one request to a channel may take this long */
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/** Throws a ConfigError listing every bad or missing variable (names only, never values). */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env);
}
