/**
 * The role × action matrix against the real stack: every allowed action
 * succeeds and shows its effect; every forbidden one is refused (403, or 404
 * for an owner naming another unit's task) and the item read back afterwards
 * is exactly what it was. Leaders act on the items they lead and on the items
 * of the plans they answer for; other leaders only read.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';
import { ACTORS, bearer, inDays, itemBody, startItem, tokensFor, UNIT_A, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName | 'planLeader', string>;
/** every item of the matrix belongs to this plan, which leader-3 answers for */
const PLAN = `roles-plan-${randomUUID().slice(0, 6)}`;
const PLAN_LEADER = { sub: 'leader-3', name: 'Zhou Ming', role: 'leader' as const };

beforeAll(async () => {
  stack = await startTestStack();
  tokens = { ...(await tokensFor(stack)), planLeader: await stack.tokenFor(PLAN_LEADER) };
  const plan = await request(stack.app).post('/plans').set(bearer(tokens.admin)).send({ id: PLAN, title: 'Roles', leaderIds: [PLAN_LEADER.sub] });
  expect(plan.status).toBe(201);
});
// an admin files them: leader-1 leads each item, leader-3 answers for the plan
const startInPlan = (id: string) => startItem(stack, tokens.admin, id, { planId: PLAN });
afterAll(async () => stack?.stop());

const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const post = (path: string, token: string | undefined, body: object) => {
  const req = request(stack.app).post(path);
  return (token ? req.set(bearer(token)) : req).send(body);
};
/** The item as the read side has it once it holds everything the workflow has done (consistency=live). */
const readAsAdmin = async (id: string) => (await request(stack.app).get(`/items/${id}?consistency=live`).set(bearer(tokens.admin))).body;
const task = (state: any, id: string) => state.tasks.find((t: any) => t.id === id);

type Who = ActorName | 'planLeader';

interface Action {
  name: string;
  path: (id: string) => string;
  body: object;
  allowed: Who[];
  /** brings a fresh item into the state the action needs */
  setup?: (id: string) => Promise<void>;
  effect: (state: any) => void;
}

const submitT1 = async (id: string) => {
  const res = await post(`/items/${id}/tasks/t1/submit`, tokens.ownerA, { evidence: ['photo-1.jpg'] });
  expect(res.status).toBe(200);
};
const requestExtensionT1 = async (id: string) => {
  const res = await post(`/items/${id}/tasks/t1/extension-requests`, tokens.ownerA, {
    newDeadline: { kind: 'instant', at: inDays(60) }, reason: 'rain season',
  });
  expect(res.status).toBe(200);
};

const OWNER_SIDE: Who[] = ['ownerA', 'admin'];
const LEADER_SIDE: Who[] = ['leader', 'planLeader', 'admin'];
const EVERYONE: Who[] = [...(Object.keys(ACTORS) as ActorName[]), 'planLeader'];

