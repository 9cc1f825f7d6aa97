/** Bearer tokens → Actor: what is accepted, what is a 401, and which key wins. */
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createAuthenticator, type AuthConfig } from '../../api/auth';
import { DEV_JWT_SECRET, loadApiConfig } from '../../api/config';
import { ApiProblem } from '../../api/http/api-problem';
import { signToken } from '../../api/token-signing';
import { ConfigError } from '../../config/env';

const config: AuthConfig = {
  AUTH_JWT_SECRET: 'unit-test-secret-0123456789-0123456789',
  AUTH_JWT_ISSUER: 'rectification-engine',
  AUTH_JWT_AUDIENCE: 'rectification-engine',
};
const authenticate = createAuthenticator(config);
const secret = new TextEncoder().encode(config.AUTH_JWT_SECRET);

async function rejection(header: string | undefined): Promise<ApiProblem> {
  const err = await authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiProblem);
  return err as ApiProblem;
}

function raw(claims: Record<string, unknown>, opts: { exp?: string | number; iss?: string; key?: Uint8Array } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u1')
    .setIssuer(opts.iss ?? config.AUTH_JWT_ISSUER)
    .setAudience(config.AUTH_JWT_AUDIENCE)
    .setExpirationTime(opts.exp ?? '1h')
    .sign(opts.key ?? secret);
}

describe('createAuthenticator', () => {
  it('turns the claims of a valid token into the domain Actor', async () => {
    const token = await signToken(config, { sub: 'o1', name: 'Wang', role: 'owner', unit: 'Unit A' });
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({ id: 'o1', name: 'Wang', role: 'owner', unit: 'Unit A' });
  });

  it('answers 401 with a Bearer challenge when there is no token', async () => {
    for (const header of [undefined, '', 'Basic abc', 'Bearer']) {
      const err = await rejection(header);
      expect(err.status).toBe(401);
      expect(err.extra.headers?.['WWW-Authenticate']).toMatch(/^Bearer realm=/);
    }
  });

  it('refuses expired, foreign-issuer and wrongly signed tokens with invalid_token', async () => {
    const expired = await raw({ name: 'Li', role: 'leader' }, { exp: Math.floor(Date.now() / 1000) - 60 });
    const expiredErr = await rejection(`Bearer ${expired}`);
    expect(expiredErr.message).toMatch(/expired/);
    expect(expiredErr.extra.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
    const foreign = await raw({ name: 'Li', role: 'leader' }, { iss: 'someone-else' });
    expect((await rejection(`Bearer ${foreign}`)).status).toBe(401);
    const forged = await raw({ name: 'Li', role: 'leader' }, { key: new TextEncoder().encode('x'.repeat(40)) });
    expect((await rejection(`Bearer ${forged}`)).status).toBe(401);
    expect((await rejection('Bearer not.a.jwt')).status).toBe(401);
  });

  it('refuses tokens whose claims do not make an actor: unknown role, system, owner without unit', async () => {
    for (const claims of [{ name: 'X', role: 'king' }, { name: 'X', role: 'system' }, { name: 'X', role: 'owner' }, { role: 'leader' }]) {
      const err = await rejection(`Bearer ${await raw(claims)}`);
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/claims/);
    }
  });

  it('verifies with AUTH_JWT_PUBLIC_KEY (ES256) in preference to the secret', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const asymmetric = createAuthenticator({ ...config, AUTH_JWT_PUBLIC_KEY: pem });
    const token = await new SignJWT({ name: 'Zhao', role: 'supervisor' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('s1')
      .setIssuer(config.AUTH_JWT_ISSUER)
      .setAudience(config.AUTH_JWT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(asymmetric(`Bearer ${token}`)).resolves.toMatchObject({ id: 's1', role: 'supervisor' });
    // an HS256 token made with the (still configured) secret no longer passes
    const hs = await signToken(config, { sub: 'l1', name: 'Li', role: 'leader' });
    await expect(asymmetric(`Bearer ${hs}`)).rejects.toMatchObject({ status: 401 });
    await expect(signToken({ ...config, AUTH_JWT_PUBLIC_KEY: pem }, { sub: 'l1', name: 'Li', role: 'leader' })).rejects.toThrow(
      /private key/,
    );
  });
});

describe('loadApiConfig', () => {
  it('uses the development secret only outside production', () => {
    expect(loadApiConfig({}).AUTH_JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(() => loadApiConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'p'.repeat(32) }).AUTH_JWT_SECRET).toBe('p'.repeat(32));
  });

  it('names every bad variable in one error, never its value', () => {
    try {
      loadApiConfig({ AUTH_JWT_SECRET: 'short-secret-value', API_PORT: 'abc', AUTH_JWT_PUBLIC_KEY: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/AUTH_JWT_SECRET/);
      expect(message).toMatch(/API_PORT/);
      expect(message).toMatch(/AUTH_JWT_PUBLIC_KEY/);
      expect(message).not.toContain('short-secret-value');
    }
  });

  it('has the documented defaults', () => {
    expect(loadApiConfig({})).toMatchObject({ API_PORT: 3000, API_HOST: '127.0.0.1', AUTH_JWT_ISSUER: 'rectification-engine' });
  });
});
