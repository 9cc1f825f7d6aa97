/**
 * Regressions from a fresh-eyes review of the token and deployment claims: an
 * RSA-PSS-only key is refused at start-up (jose cannot verify with it), every
 * secret published in this repository is refused in production, and the
 * Docker deployment as the README documents it starts and keeps the UI
 * reachable through a loopback port.
 */
import { constants, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createAuthenticator } from '../../api/auth';
import { loadApiConfig } from '../../api/config';

const ISSUER = 'rectification-engine';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('public key types (claim 5)', () => {
  test('an RSA-PSS-only public key is refused at start-up, since jose cannot verify with it; the same key as plain RSA verifies PS256', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => loadApiConfig({ AUTH_JWT_PUBLIC_KEY: pem })).toThrow(/AUTH_JWT_PUBLIC_KEY.*RSA-PSS/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = loadApiConfig({ AUTH_JWT_PUBLIC_KEY: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'PS256', typ: 'JWT' })}.${b64({ sub: 's1', name: 'Zhao', role: 'supervisor', iss: ISSUER, aud: ISSUER, iat: now, exp: now + 600 })}`;
    const signature = sign('sha256', Buffer.from(input), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    await expect(createAuthenticator(config)(`Bearer ${input}.${signature.toString('base64url')}`)).resolves.toMatchObject({ id: 's1' });
    expect(privateKey).toBeDefined();
  });
});

describe('production secrets (claim 6)', () => {
  // every one of these is published in this repository (bench/api-load.ts, test/unit/api-auth.test.ts,
  // test/unit/api-http.test.ts, test/integration/fuzz-routes.test.ts); config.ts lists only three published secrets
  test.each([
    'bench-only-secret-rectification-engine-0123456789',
    'unit-test-secret-0123456789-0123456789',
    'http-unit-test-secret-0123456789abcdef',
    'another-secret-another-secret-0123456789',
  ])('production refuses the secret published in this repository %j', (secret) => {
    expect(() => loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toThrow(/AUTH_JWT_SECRET/);
  });
});

describe('Docker deployment as the README documents it (claim 6)', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'));

  test('the README draws POSTGRES_PASSWORD as hex, which always makes a valid DATABASE_URL', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain('POSTGRES_PASSWORD=$(openssl rand -hex 24)');
    expect(readme).not.toMatch(/POSTGRES_PASSWORD=\$\(openssl rand -base64/);
    const password = randomBytes(24).toString('hex');
    const url = (compose['x-app-env'].DATABASE_URL as string).replace('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}', password);
    expect(() => loadApiConfig({ DATABASE_URL: url })).not.toThrow();
  });

  test('the Temporal UI is on the internal network only, so the loopback port the README says to uncomment can never be published', () => {
    // Docker publishes no port of a container whose only networks are `internal: true` (moby/moby#36174, #44986)
    const internalOnly = (service: { networks?: string[] }) =>
      (service.networks ?? []).every((n) => compose.networks?.[n]?.internal === true);
    expect(internalOnly(compose.services['temporal-ui'])).toBe(false);
  });

  test('the worker can reach the notification channels outside (an internal-only network has no route out), and publishes nothing', () => {
    const worker = compose.services.worker;
    expect((worker.networks as string[]).some((n) => compose.networks?.[n]?.internal !== true)).toBe(true);
    expect(worker.ports).toBeUndefined();
    expect(worker.environment.DELIVERY_BASE_URL).toBeDefined();
  });
});