const actions: Action[] = [
  { name: 'report progress', path: (id) => `/items/${id}/tasks/t1/progress`, body: { text: 'half done', percent: 50 }, allowed: OWNER_SIDE,
    effect: (s) => expect(task(s, 't1')).toMatchObject({ percent: 50, reportCount: 1, status: 'inProgress' }) },
  { name: 'submit', path: (id) => `/items/${id}/tasks/t1/submit`, body: { evidence: ['report.pdf'] }, allowed: OWNER_SIDE,
    effect: (s) => expect(task(s, 't1').status).toBe('submitted') },
  { name: 'request an extension', path: (id) => `/items/${id}/tasks/t1/extension-requests`,
    body: { newDeadline: { kind: 'workingDays', days: 60 }, reason: 'materials late' }, allowed: OWNER_SIDE,
    effect: (s) => expect(task(s, 't1').pendingExtension).toMatchObject({ newDeadline: { kind: 'workingDays', days: 60 } }) },
  { name: 'accept', path: (id) => `/items/${id}/tasks/t1/accept`, body: { note: 'good' }, allowed: LEADER_SIDE, setup: submitT1,
    effect: (s) => expect(task(s, 't1').status).toBe('accepted') },
  { name: 'send back', path: (id) => `/items/${id}/tasks/t1/send-back`, body: { reason: 'photos unclear' }, allowed: LEADER_SIDE, setup: submitT1,
    effect: (s) => expect(task(s, 't1')).toMatchObject({ status: 'inProgress', reworkCount: 1 }) },
  { name: 'decide an extension', path: (id) => `/items/${id}/tasks/t1/extension-decision`, body: { approve: true }, allowed: LEADER_SIDE,
    setup: requestExtensionT1, effect: (s) => expect(task(s, 't1')).toMatchObject({ extensionsApproved: 1, deadline: { spec: { kind: 'instant' } } }) },
  { name: 'reassign', path: (id) => `/items/${id}/tasks/t1/reassign`, body: { ownerUnit: 'unit-c', ownerPerson: 'Sun Li' }, allowed: LEADER_SIDE,
    effect: (s) => expect(task(s, 't1').ownerUnit).toBe('unit-c') },
  { name: 'cancel a task', path: (id) => `/items/${id}/tasks/t1/cancel`, body: { reason: 'duplicate' }, allowed: LEADER_SIDE,
    effect: (s) => expect(task(s, 't1').status).toBe('cancelled') },
  { name: 'add a problem', path: (id) => `/items/${id}/problems`, body: { id: 'p3', description: 'Drainage', severity: 'low' }, allowed: LEADER_SIDE,
    effect: (s) => expect(s.problems.map((p: any) => p.id)).toContain('p3') },
  { name: 'add a task', path: (id) => `/items/${id}/tasks`,
    body: { id: 't3', problemIds: ['p1'], description: 'Inspect', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'workingDays', days: 5 } },
    allowed: LEADER_SIDE, effect: (s) => expect(task(s, 't3')).toBeDefined() },
  { name: 'cancel the item', path: (id) => `/items/${id}/cancel`, body: { reason: 'merged into another item' }, allowed: LEADER_SIDE,
    effect: (s) => expect(s.status).toBe('cancelled') },
];

/** How a caller outside the action's rights is refused: another unit's task is no task to them (nothing to probe). */
function refusal(who: Who, action: Action): { status: number; code: string } {
  return who === 'ownerB' && action.allowed.includes('ownerA') ? { status: 404, code: 'NOT_FOUND' } : { status: 403, code: 'FORBIDDEN' };
}

describe.each(actions)('$name', (action) => {
  const forbidden = EVERYONE.filter((a) => !action.allowed.includes(a));

  test.each(action.allowed)('%s may: 200 with the version it produced, and the change is read back at that version', async (who) => {
    const id = newId('allowed');
    await startInPlan(id);
    await action.setup?.(id);
    const res = await post(action.path(id), tokens[who], action.body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ itemId: id, duplicate: false });
    // read your writes: the version the command answered is the one to wait for
    const read = await request(stack.app).get(`/items/${id}?minVersion=${res.body.version}`).set(bearer(tokens[who]));
    expect(read.status).toBe(200);
    expect(read.body.version).toBeGreaterThanOrEqual(res.body.version);
    action.effect(await readAsAdmin(id));
  });

  test(`${forbidden.join(', ')}, anonymous and a forged token may not; nothing changes`, async () => {
    const id = newId('forbidden');
    await startInPlan(id);
    await action.setup?.(id);
    const before = await readAsAdmin(id);
    for (const who of forbidden) {
      const res = await post(action.path(id), tokens[who], action.body);
      expect({ who, status: res.status, code: res.body.code }).toEqual({ who, ...refusal(who, action) });
    }
    for (const token of [undefined, `${tokens.leader}x`]) {
      const res = await post(action.path(id), token, action.body);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(await readAsAdmin(id)).toEqual(before);
  });
});

