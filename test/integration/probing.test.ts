/**
 * Probing: "an owner outside an item learns nothing", tried hard:
 * more routes, methods, headers and states than api-rights.test.ts, compared
 * byte for byte (status, every header but date / request id / etag, body but
 * requestId) between a missing item and the same id while it is being created,
 * runs, is busy, completed and cancelled. Also idempotency races and key
 * normalisation. These checks pass: they record what was verified to hold.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';
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

type Probe = [method: 'get' | 'head' | 'options' | 'post', path: string, body?: object, headers?: Record<string, string>];

function probes(id: string): Probe[] {
  const t = (task: string, action: string, body: object, headers?: Record<string, string>): Probe => ['post', `/items/${id}/tasks/${task}/${action}`, body, headers];
  return [
    ['get', `/items/${id}`], ['head', `/items/${id}`], ['options', `/items/${id}`],
    ['get', `/items/${id}?minVersion=999999`], ['get', `/items/${id}?minVersion=0`], ['get', `/items/${id}?consistency=live&minVersion=1`],
    ['get', `/items/${id}/four-lists`], ['get', `/items/${id}/dispatches`], ['get', `/items/${id}/escalations`],
    ['get', `/items/${id}/audit`], ['get', `/items/${id}/notifications`], ['get', `/items/${id}/reviews`],
    ['get', `/ITEMS/${id}/`], ['get', `/items/${id}/tasks`], ['get', `/items/${id}/tasks/t1`],
    ...['t1', 't2', 'zz'].flatMap((task): Probe[] => [
      t(task, 'progress', { text: 'probe', percent: 10 }, { 'Idempotency-Key': 'same-key' }),
      t(task, 'progress', { text: 'probe', percent: 10 }, { 'Idempotency-Key': 'same-key' }),
      t(task, 'progress', { text: 'probe', percent: 11 }, { 'Idempotency-Key': 'same-key' }),
      t(task, 'progress', { text: 'probe', percent: 101 }),
      t(task, 'submit', { evidence: ['x.pdf'] }),
      t(task, 'extension-requests', { newDeadline: { kind: 'workingDays', days: 5 }, reason: 'probe' }),
      t(task, 'extension-requests', { newDeadline: { kind: 'instant', at: '2000-01-01T00:00:00Z' }, reason: 'past' }),
      t(task, 'accept', {}), t(task, 'send-back', { reason: 'x' }), t(task, 'reassign', { ownerUnit: 'unit-z', ownerPerson: 'Z' }),
      t(task, 'extension-decision', { approve: true }), t(task, 'cancel', { reason: 'x' }),
      // evidence files: the task's list and an upload (JSON is not a file type, but rights are judged first)
      ['get', `/items/${id}/tasks/${task}/evidence`],
      t(task, 'evidence', { not: 'a file' }, { 'X-File-Name': 'probe.png' }),
    ]),
    ['post', `/items/${id}/cancel`, { reason: 'probe' }], ['post', `/items/${id}/problems`, { id: 'p9', description: 'x', severity: 'low' }],
    ['post', '/items', { id, title: 'x', supervisionLevel: 'county', leader: { id: 'owner-z', name: 'Z' }, problems: [], tasks: [] }],
  ];
}

const IGNORED_HEADERS = new Set(['date', 'x-request-id', 'etag', 'connection', 'keep-alive']);

async function answers(token: string, id: string): Promise<string[]> {
  const out: string[] = [];
  for (const [method, path, body, headers] of probes(id)) {
    let req = request(stack.app)[method](path).set(bearer(token));
    for (const [k, v] of Object.entries(headers ?? {})) req = req.set(k, v);
    const res = await (body ? req.send(body) : req);
    // the write budget left (r=…) counts down between probes: not about the item
    const hdrs = Object.entries(res.headers).map(([k, v]) => [k, String(v).replace(/; r=\d+; t=\d+/, '; r=_; t=_')] as const).filter(([k]) => !IGNORED_HEADERS.has(k)).sort().map(([k, v]) => `${k}=${v}`).join(';');
    const text = (res.text ?? '').replace(/"requestId":"[^"]*"/, '"requestId":"-"').split(id).join('{id}');
    out.push(`${method.toUpperCase()} ${path.split(id).join('{id}')} → ${res.status} [${hdrs.split(id).join('{id}')}] ${text}`);
  }
  return out;
}

test('a stranger owner gets byte-identical answers for a missing item and the same id being created, running, completed and cancelled', async () => {
  const missing = await answers(stranger, newId('probe'));
  const normalise = (xs: string[]) => xs;

  // created: the probes start the moment POST /items answers (the read side lags)
  const created = newId('probe');
  const startRes = request(stack.app).post('/items').set(bearer(tokens.leader)).send({
    id: created, title: 'x', supervisionLevel: 'county', leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [{ id: 'p1', description: 'x', severity: 'high' }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'x', ownerUnit: 'unit-a', ownerPerson: 'W', deadline: { kind: 'workingDays', days: 10 } }],
  });
  expect((await startRes).status).toBe(201);
  const justCreated = await answers(stranger, created);

  const running = newId('probe');
  await startItem(stack, tokens.leader, running);
  await request(stack.app).post(`/items/${running}/tasks/t1/progress`).set(bearer(tokens.ownerA)).set('Idempotency-Key', 'same-key').send({ text: 'probe', percent: 10 });
  const whileRunning = await answers(stranger, running);

  const completed = newId('probe');
  await startItem(stack, tokens.leader, completed, {
    problems: [{ id: 'p1', description: 'x', severity: 'high' }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'x', ownerUnit: 'unit-a', ownerPerson: 'W', deadline: { kind: 'workingDays', days: 10 } }],
  });
  await request(stack.app).post(`/items/${completed}/tasks/t1/submit`).set(bearer(tokens.ownerA)).send({ evidence: ['e.pdf'] }).expect(200);
  await request(stack.app).post(`/items/${completed}/tasks/t1/accept`).set(bearer(tokens.leader)).send({}).expect(200);
  await eventually(async () => ((await stack.client.workflow.getHandle(`rectification-item:${completed}`).describe()).status.name === 'COMPLETED' ? true : undefined));
  const whenCompleted = await answers(stranger, completed);

  const cancelled = newId('probe');
  await startItem(stack, tokens.leader, cancelled);
  await request(stack.app).post(`/items/${cancelled}/cancel`).set(bearer(tokens.leader)).send({ reason: 'x' }).expect(200);
  await eventually(async () => ((await stack.client.workflow.getHandle(`rectification-item:${cancelled}`).describe()).status.name === 'COMPLETED' ? true : undefined));
  const whenCancelled = await answers(stranger, cancelled);

  // POST /items with an existing id is the one route that is not about visibility: owners may not start items at all (403 either way)
  expect(normalise(justCreated)).toEqual(missing);
  expect(normalise(whileRunning)).toEqual(missing);
  expect(normalise(whenCompleted)).toEqual(missing);
  expect(normalise(whenCancelled)).toEqual(missing);
});

test("an owner of the item cannot tell another unit's task from a missing one, running or ended", async () => {
  const id = newId('tasks');
  await startItem(stack, tokens.leader, id);
  const ask = async () => {
    const out: string[] = [];
    for (const task of ['t2', 'zz']) {
      for (const [action, body] of [['progress', { text: 'x', percent: 1 }], ['submit', { evidence: ['x'] }], ['extension-requests', { newDeadline: { kind: 'workingDays', days: 90 }, reason: 'x' }]] as const) {
        const res = await request(stack.app).post(`/items/${id}/tasks/${task}/${action}`).set(bearer(tokens.ownerA)).send(body);
        out.push(`${action} ${res.status} ${JSON.stringify({ ...res.body, requestId: undefined }).split(task).join('{task}')}`);
      }
      // evidence: an upload and the task's list
      const upload = await request(stack.app).post(`/items/${id}/tasks/${task}/evidence`).set(bearer(tokens.ownerA))
        .set('Content-Type', 'image/png').set('X-File-Name', 'probe.png').send(Buffer.from('png'));
      const list = await request(stack.app).get(`/items/${id}/tasks/${task}/evidence`).set(bearer(tokens.ownerA));
      for (const [action, res] of [['evidence upload', upload], ['evidence list', list]] as const) {
        out.push(`${action} ${res.status} ${JSON.stringify({ ...res.body, requestId: undefined }).split(task).join('{task}')}`);
      }
    }
    return out;
  };
  const running = await ask();
  expect(running.slice(0, 5)).toEqual(running.slice(5));
  expect(running[3]).toMatch(/^evidence upload 404 /);
  await request(stack.app).post(`/items/${id}/cancel`).set(bearer(tokens.leader)).send({ reason: 'x' }).expect(200);
  await eventually(async () => ((await stack.client.workflow.getHandle(`rectification-item:${id}`).describe()).status.name === 'COMPLETED' ? true : undefined));
  const ended = await ask();
  expect(ended.slice(0, 5)).toEqual(ended.slice(5));
});

describe('Idempotency-Key', () => {
  test('the same key racing with the same body is applied once; with different bodies exactly one wins, the rest are 422', async () => {
    const id = newId('race');
    await startItem(stack, tokens.leader, id);
    const send = (percent: number, key: string) =>
      request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).set('Idempotency-Key', key).send({ text: 'r', percent });
    const same = await Promise.all(Array.from({ length: 8 }, () => send(20, 'race-same')));
    expect(same.map((r) => r.status)).toEqual(Array(8).fill(200));
    const different = await Promise.all(Array.from({ length: 8 }, (_, i) => send(30 + i, 'race-diff')));
    const statuses = different.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(7).fill(422)]);
    const view = await request(stack.app).get(`/items/${id}?consistency=live`).set(bearer(tokens.admin));
    expect(view.body.tasks[0].reportCount).toBe(2);
  });

  test('key order and whitespace of the JSON body do not make another request', async () => {
    const id = newId('canon');
    await startItem(stack, tokens.leader, id);
    const path = `/items/${id}/tasks/t1/progress`;
    const a = await request(stack.app).post(path).set(bearer(tokens.ownerA)).set('Idempotency-Key', 'canon-1').set('Content-Type', 'application/json')
      .send('{"text":"dug","percent":20,"evidence":["a.jpg"]}');
    const b = await request(stack.app).post(path).set(bearer(tokens.ownerA)).set('Idempotency-Key', 'canon-1').set('Content-Type', 'application/json')
      .send('{ "evidence" : [ "a.jpg" ] ,\n "percent" : 20, "text":"dug" }');
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.version).toBe(a.body.version);
  });
});
