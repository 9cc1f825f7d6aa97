/**
 * Rights by item on the real stack: nothing an owner outside an item can learn
 * about it (answers compared byte for byte with a missing item's), records that
 * follow the unit they were about through a reassignment, idempotency keys
 * bound to caller and request, and the per-caller write limit.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import pino from 'pino';
import { startTestStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { bearer, eventually, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
let stranger: string;
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  stranger = await stack.tokenFor({ sub: 'owner-z', name: 'Stranger', role: 'owner', unit: 'unit-z' });
});
afterAll(async () => stack?.stop());

/** Everything an owner can ask about an item, as (method, path, body). */
function probes(id: string): Array<[string, string, object | undefined]> {
  const task = (t: string, action: string, body: object) => ['post', `/items/${id}/tasks/${t}/${action}`, body] as [string, string, object];
  return [
    ['get', `/items/${id}`, undefined],
    ['get', `/items/${id}?consistency=live`, undefined],
    ['get', `/items/${id}?minVersion=1`, undefined],
    ['get', `/items/${id}/four-lists`, undefined],
    ['get', `/items/${id}/dispatches`, undefined],
    ['get', `/items/${id}/escalations`, undefined],
    ['get', `/items/${id}/audit`, undefined],
    ['get', `/items/${id}/notifications`, undefined],
    ['get', `/items/${id}/reviews`, undefined],
    ...['t1', 't2', 't9'].flatMap((t) => [
      task(t, 'progress', { text: 'probe', percent: 10 }),
      task(t, 'submit', { evidence: ['probe.pdf'] }),
      task(t, 'extension-requests', { newDeadline: { kind: 'workingDays', days: 5 }, reason: 'probe' }),
      task(t, 'accept', {}),
    ]),
    ['post', `/items/${id}/cancel`, { reason: 'probe' }],
  ];
}

async function answers(token: string, id: string): Promise<string[]> {
  const out: string[] = [];
  for (const [method, path, body] of probes(id)) {
    const req = method === 'get' ? request(stack.app).get(path) : request(stack.app).post(path).send(body);
    const res = await req.set(bearer(token));
    const { requestId: _r, ...problem } = res.body as Record<string, unknown>;
    out.push(`${method.toUpperCase()} ${path.replace(id, '{id}')} → ${res.status} ${res.headers['content-type']} ${JSON.stringify(problem)}`);
  }
  return out;
}

test('an owner outside an item learns nothing: its answers before it exists, while it runs and after it ended are byte-identical', async () => {
  const id = newId('probe');
  const missing = await answers(stranger, id);
  expect(missing.every((a) => / → (404|403) /.test(a))).toBe(true);
  const created = await startItem(stack, tokens.leader, id);
  const running = await answers(stranger, id);
  // a command accepted meanwhile does not change what the stranger sees either
  await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).send({ text: 'real work', percent: 20 });
  const busy = await answers(stranger, id);
  await request(stack.app).post(`/items/${id}/cancel`).set(bearer(tokens.leader)).send({ reason: 'done with the probe' });
  await eventually(async () => ((await stack.client.workflow.getHandle(`rectification-item:${id}`).describe()).status.name === 'COMPLETED' ? true : undefined));
  const ended = await answers(stranger, id);
  expect(created.id).toBe(id);
  expect(running).toEqual(missing);
  expect(busy).toEqual(missing);
  expect(ended).toEqual(missing);
});

