/**
 * Error cases against the real stack: validation names the field, 404 and 409
 * come from the right places, an ended item takes no more changes but can still
 * be read, and a retried Idempotency-Key is applied once.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';
import { itemStateQuery, itemWorkflowId } from '../../workflows/messages';
import { bearer, eventually, itemBody, projected, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const as = (who: ActorName) => bearer(tokens[who]);

describe('validation names the field', () => {
  test('a body that breaks the schema is 400 with every bad path, and no workflow starts', async () => {
    const id = newId('bad');
    const body = itemBody(id);
    (body.tasks[1]!.deadline as any) = { kind: 'workingDays', days: 0 };
    (body as any).title = 'ok\u0000not ok';
    (body.problems[0] as any).description = 'cut-off emoji \ud83d';
    const res = await request(stack.app).post('/items').set(as('leader')).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(
      ['body.problems.0.description', 'body.tasks.1.deadline.days', 'body.title'].sort(),
    );
    expect((await request(stack.app).get(`/items/${id}`).set(as('admin'))).status).toBe(404);
  });

  test('a body that breaks a business rule is 422 naming the field, and no workflow starts', async () => {
    const id = newId('rule');
    const body = itemBody(id);
    body.tasks[0]!.problemIds = ['p9'];
    const res = await request(stack.app).post('/items').set(as('leader')).send(body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'tasks.0.problemIds.0' }] });
    expect(res.body.detail).toContain("unknown problem 'p9'");
    expect((await request(stack.app).get(`/items/${id}`).set(as('admin'))).status).toBe(404);
  });

  test('a deadline already past is a business-rule refusal (422) naming the task, and no workflow starts', async () => {
    const id = newId('past');
    const body = itemBody(id);
    body.tasks[0]!.deadline = { kind: 'instant', at: '2020-01-01T00:00:00+08:00' };
    const res = await request(stack.app).post('/items').set(as('leader')).send(body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: expect.stringContaining('tasks') })] });
    expect((await request(stack.app).get(`/items/${id}`).set(as('admin'))).status).toBe(404);
  });

  test('a bad action body is 400 naming the field', async () => {
    const id = newId('action');
    await startItem(stack, tokens.leader, id);
    const res = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text: 'x', percent: 150 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.percent' })]);
  });
});

describe('404 and 409', () => {
  test('unknown items and tasks are 404', async () => {
    expect((await request(stack.app).get('/items/no-such-item').set(as('leader'))).status).toBe(404);
    const cancel = await request(stack.app).post('/items/no-such-item/cancel').set(as('leader')).send({ reason: 'x' });
    expect(cancel.status).toBe(404);
    const id = newId('nf');
    await startItem(stack, tokens.leader, id);
    const res = await request(stack.app).post(`/items/${id}/tasks/t9/accept`).set(as('leader')).send({});
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect((await request(stack.app).get('/plans/no-such-plan').set(as('leader'))).status).toBe(404);
  });

  test('accepting a task that was not submitted is 409 and changes nothing', async () => {
    const id = newId('early');
    const before = await startItem(stack, tokens.leader, id);
    const res = await request(stack.app).post(`/items/${id}/tasks/t1/accept`).set(as('leader')).send({});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_TRANSITION', status: 409 });
    const after = await request(stack.app).get(`/items/${id}`).set(as('leader'));
    expect(after.body.counters.auditSeq).toBe(before.counters.auditSeq);
  });

  test('the same item id twice is 409 ALREADY_EXISTS; the same plan id twice too', async () => {
    const id = newId('dup');
    await startItem(stack, tokens.leader, id);
    const res = await request(stack.app).post('/items').set(as('leader')).send(itemBody(id, { title: 'another' }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALREADY_EXISTS');
    expect((await request(stack.app).get(`/items/${id}`).set(as('leader'))).body.title).toBe(`Item ${id}`);
    const planId = newId('plan');
    expect((await request(stack.app).post('/plans').set(as('leader')).send({ id: planId, title: 'P' })).status).toBe(201);
    expect((await request(stack.app).post('/plans').set(as('leader')).send({ id: planId, title: 'P' })).status).toBe(409);
  });

  test('an ended item can still be read, but takes no more changes (409 ITEM_CLOSED)', async () => {
    const id = newId('ended');
    await startItem(stack, tokens.leader, id);
    const cancelled = await request(stack.app).post(`/items/${id}/cancel`).set(as('leader')).send({ reason: 'merged' });
    expect(cancelled.status).toBe(200);
    // the run ends once the last handler finished; a closed workflow still answers queries (replayed by the worker)
    const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
    await expect(handle.query(itemStateQuery)).resolves.toMatchObject({ status: 'cancelled' });
    const read = await request(stack.app).get(`/items/${id}`).set(as('supervisor'));
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('cancelled');
    const res = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text: 'late', percent: 10 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ITEM_CLOSED');
  });
});

describe('Idempotency-Key', () => {
  test('the same key twice applies once; a new key applies again', async () => {
    const id = newId('idem');
    await startItem(stack, tokens.leader, id);
    const send = (key: string) =>
      request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).set('Idempotency-Key', key).send({ text: 'dug', percent: 20 });
    const first = await send('key-1');
    const retry = await send('key-1');
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ version: first.body.version, task: { reportCount: 1 } });
    const state = await request(stack.app).get(`/items/${id}?minVersion=${first.body.version}`).set(as('admin'));
    expect(state.body.tasks[0].reportCount).toBe(1);
    const audit = await request(stack.app).get(`/items/${id}/audit`).set(as('admin'));
    expect(audit.body.events.filter((e: any) => e.action === 'progressReported')).toHaveLength(1);

    const again = await send('key-2');
    expect(again.body.task.reportCount).toBe(2);
  });
});
