/**
 * Issues HS256 tokens with the API's own secret: for local use (npm run token)
 * and tests. Deployments that verify with AUTH_JWT_PUBLIC_KEY get their tokens
 * from their identity provider instead, so this refuses to sign for them.
 */
import { SignJWT } from 'jose';
import type { AuthConfig, TokenClaims } from './auth';
import { TokenClaimsSchema } from './auth';

/** ttl as jose understands it: '12h', '30m', '7d', or seconds as a number. */
export async function signToken(config: AuthConfig, claims: TokenClaims, ttl: string | number = '12h'): Promise<string> {
  if (config.AUTH_JWT_PUBLIC_KEY) {
    throw new Error('AUTH_JWT_PUBLIC_KEY is set: tokens must be issued by the holder of the private key');
  }
  if (!config.AUTH_JWT_SECRET) throw new Error('AUTH_JWT_SECRET is not set');
  const { sub, ...rest } = TokenClaimsSchema.parse(claims);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(config.AUTH_JWT_ISSUER)
    .setAudience(config.AUTH_JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(config.AUTH_JWT_SECRET));
}