test('after a reassignment the records follow the unit they were about', async () => {
  const id = newId('moved');
  await startItem(stack, tokens.leader, id);
  const unitC = await stack.tokenFor({ sub: 'owner-c', name: 'Sun', role: 'owner', unit: 'unit-c' });
  const post = (token: string, path: string, body: object) => request(stack.app).post(`/items/${id}${path}`).set(bearer(token)).send(body);
  expect((await post(tokens.ownerA, '/tasks/t1/progress', { text: 'report of unit A', percent: 30 })).status).toBe(200);
  expect((await post(tokens.leader, '/tasks/t1/reassign', { ownerUnit: 'unit-c', ownerPerson: 'Sun' })).status).toBe(200);
  const last = await post(unitC, '/tasks/t1/progress', { text: 'report of unit C', percent: 50 });
  expect(last.status).toBe(200);
  await request(stack.app).get(`/items/${id}?minVersion=${last.body.version}`).set(bearer(tokens.admin));

  const audit = async (token: string) => (await request(stack.app).get(`/items/${id}/audit`).set(bearer(token))).body.events as Array<{ action: string; details: { text?: string } }>;
  const a = await audit(tokens.ownerA);
  expect(a.map((e) => e.action)).toEqual(['progressReported', 'taskReassigned']);
  expect(a.map((e) => e.details.text).filter(Boolean)).toEqual(['report of unit A']);
  const c = await audit(unitC);
  expect(c.map((e) => e.action)).toEqual(['taskReassigned', 'progressReported']);
  expect(c.map((e) => e.details.text).filter(Boolean)).toEqual(['report of unit C']);

  // Unit A still sees the item (its history is in it) but no longer the task; Unit C sees the task with its own report only
  const viewA = await request(stack.app).get(`/items/${id}`).set(bearer(tokens.ownerA));
  expect(viewA.status).toBe(200);
  expect(viewA.body.tasks).toEqual([]);
  const viewC = await request(stack.app).get(`/items/${id}`).set(bearer(unitC));
  expect(viewC.body.tasks.map((t: { id: string; lastReport: { text: string } }) => [t.id, t.lastReport.text])).toEqual([['t1', 'report of unit C']]);
  // and Unit A can no longer act on it: to them it is no task
  expect((await post(tokens.ownerA, '/tasks/t1/progress', { text: 'still mine?', percent: 40 })).status).toBe(404);
  const notes = async (token: string) => (await request(stack.app).get(`/items/${id}/notifications`).set(bearer(token))).body.notifications as Array<{ kind: string; recipient: string }>;
  expect((await notes(tokens.ownerA)).every((n) => n.recipient !== 'unit-c')).toBe(true);
  expect((await notes(unitC)).map((n) => [n.kind, n.recipient])).toEqual([['reassigned', 'unit-c']]);
});

describe('Idempotency-Key', () => {
  test('bound to the request: the same key with another body is refused with 422 and changes nothing', async () => {
    const id = newId('key');
    await startItem(stack, tokens.leader, id);
    const send = (key: string, percent: number) =>
      request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).set('Idempotency-Key', key).send({ text: 'dug', percent });
    const first = await send('k-1', 20);
    expect(first.status).toBe(200);
    const same = await send('k-1', 20);
    expect(same.body).toEqual(first.body);
    const other = await send('k-1', 90);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ path: 'header.Idempotency-Key' }] });
    expect(other.body.detail).toMatch(/different request/);
    const view = await request(stack.app).get(`/items/${id}?consistency=live`).set(bearer(tokens.admin));
    expect(view.body.tasks[0]).toMatchObject({ percent: 20, reportCount: 1 });
  });

  test('bound to the caller: ("ops", "east/k1") and ("ops/east", "k1") are two requests; long subjects and keys work', async () => {
    const id = newId('callers');
    await startItem(stack, tokens.leader, id);
    const ops = await stack.tokenFor({ sub: 'ops', name: 'Ops', role: 'admin' });
    const opsEast = await stack.tokenFor({ sub: 'ops/east', name: 'Ops East', role: 'admin' });
    const longSub = await stack.tokenFor({ sub: 'x'.repeat(128), name: 'Long', role: 'admin' });
    const report = (token: string, key: string) =>
      request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(token)).set('Idempotency-Key', key).send({ text: 'same body', percent: 10 });
    expect((await report(ops, 'east/k1')).body.duplicate).toBe(false);
    expect((await report(opsEast, 'k1')).body.duplicate).toBe(false);
    const long = await report(longSub, 'k'.repeat(200));
    expect(long.status).toBe(200);
    const view = await request(stack.app).get(`/items/${id}?minVersion=${long.body.version}`).set(bearer(tokens.admin));
    expect(view.body.tasks[0].reportCount).toBe(3);
  });
});

test('writes are limited per caller: 429 with Retry-After past the limit, other callers unaffected, reads never', async () => {
  const config = loadApiConfig({
    NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: stack.taskQueue, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
    RATE_LIMIT_WRITES_PER_MINUTE: '3', TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
  });
  const app = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
  const id = newId('limit');
  await startItem(stack, tokens.leader, id);
  const report = (token: string) => request(app).post(`/items/${id}/tasks/t1/progress`).set(bearer(token)).send({ text: 'again', percent: 5 });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await report(tokens.ownerA)).status);
  expect(statuses).toEqual([200, 200, 200, 429, 429]);
  const limited = await report(tokens.ownerA);
  expect(limited.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect((await request(app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.admin)).send({ text: 'admin', percent: 6 })).status).toBe(200);
  expect((await request(app).get(`/items/${id}`).set(bearer(tokens.ownerA))).status).toBe(200);
  const view = await request(stack.app).get(`/items/${id}?consistency=live`).set(bearer(tokens.admin));
  expect(view.body.tasks.find((t: { id: string }) => t.id === 't1').reportCount).toBe(4);
});
