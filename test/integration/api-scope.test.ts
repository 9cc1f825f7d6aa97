/**
 * What an owner sees of shared items, 双包保 co-owners, forged cursors and
 * reused item ids, through HTTP against the real stack.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { itemWorkflowId } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, ensurePlan, itemBody, projected, startItem, tokensFor, UNIT_A, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
let coOwnerToken: string;
const CO_UNIT = 'unit-t';

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  coOwnerToken = await stack.tokenFor({ sub: 'co-1', name: 'Township head', role: 'owner', unit: CO_UNIT });
});
afterAll(async () => stack?.stop());

const get = (path: string, token: string) => request(stack.app).get(path).set(bearer(token));

test('a co-owner unit finds the item and the task it shares, and an owner is not told the other units', async () => {
  const id = `scope-${randomUUID().slice(0, 8)}`;
  const body = itemBody(id);
  body.tasks[0] = { ...body.tasks[0]!, coOwners: [CO_UNIT] } as (typeof body.tasks)[number];
  const res = await request(stack.app).post('/items').set(bearer(tokens.leader)).send(body);
  expect(res.status).toBe(201);
  await projected(stack, id, res.body.counters.auditSeq);

  const listed = await get(`/items?limit=200`, coOwnerToken);
  expect(listed.status).toBe(200);
  const row = listed.body.items.find((i: { id: string }) => i.id === id);
  expect(row).toBeDefined();
  expect(row.ownerUnits).toEqual([]); // the co-owner is not a responsible unit, and the others are not its business

  const inbox = await get(`/units/${encodeURIComponent(CO_UNIT)}/tasks`, coOwnerToken);
  expect(inbox.status).toBe(200);
  expect(inbox.body.tasks.map((t: { itemId: string; taskId: string }) => `${t.itemId}/${t.taskId}`)).toEqual([`${id}/t1`]);

  const progress = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(coOwnerToken)).send({ text: 'Visited', percent: 10 });
  expect(progress.status).toBe(200);

  const ownerA = (await get(`/items?limit=200`, tokens.ownerA)).body.items.find((i: { id: string }) => i.id === id);
  expect(ownerA.ownerUnits).toEqual([UNIT_A]);
  const view = (await get(`/items/${id}`, tokens.ownerA)).body;
  expect(view.tasks.map((t: { id: string }) => t.id)).toEqual(['t1']);
  expect(view.schedule.lastReview).toBeUndefined();
  // refusing Unit B's owner names no unit: another unit's task reads as no task
  const refused = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerB)).send({ text: 'x', percent: 1 });
  expect(refused.status).toBe(404);
  expect(refused.body.detail).not.toContain(UNIT_A);
});

test('a forged page cursor is a 422, not a 500', async () => {
  const cursor = Buffer.from(JSON.stringify(['createdAt', 'asc', 'not-a-date', 'x'])).toString('base64url');
  const res = await get(`/items?cursor=${cursor}`, tokens.leader);
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('VALIDATION_FAILED');
});

test('an item id stays taken after its workflow history is gone', async () => {
  const id = `gone-${randomUUID().slice(0, 8)}`;
  const created = await startItem(stack, tokens.leader, id);
  await projected(stack, id, created.counters.auditSeq);
  const workflowId = itemWorkflowId(id);
  await stack.client.workflow.getHandle(workflowId).terminate('test: history removed');
  await stack.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });

  const again = await request(stack.app).post('/items').set(bearer(tokens.leader)).send(itemBody(id));
  expect(again.status).toBe(409);
  expect(again.body.code).toBe('ALREADY_EXISTS');
  // and reads fall back to the last projection
  const read = await get(`/items/${id}`, tokens.supervisor);
  expect(read.status).toBe(200);
  expect(read.body.id).toBe(id);
});

test('POST /items checks in order from its one look-up: the plan, then the caller\'s rights, then the units, then the id; each refusal starts nothing', async () => {
  const id = `order-${randomUUID().slice(0, 8)}`;
  const post = (body: object, token = tokens.leader) => request(stack.app).post('/items').set(bearer(token)).send(body);
  const badUnit = itemBody(id);
  badUnit.tasks[1] = { ...badUnit.tasks[1]!, ownerUnit: 'no-such-unit' } as (typeof badUnit.tasks)[number];

  const noPlan = await post({ ...badUnit, planId: `missing-${id}` });
  expect([noPlan.status, noPlan.body.errors?.[0]?.path ?? noPlan.body.detail]).toEqual([422, expect.stringContaining('planId')]);
  const otherLeader = await stack.tokenFor({ sub: 'leader-9', name: 'Someone Else', role: 'leader' });
  expect((await post(badUnit, otherLeader)).status).toBe(403);
  const unknown = await post(badUnit);
  expect(unknown.status).toBe(422);
  expect(JSON.stringify(unknown.body)).toContain('tasks.1.ownerUnit');
  expect(await stack.client.workflow.getHandle(itemWorkflowId(id)).describe().then(() => 'started', () => 'not started')).toBe('not started');

  expect((await post(itemBody(id))).status).toBe(201);
  const again = await post(itemBody(id));
  expect([again.status, again.body.code]).toEqual([409, 'ALREADY_EXISTS']);
});

test('POST /items from its one look-up refuses what the separate checks did: a deactivated unit, a unit code in another case or width, a plan the leader does not answer for', async () => {
  const id = `admit-${randomUUID().slice(0, 8)}`;
  const post = (body: object, token = tokens.leader) => request(stack.app).post('/items').set(bearer(token)).send(body);
  const withUnit = (path: 'ownerUnit' | 'coOwners', code: string) => {
    const body = itemBody(id);
    body.tasks[1] = { ...body.tasks[1]!, ...(path === 'ownerUnit' ? { ownerUnit: code } : { coOwners: [code] }) } as (typeof body.tasks)[number];
    return body;
  };
  await stack.pool.query("INSERT INTO units (code, name, kind, active) VALUES ('unit-gone', 'Merged away', 'countyDepartment', false) ON CONFLICT DO NOTHING");
  for (const [path, code] of [['ownerUnit', 'unit-gone'], ['coOwners', 'unit-gone'], ['ownerUnit', 'UNIT-A'], ['ownerUnit', 'ｕnit-a']] as const) {
    const refused = await post(withUnit(path, code));
    expect([code, refused.status, refused.body.code]).toEqual([code, 422, 'VALIDATION_FAILED']);
    expect(JSON.stringify(refused.body)).toContain(`tasks.1.${path}`);
  }
  // a plan that exists but that this leader does not answer for: 403, for an admin it is fine
  const planId = `plan-${id}`;
  await ensurePlan(stack, planId, ['leader-7']);
  const notTheirs = await post(itemBody(id, { planId }));
  expect([notTheirs.status, notTheirs.body.code]).toEqual([403, 'FORBIDDEN']);
  expect(await stack.client.workflow.getHandle(itemWorkflowId(id)).describe().then(() => 'started', () => 'not started')).toBe('not started');
  const planLeader = await stack.tokenFor({ sub: 'leader-7', name: 'Plan Leader', role: 'leader' });
  // leader-7 answers for the plan but the item names leader-1 as its leader: a plan's leader files items led by others
  const filed = await post(itemBody(id, { planId }), planLeader);
  expect(filed.status).toBe(201);
});
