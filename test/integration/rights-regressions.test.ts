/**
 * Regressions from a fresh-eyes review of rights by item: plans an item names
 * must exist and be answered for, plan rights are not a window anyone can
 * push, a reassigned unit is never told "no such item" while the read side
 * catches up, a replayed request shows nothing that moved away, extensions
 * stay with the unit that asked, owners' figures are their own, and reads do
 * not count as writes.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { ItemInputSchema, toItemInput } from '../../api/schemas/item-input';
import { LIMITS } from '../../domain/limits';
import { itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { startTestStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { ACTORS, bearer, eventually, inDays, itemBody, projected, startItem, tokensFor, UNIT_A, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
let unitC: string;
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const post = (path: string, token: string, body: object, key?: string) => {
  const req = request(stack.app).post(path).set(bearer(token));
  return (key ? req.set('Idempotency-Key', key) : req).send(body);
};
const get = (path: string, token: string) => request(stack.app).get(path).set(bearer(token));

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  unitC = await stack.tokenFor({ sub: 'owner-c', name: 'Sun', role: 'owner', unit: 'unit-c' });
});
afterAll(async () => stack?.stop());

describe('claim 1: leaders decide only on items they lead or whose plan lists them', () => {
  test('plan squatting: an item cannot name a plan that does not exist, nor one its creator does not answer for', async () => {
    const planId = newId('future-plan');
    const id = newId('squat');
    expect((await post('/items', tokens.leader, itemBody(id, { planId }))).status).toBe(422);
    // leader-2 draws up the plan under that id: leader-1 cannot file into it, nor leader-2 decide on leader-1's own item
    expect((await post('/plans', tokens.otherLeader, { id: planId, title: 'Theirs' })).status).toBe(201);
    expect((await post('/items', tokens.leader, itemBody(id, { planId }))).status).toBe(403);
    await startItem(stack, tokens.leader, id);
    expect((await post(`/items/${id}/cancel`, tokens.otherLeader, { reason: 'mine now' })).status).toBe(403);
  });

  test(`a leader named on ${LIMITS.plansPerLeader} newer plans by someone else loses the rights of the plan they really answer for`, async () => {
    const victim = { sub: `leader-v-${randomUUID().slice(0, 6)}`, name: 'Victim', role: 'leader' as const };
    const victimToken = await stack.tokenFor(victim);
    const realPlan = newId('real-plan');
    expect((await post('/plans', tokens.admin, { id: realPlan, title: 'Real', leaderIds: [victim.sub] })).status).toBe(201);
    const id = newId('window');
    // leader-1 leads the item (an admin filed it into the plan); the victim decides on it only through the plan
    await startItem(stack, tokens.admin, id, { planId: realPlan });
    await post(`/items/${id}/tasks/t1/submit`, tokens.ownerA, { evidence: ['done.pdf'] }).expect(200);
    // another leader names the victim on plans of their own (the API lets any leader name anyone)
    for (let i = 0; i < LIMITS.plansPerLeader; i++) {
      const res = await post('/plans', tokens.otherLeader, { id: newId(`spam-${i}`), title: 'Spam', leaderIds: [victim.sub] });
      expect(res.status).toBe(201);
    }
    const accept = await post(`/items/${id}/tasks/t1/accept`, victimToken, { note: 'checked' });
    // the victim answers for the item's plan, however many other plans name them
    expect(accept.status).toBe(200);
  }, 120_000);
});

describe('claim 2: nothing about an item reads "no such item" to an owner who is concerned by it', () => {
  test('the unit a task was just reassigned to is told its item does not exist while the read side catches up (even with consistency=live)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const id = newId('lag');
      const created = await startItem(stack, tokens.leader, id);
      await projected(stack, id, created.version);
      const moved = await post(`/items/${id}/tasks/t1/reassign`, tokens.leader, { ownerUnit: 'unit-c', ownerPerson: 'Sun' });
      expect(moved.status).toBe(200);
      // Unit C is told by a 'reassigned' notification; it reads the item at once, asking for the live version
      const read = await get(`/items/${id}?consistency=live`, unitC);
      statuses.push(read.status);
      // and it is lag, not a rule: once the read side has the reassignment, Unit C reads the item
      await get(`/items/${id}?minVersion=${moved.body.version}`, tokens.admin).expect(200);
      expect((await get(`/items/${id}`, unitC)).status).toBe(200);
    }
    // every read waits for the read side (200), or answers 503 + Retry-After; never 404
    expect(statuses.filter((s) => s === 404)).toEqual([]);
  });
});

describe('claim 3: records and task state follow the unit they were about', () => {
  test("after continue-as-new, replaying an old Idempotency-Key shows the old unit the new unit's task", async () => {
    // an item whose workflow continues as new often (the same option the workflow tests use)
    const id = newId('replay');
    const body = ItemInputSchema.parse(itemBody(id));
    const leader = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };
    const handle = await stack.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: stack.taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(toItemInput(body, id), leader, Date.now(), { maxHistoryEvents: 40 }),
    });
    const firstRun = handle.firstExecutionRunId;
    const report = { text: 'report of unit A', percent: 30 };
    const first = await post(`/items/${id}/tasks/t1/progress`, tokens.ownerA, report, 'a-key-1');
    expect(first.status).toBe(200);
    expect((await post(`/items/${id}/tasks/t1/reassign`, tokens.leader, { ownerUnit: 'unit-c', ownerPerson: 'Sun Secret' })).status).toBe(200);
    // Unit C works on it until the workflow has continued as new
    for (let i = 0; i < 40; i++) {
      const describe = await stack.client.workflow.getHandle(itemWorkflowId(id)).describe();
      if (describe.runId !== firstRun) break;
      expect((await post(`/items/${id}/tasks/t1/progress`, unitC, { text: `unit C private report ${i}`, percent: 40 + i })).status).toBe(200);
    }
    // once the saves are idle the run continues as new
    await eventually(async () => ((await stack.client.workflow.getHandle(itemWorkflowId(id)).describe()).runId !== firstRun ? true : undefined), 20_000);

    // Unit A no longer acts for t1 and cannot read it...
    const view = await get(`/items/${id}`, tokens.ownerA);
    expect(view.body.tasks).toEqual([]);
    // ...but a retry of its old request (same key, same body) answers with t1 as it is now: Unit C's person and progress
    const replay = await post(`/items/${id}/tasks/t1/progress`, tokens.ownerA, report, 'a-key-1');
    expect(JSON.stringify(replay.body)).not.toContain('Sun Secret');
    expect(replay.body.task?.ownerUnit).not.toBe('unit-c');
  });

  test("an extension Unit A asked for ends with the hand-over, on A's record: C inherits no request of A's", async () => {
    const id = newId('ext');
    await startItem(stack, tokens.leader, id);
    await post(`/items/${id}/tasks/t1/extension-requests`, tokens.ownerA, {
      newDeadline: { kind: 'instant', at: inDays(60) }, reason: 'rain season in unit A',
    }).expect(200);
    const moved = await post(`/items/${id}/tasks/t1/reassign`, tokens.leader, { ownerUnit: 'unit-c', ownerPerson: 'Sun' }).expect(200);
    await get(`/items/${id}?minVersion=${moved.body.version}`, tokens.admin).expect(200);
    const viewC = await get(`/items/${id}`, unitC).expect(200);
    expect(viewC.body.tasks[0].pendingExtension).toBeUndefined();
    // there is nothing left to decide
    expect((await post(`/items/${id}/tasks/t1/extension-decision`, tokens.leader, { approve: true, note: 'granted to A' })).status).toBe(409);
    const eventsA = (await get(`/items/${id}/audit`, tokens.ownerA)).body.events as Array<{ action: string; details: Record<string, unknown> }>;
    expect(eventsA.map((e) => e.action)).toEqual(['extensionRequested', 'taskReassigned']);
    expect(eventsA[1]!.details.closedPendingExtension).toBe(true);
    const eventsC = (await get(`/items/${id}/audit`, unitC)).body.events as Array<{ action: string }>;
    expect(eventsC.map((e) => e.action)).toEqual(['taskReassigned']);
  });
});

describe("owners learn nothing about other units' tasks in an item they share", () => {
  test("the item view and the list give item-wide figures: other units' open and overdue tasks, their next deadline, the item's version", async () => {
    const id = newId('figures');
    // Unit B's task is due first; Unit A's later
    await startItem(stack, tokens.leader, id, {
      tasks: [
        { id: 't1', problemIds: ['p1'], description: 'A work', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'instant', at: inDays(40) } },
        { id: 't2', problemIds: ['p2'], description: 'B work', ownerUnit: 'unit-b', ownerPerson: 'Chen Jie', deadline: { kind: 'instant', at: inDays(10) } },
      ],
    });
    const b1 = await post(`/items/${id}/tasks/t2/progress`, tokens.ownerB, { text: 'B private', percent: 10 });
    await get(`/items/${id}?minVersion=${b1.body.version}`, tokens.admin).expect(200);
    const view = (await get(`/items/${id}`, tokens.ownerA)).body;
    const mine = view.tasks as Array<{ id: string; deadline: { dueAt: string } }>;
    expect(mine.map((t) => t.id)).toEqual(['t1']);
    const row = ((await get(`/items?limit=200`, tokens.ownerA)).body.items as Array<Record<string, unknown>>).find((i) => i.id === id)!;
    // expected: figures over what the owner may see (one open task, its own deadline)
    expect({ view: { openTasks: view.figures.openTasks, nextDeadline: view.figures.nextDeadline }, list: { openTasks: row.openTasks, nextDeadline: row.nextDeadline } })
      .toEqual({ view: { openTasks: 1, nextDeadline: mine[0]!.deadline.dueAt }, list: { openTasks: 1, nextDeadline: mine[0]!.deadline.dueAt } });
  });
});

describe('claim 7: the write limit counts writes only', () => {
  test('HEAD reads use up the write budget', async () => {
    const config = loadApiConfig({
      NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: stack.taskQueue, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
      RATE_LIMIT_WRITES_PER_MINUTE: '3', TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
    });
    const app = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    const id = newId('head');
    await startItem(stack, tokens.leader, id);
    await eventually(async () => ((await request(app).get(`/items/${id}`).set(bearer(tokens.ownerA))).status === 200 ? true : undefined));
    const heads: number[] = [];
    for (let i = 0; i < 3; i++) heads.push((await request(app).head(`/items/${id}`).set(bearer(tokens.ownerA))).status);
    expect(heads).toEqual([200, 200, 200]);
    const write = await request(app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).send({ text: 'first write', percent: 5 });
    // no write was sent yet
    expect(write.status).toBe(200);
  });
});
