/**
 * Regressions from the adversarial review of bounded items: a unit just given a
 * task reads it at once; commands with no worker, past Temporal's per-run update
 * limit or under a steady stream answer 200 or 503 (never 500); a save blocked by
 * someone else's row lock fails fast, is listed as stuck and leaves other items'
 * saves alone; zod and the domain agree on instants.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { createPool } from '../../db/pool';
import { LIMITS } from '../../domain/limits';
import { itemWorkflowId } from '../../workflows/messages';
import { startTestStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { bearer, itemBody, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const as = (who: ActorName) => bearer(tokens[who]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const databaseUrl = () => (stack.pool as unknown as { options: { connectionString: string } }).options.connectionString;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

describe('an item that exists is never answered 404 because its projection lags', () => {
  test('the unit a task was just reassigned to reads the item with ?minVersion: 404 (saves stalled by a write lock)', async () => {
    const id = newId('ryw-lock');
    await startItem(stack, tokens.leader, id);
    expect((await request(stack.app).get(`/items/${id}?consistency=live`).set(as('admin'))).status).toBe(200);
    const ownerC = await stack.tokenFor({ sub: 'owner-c', name: 'Zhou Qi', role: 'owner', unit: 'unit-c' });
    // writes to tasks wait (the save cannot land); reads are not blocked
    const locker = new PgClient({ connectionString: databaseUrl() });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tasks IN EXCLUSIVE MODE');
    try {
      const cmd = await request(stack.app).post(`/items/${id}/tasks/t1/reassign`).set(as('leader')).send({ ownerUnit: 'unit-c', ownerPerson: 'Zhou Qi' });
      expect(cmd.status).toBe(200);
      const pinned = await request(stack.app).get(`/items/${id}?minVersion=${cmd.body.version}`).set(bearer(ownerC));
      const live = await request(stack.app).get(`/items/${id}?consistency=live`).set(bearer(ownerC));
      const audit = await request(stack.app).get(`/items/${id}/audit`).set(bearer(ownerC));
      // an item that exists is never answered 404 because its read side is a moment behind: the API waits, then 503
      expect({ pinned: pinned.status, live: live.status, audit: audit.status }).toEqual({ pinned: 503, live: 503, audit: 503 });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  test('without any stall: the new unit reading right after the reassignment gets 404 almost every time', async () => {
    const ownerC = await stack.tokenFor({ sub: 'owner-c', name: 'Zhou Qi', role: 'owner', unit: 'unit-c' });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = newId('ryw');
      await startItem(stack, tokens.leader, id);
      await request(stack.app).get(`/items/${id}?consistency=live`).set(as('admin'));
      const cmd = await request(stack.app).post(`/items/${id}/tasks/t1/reassign`).set(as('leader')).send({ ownerUnit: 'unit-c', ownerPerson: 'Zhou Qi' });
      expect(cmd.status).toBe(200);
      statuses.push((await request(stack.app).get(`/items/${id}?minVersion=${cmd.body.version}`).set(bearer(ownerC))).status);
    }
    expect(statuses.filter((s) => s === 404)).toEqual([]);
  });
});

describe('every client-facing failure is a 4xx or a 503 with Retry-After, never a 500', () => {
  test('commands while no worker polls the task queue: 503 with Retry-After once the 30 s deadline passes', async () => {
    // a worker that was killed, or never started: the API's task queue has no poller
    const config = loadApiConfig({
      NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: `nobody-${randomUUID()}`, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl(),
    });
    const lonely = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    const id = newId('no-worker');
    expect((await request(lonely).post('/items').set(as('leader')).send(itemBody(id))).status).toBe(201);
    try {
      // 12 at once: past Temporal's 10 in-flight updates per workflow (RESOURCE_EXHAUSTED), and each waits out the 30 s deadline
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        request(lonely).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text: `report ${i}`, percent: 10 })
          .then((r) => `${r.status} ${r.body.code} retry-after=${r.headers['retry-after'] ?? '-'}`)));
      expect(answers).toEqual(answers.map(() => '503 SERVICE_UNAVAILABLE retry-after=5'));
    } finally {
      await stack.client.workflow.getHandle(itemWorkflowId(id)).terminate('test cleanup');
    }
  }, 120_000);

  test('a steady stream of small commands on one item: the run continues as new under load, and no command is answered 500', async () => {
    const id = newId('stream');
    await startItem(stack, tokens.leader, id);
    // one busy caller: past the default write limit of 300 a minute, as an operator may configure
    const config = loadApiConfig({
      NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: stack.taskQueue, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl(), RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    });
    const app = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
    const firstRun = (await handle.describe()).runId;
    const statuses: Record<string, number> = {};
    let next = 0;
    // one owner, ten requests in flight at a time: ordinary traffic, ~20 s on 2 cores
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < 2200) {
        const n = next++;
        const r = await request(app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text: `report ${n}`, percent: 10 });
        const key = `${r.status} ${r.body.code ?? ''}`.trim();
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    }));
    expect(Object.keys(statuses).filter((k) => k.startsWith('5') && !k.startsWith('503'))).toEqual([]);
    // more than one run may take (Temporal refuses the 2,001st update of a run): the item continued as new under load
    expect(statuses['200']).toBeGreaterThan(2000);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    // and it did so at its own update budget, not when Temporal began refusing (2,000 a run)
    const history = await stack.client.workflow.getHandle(itemWorkflowId(id), firstRun).fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(accepted).toBeGreaterThanOrEqual(LIMITS.updatesPerRun);
    expect(accepted).toBeLessThan(LIMITS.updatesPerRun + 100);
  }, 300_000);
});

describe('a stuck save is never silent, and one item cannot stall the others', () => {
  test('one item whose task rows are row-locked: its save fails fast, is listed as stuck, and a bystander item keeps saving', async () => {
    // the API gets a pool of its own (in production it is another process); the worker keeps stack.pool (max 5)
    const apiPool = createPool({ DATABASE_URL: databaseUrl(), DATABASE_POOL_MAX: 5 });
    const config = loadApiConfig({ NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: stack.taskQueue, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl() });
    const app = createApp({ config, temporal: stack.client, pool: apiPool, logger: pino({ level: 'silent' }) });
    const locked = newId('locked');
    const bystander = newId('bystander');
    for (const id of [locked, bystander]) {
      expect((await request(app).post('/items').set(as('leader')).send(itemBody(id))).status).toBe(201);
      expect((await request(app).get(`/items/${id}?consistency=live`).set(as('admin'))).status).toBe(200);
    }
    // e.g. an operator's or a report's open transaction holding one item's rows
    const locker = new PgClient({ connectionString: databaseUrl() });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM tasks WHERE item_id = $1 FOR UPDATE', [locked]);
    try {
      expect((await request(app).post(`/items/${locked}/tasks/t1/progress`).set(as('ownerA')).send({ text: 'blocked', percent: 10 })).status).toBe(200);
      let listed = false;
      for (const until = Date.now() + 60_000; Date.now() < until && !listed; await sleep(1_000)) {
        const stuck = (await request(app).get('/ops/stuck').set(as('admin'))).body;
        listed = stuck.saveFailures.some((f: { itemId: string; lastError: string }) => f.itemId === locked);
      }
      const pending = (await stack.client.workflow.getHandle(itemWorkflowId(locked)).describe()).raw.pendingActivities ?? [];
      const cmd = await request(app).post(`/items/${bystander}/tasks/t1/progress`).set(as('ownerA')).send({ text: 'unrelated', percent: 30 });
      expect(cmd.status).toBe(200);
      let bystanderSaved = false;
      for (const until = Date.now() + 30_000; Date.now() < until && !bystanderSaved; await sleep(500)) {
        const { rows } = await apiPool.query('SELECT version FROM items WHERE id = $1', [bystander]);
        bystanderSaved = rows[0].version >= cmd.body.version;
      }
      // each attempt gives up on the lock within seconds, so it throws (and is recorded) and frees its connection
      expect(pending[0]?.attempt).toBeGreaterThanOrEqual(3);
      expect(pending[0]?.lastFailure?.message ?? '').toMatch(/lock timeout/);
      expect({ listed, bystanderSaved }).toEqual({ listed: true, bystanderSaved: true });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    try {
      // the lock gone, the save lands and the item leaves the stuck list
      let cleared = false;
      for (const until = Date.now() + 60_000; Date.now() < until && !cleared; await sleep(1_000)) {
        const stuck = (await request(app).get('/ops/stuck').set(as('admin'))).body;
        cleared = !stuck.saveFailures.some((f: { itemId: string }) => f.itemId === locked);
      }
      expect(cleared).toBe(true);
    } finally {
      await apiPool.end();
    }
  }, 240_000);
});

describe('zod checks shape, the domain business rules, and the two never disagree', () => {
  test('a deadline with ten fractional digits is a malformed request (400), as the domain reads instants', async () => {
    const body = itemBody(newId('frac'));
    (body.tasks[0]!.deadline as { at: string }).at = '2027-01-15T18:00:00.1234567891+08:00';
    const res = await request(stack.app).post('/items').set(as('leader')).send(body);
    expect(`${res.status} ${res.body.code}`).toBe('400 BAD_REQUEST');
  });
});
