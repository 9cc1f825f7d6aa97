/**
 * The API process's configuration: one zod schema, parsed once at start.
 *
 * Auth: tokens are verified with AUTH_JWT_PUBLIC_KEY (PEM: RSA, EC P-256/384/521
 * or Ed25519) when it is set, otherwise with the HS256 secret AUTH_JWT_SECRET.
 * Outside production a fixed development secret is used when none is given, so
 * `npm start` and the tests work on a fresh clone. In production the process
 * refuses to start without a key, with a known or weak secret, or with a
 * NODE_ENV it does not know.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { databaseEnv, loggingEnv, metricsEnv, parseEnv, portOrOff, temporalEnv } from '../config/env';
import { checkPublicKey } from './jwt-keys';

/** Development-only secret; never accepted when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-secret-rectification-engine-change-me';
/**
 * Secrets published in this repository (the development secret, the old
 * compose default, the tests' and benchmarks'): never accepted in production,
 * nor anything that reads like a placeholder rather than random bytes.
 */
const KNOWN_SECRETS = new Set([
  DEV_JWT_SECRET,
  'compose-demo-secret-change-me-0123456789',
  'test-only-secret-rectification-engine-0123456789',
  'bench-only-secret-rectification-engine-0123456789',
  'unit-test-secret-0123456789-0123456789',
  'http-unit-test-secret-0123456789abcdef',
  'another-secret-another-secret-0123456789',
].map((s) => s.toLowerCase()));
const PLACEHOLDER_WORDS = /secret|change.?me|example|password|placeholder|sample|test|demo|dev-only|rectification/i;
const MIN_SECRET_BYTES = 32;
/** a secret with fewer distinct characters than this is a pattern, not a secret ('aaaa…', '0101…') */
const MIN_DISTINCT_CHARACTERS = 10;

export const NODE_ENVS = ['development', 'test', 'production'] as const;

const REPO_ROOT = resolve(__dirname, '..');
const MiB = 1024 * 1024;

/** Evidence files: how large, and where their bytes go (api/evidence/). */
const evidenceEnv = {
  /** the largest evidence file taken (413 past it) */
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * MiB).default(20 * MiB),
  /** files one task may hold (422 past it), so a task's list is always whole */
  EVIDENCE_MAX_FILES_PER_TASK: z.coerce.number().int().min(1).max(1000).default(200),
  EVIDENCE_STORAGE: z.enum(['local', 's3'], { message: 'must be local or s3' }).default('local'),
  /** local storage: the directory blobs are kept in (created on first upload) */
  EVIDENCE_DIR: z.string().min(1).default(resolve(REPO_ROOT, '.data', 'evidence')),
  EVIDENCE_S3_ENDPOINT: z.string().url().optional(),
  EVIDENCE_S3_BUCKET: z.string().min(3).max(63).optional(),
  EVIDENCE_S3_REGION: z.string().min(1).default('us-east-1'),
  EVIDENCE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  EVIDENCE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** prepended to every object key, e.g. `rectification/` */
  EVIDENCE_S3_PREFIX: z.string().max(200).default(''),
  /** true: endpoint/bucket/key (MinIO, Ceph); false: bucket.endpoint/key */
  EVIDENCE_S3_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
};
const EVIDENCE_S3_REQUIRED = ['EVIDENCE_S3_ENDPOINT', 'EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_ACCESS_KEY_ID', 'EVIDENCE_S3_SECRET_ACCESS_KEY'] as const;

/** '12h', '30m', '90s', '2d' or a number of seconds → seconds. */
function durationSeconds(value: string): number | undefined {
  const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

export function secretWeakness(secret: string): string | undefined {
  if (KNOWN_SECRETS.has(secret.trim().toLowerCase())) return 'is a secret published with this software';
  if (PLACEHOLDER_WORDS.test(secret)) return 'reads like a placeholder, not random bytes';
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) return `must be at least ${MIN_SECRET_BYTES} bytes`;
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) return `is too regular (fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters)`;
  return undefined;
}

