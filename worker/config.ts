/**
 * The worker's environment, parsed once at start. Composed from the shared
 * fragments so the worker and the API agree on names and defaults.
 */
import { z } from 'zod';
import { databaseEnv, loggingEnv, parseEnv, temporalEnv } from '../config/env';

export const WorkerConfigSchema = z.object({
  ...temporalEnv,
  ...databaseEnv,
  ...loggingEnv,
  /** activities in flight at once; most are short PostgreSQL writes */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(20),
  /** workflow tasks in flight at once (CPU-bound replay work) */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).max(1000).default(20),
  /** workflows kept in the worker's cache; each holds a sandbox in memory */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100000).default(500),
  /** how long in-flight activities get to finish on SIGTERM before they are cancelled */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600000).default(10000),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/** Throws a ConfigError listing every bad or missing variable (names only, never values). */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env);
}
