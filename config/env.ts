/**
 * Environment parsing shared by every process. Each process composes its own
 * zod schema from these fragments and parses it once at start; one error lists
 * every missing or bad variable. Nothing here logs values (secrets stay secret).
 */
import { z } from 'zod';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/rectification';

export const temporalEnv = {
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('rectification'),
  /** Temporal Cloud or a secured cluster: API key, or mTLS client cert/key files */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
};

export const databaseEnv = {
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

export const loggingEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** A TCP port, or `off`; `0` asks the system for a free one. */
export function portOrOff(fallback: number | 'off') {
  return z
    .string()
    .default(String(fallback))
    .transform((v, ctx): number | undefined => {
      if (v.trim().toLowerCase() === 'off') return undefined;
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535 || v.trim() === '') {
        ctx.addIssue({ code: 'custom', message: 'must be a port (0–65535) or off' });
        return z.NEVER;
      }
      return port;
    });
}

/**
 * Where a process serves its Prometheus metrics. Unauthenticated by design:
 * the listener is meant for a network only the scraper reaches (loopback by
 * default; the compose file's internal network). Never publish it.
 */
export const metricsEnv = {
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`; throws one ConfigError naming every bad variable (never its value). */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(problems);
}