const ApiEnvSchema = z
  .object({
    ...temporalEnv,
    ...databaseEnv,
    ...loggingEnv,
    ...metricsEnv,
    /** the API's metrics without a token, on METRICS_HOST (a network only the scraper reaches); `off` serves none */
    API_METRICS_PORT: portOrOff(9466),
    /** when set, GET /metrics on API_PORT too, for callers with `Authorization: Bearer <token>` */
    /** the items gauge counts the read side at most this often, whatever the number of scrapes */
    METRICS_ITEM_COUNT_INTERVAL_SECONDS: z.coerce.number().min(0).max(3600).default(15),
    METRICS_TOKEN: z.string().min(MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} characters`).optional(),
    NODE_ENV: z.enum(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` }).optional(),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    AUTH_JWT_SECRET: z.string().min(MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} characters`).optional(),
    AUTH_JWT_PUBLIC_KEY: z
      .string()
      .superRefine((pem, ctx) => {
        try {
          checkPublicKey(pem);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      })
      .optional(),
    AUTH_JWT_ISSUER: z.string().min(1).default('rectification-engine'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('rectification-engine'),
    /** the longest a token may live (exp − iat, or exp − now without iat) */
    AUTH_TOKEN_MAX_LIFETIME: z
      .string()
      .default('12h')
      .transform((v, ctx) => {
        const seconds = durationSeconds(v);
        if (seconds === undefined || seconds < 60 || seconds > 30 * 86400) {
          ctx.addIssue({ code: 'custom', message: 'must be a duration like 12h, 30m or 3600 (seconds), from 1 minute to 30 days' });
          return z.NEVER;
        }
        return seconds;
      }),
    /** how far the issuer's clock may be from ours (exp, nbf, iat) */
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    /** commands (writes) one caller may send per minute; 429 with Retry-After past it */
    RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(300),
    /** JSON { holidays, workdays } of dates the holiday package does not have yet */
    HOLIDAY_CALENDAR_FILE: z.string().min(1).optional(),
    ...evidenceEnv,
    /** the built console (Vite's output), served under /console/ when it exists */
    CONSOLE_DIST_DIR: z.string().min(1).default(resolve(REPO_ROOT, 'console', 'dist')),
  })
  .superRefine((env, ctx) => {
    if (env.EVIDENCE_STORAGE === 's3') {
      for (const name of EVIDENCE_S3_REQUIRED) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when EVIDENCE_STORAGE=s3' });
      }
    }
    if (env.NODE_ENV !== 'production') return;
    if (!env.AUTH_JWT_SECRET && !env.AUTH_JWT_PUBLIC_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWT_SECRET'], message: 'required in production (or set AUTH_JWT_PUBLIC_KEY)' });
    }
    const weakness = env.AUTH_JWT_SECRET ? secretWeakness(env.AUTH_JWT_SECRET) : undefined;
    if (weakness) ctx.addIssue({ code: 'custom', path: ['AUTH_JWT_SECRET'], message: `${weakness}: refused in production` });
    const tokenWeakness = env.METRICS_TOKEN ? secretWeakness(env.METRICS_TOKEN) : undefined;
    if (tokenWeakness) ctx.addIssue({ code: 'custom', path: ['METRICS_TOKEN'], message: `${tokenWeakness}: refused in production` });
  })
  .transform(({ AUTH_JWT_SECRET, NODE_ENV, ...rest }) => ({
    ...rest,
    NODE_ENV: NODE_ENV ?? 'development',
    // the refinement above guarantees production never reaches the fallback
    AUTH_JWT_SECRET: AUTH_JWT_SECRET ?? (NODE_ENV === 'production' ? undefined : DEV_JWT_SECRET),
  }));

export type ApiConfig = z.output<typeof ApiEnvSchema>;

/** Parses the environment; throws ConfigError naming every bad variable (never its value). */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(ApiEnvSchema, env);
}
