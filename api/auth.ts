/**
 * Bearer-token authentication. A token is a JWT signed with the configured HS256
 * secret, or with the private half of AUTH_JWT_PUBLIC_KEY (RS256 / ES256). Its
 * claims become the domain Actor: the acting user recorded on every change
 * comes from here, never from a request body.
 */
import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Actor } from '../domain/types';
import type { ApiConfig } from './config';
import { ApiProblem } from './http/api-problem';
import { checkPublicKey } from './jwt-keys';
import { ActorIdSchema, NameSchema } from './schemas/common';
import { VerifiedTokens } from './verified-tokens';

/** Roles a token may carry; 'system' is reserved for the workflow's own actions. */
export const TOKEN_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Claims follow the same text rule as every other string that reaches an item (they are recorded on every change). */
export const TokenClaimsSchema = z
  .object({
    sub: ActorIdSchema,
    name: NameSchema,
    role: z.enum(TOKEN_ROLES),
    unit: NameSchema.optional(),
  })
  .refine((c) => c.role !== 'owner' || c.unit !== undefined, { message: 'owner tokens need a unit', path: ['unit'] });

export type TokenClaims = z.infer<typeof TokenClaimsSchema>;

export type AuthConfig = Pick<ApiConfig, 'AUTH_JWT_SECRET' | 'AUTH_JWT_PUBLIC_KEY' | 'AUTH_JWT_ISSUER' | 'AUTH_JWT_AUDIENCE'> &
  Partial<Pick<ApiConfig, 'AUTH_TOKEN_MAX_LIFETIME' | 'AUTH_CLOCK_SKEW_SECONDS'>>;

const DEFAULT_MAX_LIFETIME_SECONDS = 12 * 3600;
const DEFAULT_SKEW_SECONDS = 60;

interface VerificationKey {
  key: KeyObject | Uint8Array;
  algorithms: string[];
}

/** The public key wins when both are configured: asymmetric keys let another service issue tokens. */
export function verificationKey(config: AuthConfig): VerificationKey {
  if (config.AUTH_JWT_PUBLIC_KEY) return checkPublicKey(config.AUTH_JWT_PUBLIC_KEY);
  if (!config.AUTH_JWT_SECRET) throw new Error('no JWT verification key configured');
  return { key: new TextEncoder().encode(config.AUTH_JWT_SECRET), algorithms: ['HS256'] };
}

function unauthenticated(detail: string, error: 'invalid_request' | 'invalid_token'): ApiProblem {
  // RFC 6750: tell the client which scheme, and why the token was refused
  const challenge =
    error === 'invalid_request'
      ? 'Bearer realm="rectification"'
      : `Bearer realm="rectification", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`;
  return new ApiProblem(401, 'UNAUTHENTICATED', detail, { headers: { 'WWW-Authenticate': challenge } });
}

export function claimsToActor(claims: TokenClaims): Actor {
  return { id: claims.sub, name: claims.name, role: claims.role, unit: claims.unit };
}

export type Authenticator = (authorizationHeader: string | undefined) => Promise<Actor>;

/** A token that lives longer than the configured maximum is refused, however validly signed: a leaked one must die soon. */
function lifetimeProblem(payload: JWTPayload, maxSeconds: number, skewSeconds: number): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > now + skewSeconds) return 'the token was issued in the future';
  const from = typeof payload.iat === 'number' ? payload.iat : now;
  if (typeof payload.exp === 'number' && payload.exp - from > maxSeconds + skewSeconds) {
    return `the token lives longer than the ${maxSeconds} s this API accepts`;
  }
  return undefined;
}

/** Builds the verifier once (key import is not free); each call checks one Authorization header. */
export function createAuthenticator(config: AuthConfig): Authenticator {
  const { key, algorithms } = verificationKey(config);
  const maxLifetime = config.AUTH_TOKEN_MAX_LIFETIME ?? DEFAULT_MAX_LIFETIME_SECONDS;
  const skew = config.AUTH_CLOCK_SKEW_SECONDS ?? DEFAULT_SKEW_SECONDS;
  const verified = new VerifiedTokens(skew);
  return async (header) => {
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw unauthenticated('a bearer token is required', 'invalid_request');
    const token = match[1]!;
    const known = verified.get(token);
    if (known === 'expired') throw unauthenticated('the token has expired', 'invalid_token');
    // a copy: the caller's actor is theirs to hold, the kept one stays as verified
    if (known) return { ...known };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        issuer: config.AUTH_JWT_ISSUER,
        audience: config.AUTH_JWT_AUDIENCE,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: skew,
      }));
    } catch (err) {
      const expired = err instanceof joseErrors.JWTExpired;
      throw unauthenticated(expired ? 'the token has expired' : 'the token is invalid', 'invalid_token');
    }
    const tooLong = lifetimeProblem(payload, maxLifetime, skew);
    if (tooLong) throw unauthenticated(tooLong, 'invalid_token');
    const claims = TokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw unauthenticated(`the token's claims are invalid (${problems})`, 'invalid_token');
    }
    const actor = claimsToActor(claims.data);
    verified.put(token, actor, payload.exp!);
    return actor;
  };
}
