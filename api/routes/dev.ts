/**
 * Development sign-in: `POST /dev/token` issues a token for a chosen role and
 * unit, so the console can be used without an identity provider. The route
 * exists only when the API runs with the published development secret outside
 * production (api/config.ts): any deployment with its own secret or key, or
 * with NODE_ENV=production, has no such route (404 like any unknown path).
 */
import { z } from 'zod';
import { TOKEN_ROLES, TokenClaimsSchema } from '../auth';
import { DEV_JWT_SECRET, type ApiConfig } from '../config';
import { zodFieldErrors } from '../errors';
import { ApiProblem } from '../http/api-problem';
import { defineRoute, type RouteSpec } from '../http/route';
import { ActorIdSchema, NameSchema } from '../schemas/common';
import { signToken } from '../token-signing';
import { assertKnownUnits } from '../unit-check';

export function devTokensEnabled(config: Pick<ApiConfig, 'NODE_ENV' | 'AUTH_JWT_SECRET' | 'AUTH_JWT_PUBLIC_KEY'>): boolean {
  return config.NODE_ENV !== 'production' && !config.AUTH_JWT_PUBLIC_KEY && config.AUTH_JWT_SECRET === DEV_JWT_SECRET;
}

const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

const DevTokenBodySchema = z
  .object({
    role: z.enum(TOKEN_ROLES),
    unit: z.string().optional().describe('required for owners: a unit code of the directory'),
    sub: ActorIdSchema.optional().describe('default: dev-<role>, or dev-owner-<unit>'),
    name: NameSchema.optional().describe('default: a name that says it is a development user'),
  })
  .meta({ id: 'DevTokenRequest' });

const DevTokenSchema = z
  .object({
    token: z.string(),
    expiresAt: z.string(),
    claims: z.object({ sub: z.string(), name: z.string(), role: z.enum(TOKEN_ROLES), unit: z.string().optional() }),
  })
  .meta({ id: 'DevToken' });

const DEFAULT_NAMES: Record<(typeof TOKEN_ROLES)[number], string> = {
  leader: '开发用领导', owner: '开发用经办人', supervisor: '开发用督查员', admin: '开发用管理员',
};

export const devRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/dev/token',
    operationId: 'devToken',
    summary: 'Development sign-in: a token for a chosen role and unit',
    description:
      'Only while the API runs with the development secret (AUTH_JWT_SECRET unset or the published default, no AUTH_JWT_PUBLIC_KEY) ' +
      'and NODE_ENV is not production; otherwise this route does not exist (404). Owners need an active unit of the directory. ' +
      'The token lives 12 hours.',
    tag: 'Development',
    roles: 'public',
    enabled: devTokensEnabled,
    body: DevTokenBodySchema,
    response: { status: 200, description: 'the token and its claims', schema: DevTokenSchema },
    errors: [404, 422],
    handler: async ({ body, deps, log }) => {
      let unitName: string | undefined;
      if (body.unit !== undefined) unitName = (await assertKnownUnits(deps.pool, [['body.unit', body.unit]])).get(body.unit);
      const claims = TokenClaimsSchema.safeParse({
        sub: body.sub ?? (body.role === 'owner' && body.unit ? `dev-owner-${body.unit}` : `dev-${body.role}`),
        name: body.name ?? (body.role === 'owner' && unitName ? `${unitName}经办人` : DEFAULT_NAMES[body.role]),
        role: body.role,
        unit: body.unit,
      });
      if (!claims.success) {
        const errors = zodFieldErrors(claims.error, 'body');
        throw new ApiProblem(400, 'BAD_REQUEST', `invalid body: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
      }
      const ttl = Math.min(DEV_TOKEN_TTL_SECONDS, deps.config.AUTH_TOKEN_MAX_LIFETIME);
      const token = await signToken(deps.config, claims.data, `${ttl}s`);
      log.info({ sub: claims.data.sub, role: claims.data.role, unit: claims.data.unit }, 'development token issued');
      return { token, expiresAt: new Date(Date.now() + ttl * 1000).toISOString(), claims: claims.data };
    },
  }),
];
