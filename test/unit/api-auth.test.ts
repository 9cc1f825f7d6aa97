/** Bearer tokens → Actor: what is accepted, what is a 401, and which key wins. */
import { generateKeyPairSync } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createAuthenticator, type AuthConfig } from '../../api/auth';
import { DEV_JWT_SECRET, loadApiConfig } from '../../api/config';
import { ApiProblem } from '../../api/http/api-problem';
import { signToken } from '../../api/token-signing';
import { VERIFIED_TOKEN_MAX_CHARS, VerifiedTokens } from '../../api/verified-tokens';
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

describe('token lifetime and clock skew', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = { name: 'Li', role: 'leader' };
  const signed = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer(config.AUTH_JWT_ISSUER).setAudience(config.AUTH_JWT_AUDIENCE))
      .sign(secret);

  it('refuses a token that lives longer than the maximum (12 h by default), with or without iat', async () => {
    const long = await signed((j) => j.setIssuedAt().setExpirationTime(new Date(Date.UTC(2999, 0, 1))));
    expect((await rejection(`Bearer ${long}`)).message).toMatch(/lives longer/);
    const noIat = await signed((j) => j.setExpirationTime('13h'));
    expect((await rejection(`Bearer ${noIat}`)).message).toMatch(/lives longer/);
    const twelve = await signed((j) => j.setIssuedAt().setExpirationTime('12h'));
    await expect(authenticate(`Bearer ${twelve}`)).resolves.toMatchObject({ id: 'u1' });
    const shorter = createAuthenticator({ ...config, AUTH_TOKEN_MAX_LIFETIME: 1800 });
    await expect(shorter(`Bearer ${twelve}`)).rejects.toMatchObject({ status: 401 });
  });

  it('allows the configured clock skew on nbf, exp and iat, and no more', async () => {
    const soon = await signed((j) => j.setIssuedAt().setNotBefore(now() + 5).setExpirationTime('1h'));
    await expect(authenticate(`Bearer ${soon}`)).resolves.toMatchObject({ id: 'u1' });
    const justExpired = await signed((j) => j.setIssuedAt(now() - 3600).setExpirationTime(now() - 30));
    await expect(authenticate(`Bearer ${justExpired}`)).resolves.toMatchObject({ id: 'u1' });
    const later = await signed((j) => j.setIssuedAt().setNotBefore(now() + 300).setExpirationTime('1h'));
    expect((await rejection(`Bearer ${later}`)).status).toBe(401);
    const future = await signed((j) => j.setIssuedAt(now() + 600).setExpirationTime(now() + 1200));
    expect((await rejection(`Bearer ${future}`)).message).toMatch(/issued in the future/);
    const strict = createAuthenticator({ ...config, AUTH_CLOCK_SKEW_SECONDS: 0 });
    await expect(strict(`Bearer ${soon}`)).rejects.toMatchObject({ status: 401 });
  });
});

