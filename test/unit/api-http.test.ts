/**
 * The HTTP edge without servers: the door (401/403), validation (400 naming the
 * field), request ids, problem+json everywhere, readiness with failing fakes,
 * and the docs page. Nothing here reaches Temporal or PostgreSQL.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import type { TokenClaims } from '../../api/auth';
import { loadApiConfig } from '../../api/config';
import { signToken } from '../../api/token-signing';

const config = loadApiConfig({ AUTH_JWT_SECRET: 'http-unit-test-secret-0123456789abcdef', LOG_LEVEL: 'silent' });
const unreachable = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
/** A Temporal that answers, with a worker that last polled the item task queue `pollAgeMs` ago (no worker when null). */
function fakeTemporal(pollAgeMs: number | null = 1000): Client {
  const pollers = pollAgeMs === null ? [] : [{ lastAccessTime: { seconds: Math.floor((Date.now() - pollAgeMs) / 1000) } }];
  return {
    connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
    workflowService: { getSystemInfo: async () => ({}), describeTaskQueue: async () => ({ pollers }) },
  } as unknown as Client;
}
const temporal = fakeTemporal();
const logger = pino({ level: 'silent' });
const app = createApp({ config, temporal, pool: { query: unreachable } as unknown as Pool, logger });

const token = (claims: TokenClaims) => signToken(config, claims, '5m');
const leader = () => token({ sub: 'l1', name: 'Li', role: 'leader' });
const owner = () => token({ sub: 'o1', name: 'Wang', role: 'owner', unit: 'Unit A' });
const supervisor = () => token({ sub: 's1', name: 'Zhao', role: 'supervisor' });

describe('the door', () => {
  it('answers 401 problem+json with a Bearer challenge without a token', async () => {
    const res = await request(app).get('/items').set('X-Request-Id', 'abc-123');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', requestId: 'abc-123', title: expect.any(String) });
  });

  it('checks the token before reading the body', async () => {
    const anonymous = await request(app).post('/items').set('Content-Type', 'application/json').send('{not json');
    expect(anonymous.status).toBe(401);
    const bad = await request(app).post('/items').set('Authorization', `Bearer ${await leader()}`).set('Content-Type', 'application/json').send('{not json');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
  });

  it.each([
    ['supervisor', 'post', '/items/i1/tasks/t1/accept'],
    ['supervisor', 'post', '/plans'],
    ['owner', 'post', '/items'],
    ['owner', 'post', '/items/i1/tasks/t1/accept'],
    ['owner', 'get', '/items/i1/reviews'],
    ['owner', 'get', '/escalations'],
    ['leader', 'post', '/items/i1/tasks/t1/progress'],
  ] as const)('a %s may not %s %s (403)', async (role, method, path) => {
    const who = { leader, owner, supervisor }[role];
    const res = await request(app)[method](path).set('Authorization', `Bearer ${await who()}`).send({});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it("an owner may not read another unit's tasks", async () => {
    const res = await request(app).get('/units/Unit%20B/tasks').set('Authorization', `Bearer ${await owner()}`);
    expect(res.status).toBe(403);
  });
});

describe('validation', () => {
  it('names every bad field of a body with its path', async () => {
    const res = await request(app)
      .post('/items')
      .set('Authorization', `Bearer ${await leader()}`)
      .send({ title: '', leader: { id: 'l1', name: 'Li' }, problems: [{ id: 'p1', description: 'x', severity: 'huge' }], tasks: [] });
    expect(res.status).toBe(400);
    const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.title', 'body.problems.0.severity', 'body.tasks']));
  });

  it('names bad query parameters, path parameters and the Idempotency-Key', async () => {
    const auth = `Bearer ${await leader()}`;
    const query = await request(app).get('/items?limit=999&sort=colour').set('Authorization', auth);
    expect(query.status).toBe(400);
    expect(query.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.sort']);
    const params = await request(app).get('/items/bad%20id').set('Authorization', auth);
    expect(params.status).toBe(400);
    expect(params.body.errors[0].path).toBe('params.id');
    const key = await request(app).post('/items/i1/cancel').set('Authorization', auth).set('Idempotency-Key', 'k'.repeat(201)).send({ reason: 'done' });
    expect(key.status).toBe(400);
    expect(key.body.errors[0].path).toBe('header.Idempotency-Key');
  });
});

describe('operations', () => {
  it('healthz is always 200; unknown routes are problem+json 404', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const missing = await request(app).get('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
  });

  it('readyz names the dependency that failed, with Retry-After', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toEqual({ status: 'unavailable', checks: { temporal: 'ok', database: 'unavailable', worker: 'ok' } });
  });

  it('readyz is ok only while a worker polls the item task queue', async () => {
    const pool = { query: async () => ({ rows: [{ '?column?': 1 }] }) } as unknown as Pool;
    const ready = await request(createApp({ config, temporal: fakeTemporal(1000), pool, logger })).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { temporal: 'ok', database: 'ok', worker: 'ok' } });
    for (const pollAgeMs of [null, 10 * 60_000]) {
      const res = await request(createApp({ config, temporal: fakeTemporal(pollAgeMs), pool, logger })).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).toEqual({ status: 'unavailable', checks: { temporal: 'ok', database: 'ok', worker: 'unavailable' } });
    }
  });

  it('a database outage behind a read is a 503, not a 500', async () => {
    const res = await request(app).get('/plans').set('Authorization', `Bearer ${await leader()}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('serves the docs page and swagger-ui from node_modules, and the OpenAPI document', async () => {
    const page = await request(app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/openapi.json');
    const asset = await request(app).get('/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    const doc = await request(app).get('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
  });
});