describe('creating plans and items', () => {
  test.each(['leader', 'admin'] as const)('%s may start an item and create a plan', async (who) => {
    const id = newId('start');
    expect((await post('/items', tokens[who], itemBody(id))).status).toBe(201);
    const plan = await post('/plans', tokens[who], { id: newId('plan'), title: 'Inspection feedback', categories: ['roads'] });
    expect(plan.status).toBe(201);
    expect(plan.body.createdBy).toBe(ACTORS[who].sub);
  });

  test('a leader starts items they lead or of a plan they answer for; another leader may not, and nothing is created', async () => {
    const mine = newId('mine');
    expect((await post('/items', tokens.otherLeader, itemBody(mine, { leader: { id: 'leader-2', name: 'Liu Yang' } }))).status).toBe(201);
    const inPlan = newId('inplan');
    expect((await post('/items', tokens.planLeader, itemBody(inPlan, { planId: PLAN }))).status).toBe(201);
    const notMine = newId('notmine');
    const refused = await post('/items', tokens.otherLeader, itemBody(notMine));
    expect(refused.status).toBe(403);
    expect((await request(stack.app).get(`/items/${notMine}`).set(bearer(tokens.admin))).status).toBe(404);
    // a plan drawn up by a leader is one they answer for
    const plan = await post('/plans', tokens.otherLeader, { id: newId('plan2'), title: 'Feedback', leaderIds: ['leader-4'] });
    expect(plan.body.leaderIds.sort()).toEqual(['leader-2', 'leader-4']);
  });

  test('the leaders of a plan are changed by an admin or a leader who answers for it, no one else', async () => {
    const id = newId('plan3');
    expect((await post('/plans', tokens.admin, { id, title: 'Feedback', leaderIds: ['leader-3'] })).status).toBe(201);
    expect((await post(`/plans/${id}/leaders`, tokens.otherLeader, { leaderIds: ['leader-2'] })).status).toBe(403);
    const changed = await post(`/plans/${id}/leaders`, tokens.planLeader, { leaderIds: ['leader-3', 'leader-2'] });
    expect(changed.status).toBe(200);
    expect(changed.body.leaderIds).toEqual(['leader-3', 'leader-2']);
    expect((await post(`/plans/${id}/leaders`, tokens.ownerA, { leaderIds: ['owner-a'] })).status).toBe(403);
    expect((await post(`/plans/no-such-${id}/leaders`, tokens.admin, { leaderIds: ['x'] })).status).toBe(404);
  });

  test.each(['supervisor', 'ownerA'] as const)('%s may not, and nothing is created', async (who) => {
    const id = newId('nostart');
    expect((await post('/items', tokens[who], itemBody(id))).status).toBe(403);
    expect((await request(stack.app).get(`/items/${id}`).set(bearer(tokens.admin))).status).toBe(404);
    const planId = newId('noplan');
    expect((await post('/plans', tokens[who], { id: planId, title: 'x' })).status).toBe(403);
    expect((await request(stack.app).get(`/plans/${planId}`).set(bearer(tokens.admin))).status).toBe(404);
  });
});

describe('who sees what', () => {
  let id: string;
  beforeAll(async () => {
    id = newId('visibility');
    await startItem(stack, tokens.leader, id);
  });

  test('leaders, supervisors and admins see every task', async () => {
    for (const who of ['leader', 'supervisor', 'admin'] as const) {
      const res = await request(stack.app).get(`/items/${id}`).set(bearer(tokens[who]));
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((t: any) => t.id)).toEqual(['t1', 't2']);
    }
  });

  test("owners see only their unit's tasks and the problems those address", async () => {
    const a = await request(stack.app).get(`/items/${id}`).set(bearer(tokens.ownerA));
    expect(a.body.tasks.map((t: any) => t.id)).toEqual(['t1']);
    expect(a.body.problems.map((p: any) => p.id)).toEqual(['p1']);
    const lists = await request(stack.app).get(`/items/${id}/four-lists`).set(bearer(tokens.ownerB));
    expect(lists.body.responsibilities).toEqual([expect.objectContaining({ taskId: 't2', ownerUnit: 'unit-b' })]);
  });

  test('an owner with no task in the item gets 404, as if it did not exist', async () => {
    const stranger = await stack.tokenFor({ sub: 'owner-c', name: 'Sun', role: 'owner', unit: 'unit-c' });
    expect((await request(stack.app).get(`/items/${id}`).set(bearer(stranger))).status).toBe(404);
  });

  test("owners read only their own unit's open tasks; reviews and the feed are not theirs", async () => {
    expect((await request(stack.app).get(`/units/${encodeURIComponent(UNIT_A)}/tasks`).set(bearer(tokens.ownerA))).status).toBe(200);
    expect((await request(stack.app).get(`/units/${encodeURIComponent(UNIT_A)}/tasks`).set(bearer(tokens.ownerB))).status).toBe(403);
    expect((await request(stack.app).get('/escalations').set(bearer(tokens.ownerA))).status).toBe(403);
    expect((await request(stack.app).get('/escalations').set(bearer(tokens.supervisor))).status).toBe(200);
  });
});
