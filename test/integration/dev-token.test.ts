/**
 * Development sign-in (`POST /dev/token`) on the real stack: with the
 * development secret it issues tokens the API then honours, for a role and an
 * active unit of the directory; with any secret of a deployment's own, or in
 * production, the route does not exist.
 */
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { DEV_JWT_SECRET, loadApiConfig } from '../../api/config';
import { startTestStack, TEST_JWT_SECRET, testTemporalAddress, type TestStack } from '../support/stack';
import { bearer, startItem } from './api-support';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ apiEnv: { AUTH_JWT_SECRET: DEV_JWT_SECRET } });
});
afterAll(async () => stack?.stop());

const devToken = (body: unknown) => request(stack.app).post('/dev/token').send(body as object);

describe('with the development secret', () => {
  test('the API\'s document offers it', async () => {
    expect((await request(stack.app).get('/openapi.json')).body.paths['/dev/token'].post.operationId).toBe('devToken');
  });

  test('an owner token for a unit of the directory, named after the unit, honoured by the API', async () => {
    const res = await devToken({ role: 'owner', unit: 'unit-a' });
    expect(res.status).toBe(200);
    expect(res.body.claims).toEqual({ sub: 'dev-owner-unit-a', name: 'Unit A经办人', role: 'owner', unit: 'unit-a' });
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(11 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    await startItem(stack, await stack.tokenFor({ sub: 'leader-1', name: 'Li Lei', role: 'leader' }), 'dev-1');
    const item = await request(stack.app).get('/items/dev-1').set(bearer(res.body.token));
    expect(item.status).toBe(200);
    // an owner token sees its own unit's tasks only
    expect(item.body.tasks.map((t: { id: string }) => t.id)).toEqual(['t1']);
  });

  test('a leader with a chosen id and name; a supervisor reads but may not write', async () => {
    const leader = await devToken({ role: 'leader', sub: 'leader-1', name: '李雷' });
    expect(leader.body.claims).toEqual({ sub: 'leader-1', name: '李雷', role: 'leader' });
    expect((await request(stack.app).get('/items').set(bearer(leader.body.token))).status).toBe(200);
    const supervisor = await devToken({ role: 'supervisor' });
    expect(supervisor.body.claims).toMatchObject({ sub: 'dev-supervisor', role: 'supervisor' });
    const write = await request(stack.app).post('/plans').set(bearer(supervisor.body.token)).send({ id: 'p-dev', title: 'x' });
    expect(write.status).toBe(403);
  });

  test.each([
    [{ role: 'owner' }, 400, 'body.unit'],
    [{ role: 'owner', unit: 'no-such-unit' }, 422, 'body.unit'],
    [{ role: 'mayor' }, 400, 'body.role'],
    [{ role: 'leader', sub: 'has spaces' }, 400, 'body.sub'],
  ])('%j is refused (%i) naming %s', async (body, status, path) => {
    const res = await devToken(body);
    expect(res.status).toBe(status);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(res.body.token).toBeUndefined();
  });
});

describe('without it, the route does not exist', () => {
  const appWith = (env: Record<string, string>) =>
    createApp({
      config: loadApiConfig({
        DATABASE_URL: 'postgres://unused@127.0.0.1/unused', TEMPORAL_ADDRESS: testTemporalAddress(), TEMPORAL_TASK_QUEUE: stack.taskQueue,
        LOG_LEVEL: 'silent', ...env,
      }),
      temporal: stack.client,
      pool: stack.pool,
      logger: pino({ level: 'silent' }),
    });

  test.each([
    ['production, with a strong secret', { NODE_ENV: 'production', AUTH_JWT_SECRET: 'q8Jv2ZkP0xR7mWc4LtN9bY3hGd6sFe1A5uVi' }],
    ['development, with a deployment\'s own secret', { NODE_ENV: 'development', AUTH_JWT_SECRET: TEST_JWT_SECRET }],
    ['test, with the development secret but a public key', {
      NODE_ENV: 'test', AUTH_JWT_SECRET: DEV_JWT_SECRET,
      AUTH_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----',
    }],
  ])('%s: 404 like any unknown path, and no token', async (_name, env) => {
    const app = appWith(env);
    const res = await request(app).post('/dev/token').send({ role: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', detail: 'no route for POST /dev/token' });
    expect(JSON.stringify(res.body)).not.toMatch(/eyJ/);
    // and the API's document does not offer it
    const doc = await request(app).get('/openapi.json');
    expect(Object.keys(doc.body.paths)).not.toContain('/dev/token');
    expect(Object.keys(doc.body.paths)).toContain('/items');
  });
});
