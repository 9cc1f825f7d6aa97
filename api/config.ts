/**
 * The API process's configuration: one zod schema, parsed once at start.
 *
 * Auth: tokens are verified with AUTH_JWT_PUBLIC_KEY (PEM, RS256/ES256) when it is
 * set, otherwise with the HS256 secret AUTH_JWT_SECRET. Outside production a fixed
 * development secret is used when none is given, so `npm start` and the tests work
 * on a fresh clone; with NODE_ENV=production a missing key refuses to start.
 */
import { z } from 'zod';
import { databaseEnv, loggingEnv, parseEnv, temporalEnv } from '../config/env';

/** Development-only secret; never accepted when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-secret-rectification-engine-change-me';

const ApiEnvSchema = z
  .object({
    ...temporalEnv,
    ...databaseEnv,
    ...loggingEnv,
    NODE_ENV: z.string().optional(),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    AUTH_JWT_PUBLIC_KEY: z
      .string()
      .includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM (SPKI) public key' })
      .optional(),
    AUTH_JWT_ISSUER: z.string().min(1).default('rectification-engine'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('rectification-engine'),
    /** JSON { holidays, workdays } of dates the holiday package does not have yet */
    HOLIDAY_CALENDAR_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production';
    if (production && !env.AUTH_JWT_SECRET && !env.AUTH_JWT_PUBLIC_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'required in production (or set AUTH_JWT_PUBLIC_KEY)',
      });
    }
  })
  .transform(({ AUTH_JWT_SECRET, NODE_ENV, ...rest }) => ({
    ...rest,
    NODE_ENV,
    // the refinement above guarantees production never reaches the fallback
    AUTH_JWT_SECRET: AUTH_JWT_SECRET ?? (NODE_ENV === 'production' ? undefined : DEV_JWT_SECRET),
  }));

export type ApiConfig = z.output<typeof ApiEnvSchema>;

/** Parses the environment; throws ConfigError naming every bad variable (never its value). */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(ApiEnvSchema, env);
}