describe('public key types', () => {
  const sign = (alg: string, privateKey: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT({ name: 'Zhao', role: 'supervisor' }).setProtectedHeader({ alg }).setSubject('s1').setIssuer(config.AUTH_JWT_ISSUER)
      .setAudience(config.AUTH_JWT_AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(privateKey);

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])('accepts a %s key at start-up and verifies its tokens', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const pem = await exportSPKI(publicKey);
    expect(loadApiConfig({ AUTH_JWT_PUBLIC_KEY: pem }).AUTH_JWT_PUBLIC_KEY).toBe(pem);
    const verify = createAuthenticator({ ...config, AUTH_JWT_PUBLIC_KEY: pem });
    await expect(verify(`Bearer ${await sign(alg, privateKey)}`)).resolves.toMatchObject({ id: 's1' });
  });

  it.each<[string, () => string]>([
    ['an X25519 key (it cannot sign)', () => generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['a DSA key', () => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['a 1024-bit RSA key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['an EC key on secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['garbage', () => '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----'],
  ])('refuses %s at start-up, naming the variable', (_what, pem) => {
    expect(() => loadApiConfig({ AUTH_JWT_PUBLIC_KEY: pem() })).toThrow(/AUTH_JWT_PUBLIC_KEY/);
  });
});

describe('loadApiConfig', () => {
  it('uses the development secret only outside production', () => {
    expect(loadApiConfig({}).AUTH_JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(() => loadApiConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    const strong = 'Vq8#nR2!xL5@tZ9$mK3%wB7^cJ1&hF4*';
    expect(loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: strong }).AUTH_JWT_SECRET).toBe(strong);
  });

  it.each([
    ['the development secret', DEV_JWT_SECRET],
    ['the old compose default', 'compose-demo-secret-change-me-0123456789'],
    ['the tests\' secret', 'test-only-secret-rectification-engine-0123456789'],
    ['a repeated pattern of 32 bytes', 'p'.repeat(32)],
    ['a two-character pattern', 'ab'.repeat(20)],
  ])('refuses to start in production with %s', (_what, secret) => {
    expect(() => loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toThrow(/AUTH_JWT_SECRET: .*refused in production/);
    // outside production the same secret is allowed (a developer's machine)
    expect(loadApiConfig({ NODE_ENV: 'development', AUTH_JWT_SECRET: secret }).AUTH_JWT_SECRET).toBe(secret);
  });

  it.each(['prod', 'Production', 'PRODUCTION', 'staging', ''])('refuses NODE_ENV=%j: only development, test and production are known', (env) => {
    expect(() => loadApiConfig({ NODE_ENV: env, AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(/NODE_ENV/);
  });

  it('reads the token lifetime and clock skew, refusing nonsense', () => {
    expect(loadApiConfig({})).toMatchObject({ AUTH_TOKEN_MAX_LIFETIME: 12 * 3600, AUTH_CLOCK_SKEW_SECONDS: 60 });
    expect(loadApiConfig({ AUTH_TOKEN_MAX_LIFETIME: '30m' }).AUTH_TOKEN_MAX_LIFETIME).toBe(1800);
    expect(loadApiConfig({ AUTH_TOKEN_MAX_LIFETIME: '7200' }).AUTH_TOKEN_MAX_LIFETIME).toBe(7200);
    expect(() => loadApiConfig({ AUTH_TOKEN_MAX_LIFETIME: 'forever' })).toThrow(/AUTH_TOKEN_MAX_LIFETIME/);
    expect(() => loadApiConfig({ AUTH_TOKEN_MAX_LIFETIME: '1000d' })).toThrow(/AUTH_TOKEN_MAX_LIFETIME/);
    expect(() => loadApiConfig({ AUTH_CLOCK_SKEW_SECONDS: '-5' })).toThrow(/AUTH_CLOCK_SKEW_SECONDS/);
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

describe('tokens already verified', () => {
  afterEach(() => jest.restoreAllMocks());

  it('are not trusted past their expiry: a token used while valid is refused once it has expired (skew allowed)', async () => {
    const token = await signToken(config, { sub: 'l9', name: 'Li', role: 'leader' }, '10m');
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ id: 'l9' });
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ id: 'l9' });
    const real = Date.now;
    jest.spyOn(Date, 'now').mockImplementation(() => (exp + 30) * 1000);
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ id: 'l9' });
    jest.spyOn(Date, 'now').mockImplementation(() => (exp + 61) * 1000);
    expect((await rejection(`Bearer ${token}`)).message).toBe('the token has expired');
    jest.spyOn(Date, 'now').mockImplementation(real);
  });

  it('refuse an expired token exactly like the full check does: same status, detail and challenge', async () => {
    const token = await signToken(config, { sub: 'l6', name: 'Li', role: 'leader' }, '10m');
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await authenticate(`Bearer ${token}`);
    jest.spyOn(Date, 'now').mockImplementation(() => (exp + 61) * 1000);
    const cached = await rejection(`Bearer ${token}`);
    jest.restoreAllMocks();
    const fresh = await rejection(`Bearer ${await raw({ name: 'Li', role: 'leader' }, { exp: Math.floor(Date.now() / 1000) - 120 })}`);
    expect([cached.status, cached.code, cached.message, cached.extra]).toEqual([fresh.status, fresh.code, fresh.message, fresh.extra]);
  });

  it('are kept per authenticator: a token another key verified is verified again, and refused', async () => {
    const token = await signToken(config, { sub: 'l5', name: 'Li', role: 'leader' });
    await authenticate(`Bearer ${token}`);
    const other = createAuthenticator({ ...config, AUTH_JWT_SECRET: 'another-secret-0123456789-0123456789' });
    await expect(other(`Bearer ${token}`)).rejects.toMatchObject({ status: 401, message: 'the token is invalid' });
  });

  it('hand out a copy: a caller changing its actor changes nobody else\'s', async () => {
    const token = await signToken(config, { sub: 'o7', name: 'Wang', role: 'owner', unit: 'Unit A' });
    const first = await authenticate(`Bearer ${token}`);
    first.unit = 'Unit B';
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({ id: 'o7', name: 'Wang', role: 'owner', unit: 'Unit A' });
  });

  it('never let a changed token through: one character off is verified again and refused', async () => {
    const token = await signToken(config, { sub: 'l8', name: 'Li', role: 'leader' });
    await authenticate(`Bearer ${token}`);
    const at = token.lastIndexOf('.') + 1; // the signature's first character carries six bits of it
    const other = token[at] === 'A' ? 'B' : 'A';
    expect((await rejection(`Bearer ${token.slice(0, at)}${other}${token.slice(at + 1)}`)).status).toBe(401);
  });
});

describe('VerifiedTokens', () => {
  const actor = (id: string) => ({ id, name: id, role: 'leader' as const });

  it('keeps at most its bound, dropping the least recently used first', () => {
    const kept = new VerifiedTokens(0, 3);
    for (const t of ['a', 'b', 'c']) kept.put(t, actor(t), 2_000_000_000);
    expect(kept.get('a', 0)).toMatchObject({ id: 'a' }); // a is now the most recent
    kept.put('d', actor('d'), 2_000_000_000);
    expect(kept.size).toBe(3);
    expect(kept.get('b', 0)).toBeUndefined();
    expect(kept.get('a', 0)).toMatchObject({ id: 'a' });
  });

  it('keeps no token longer than its limit, and forgets an expired one', () => {
    const kept = new VerifiedTokens(60);
    kept.put('x'.repeat(VERIFIED_TOKEN_MAX_CHARS + 1), actor('long'), 2_000_000_000);
    expect(kept.size).toBe(0);
    kept.put('t', actor('t'), 1000);
    expect(kept.get('t', 1059_000)).toMatchObject({ id: 't' });
    expect(kept.get('t', 1060_000)).toBe('expired');
    expect(kept.size).toBe(0);
    expect(kept.get('t', 0)).toBeUndefined();
  });
});
