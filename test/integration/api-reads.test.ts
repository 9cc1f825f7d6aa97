/**
 * The read side through HTTP against the real stack: pagination returns every
 * item exactly once under several filters; the plan report and the unit
 * ranking match a hand-computed fixture; records and the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { FourListsSchema, ItemViewSchema } from '../../api/schemas/item-state';
import { AuditListSchema, ItemPageSchema, PlanPageSchema, PlanReportSchema, UnitRankingSchema, UnitTasksSchema } from '../../api/schemas/read-models';
import { composeItemView, WHOLE_ITEM } from '../../db/repositories/item-view';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, projected, startItem, tokensFor, UNIT_A, UNIT_B, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const suffix = randomUUID().slice(0, 6);

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

const as = (who: ActorName) => bearer(tokens[who]);
const get = (path: string, who: ActorName = 'leader') => request(stack.app).get(path).set(as(who));
const act = async (who: ActorName, path: string, body: object) => {
  const res = await request(stack.app).post(path).set(as(who)).send(body);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const dayAfter = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

function task(id: string, problemId: string, ownerUnit: string, at: string) {
  return { id, problemIds: [problemId], description: `task ${id}`, ownerUnit, ownerPerson: `${ownerUnit} head`, deadline: { kind: 'instant', at } };
}

/** Pages through GET /items with `limit` and returns the ids in the order served. */
async function allPages(query: Record<string, string>, who: ActorName = 'leader', limit = 2): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const params = new URLSearchParams({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await get(`/items?${params}`, who);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((i: any) => i.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

describe('pagination over GET /items', () => {
  const plan = `pq-${suffix}`;
  const ids = Array.from({ length: 7 }, (_, i) => `q${i}-${suffix}`);
  const base = dayAfter(new Date().toISOString(), 30);

  beforeAll(async () => {
    for (const [i, id] of ids.entries()) {
      // deadlines repeat every third item so the nextDeadline sort has exact ties to page across
      const state = await startItem(stack, tokens.leader, id, {
        planId: plan,
        title: `Item ${String.fromCharCode(71 - i)}`,
        supervisionLevel: i % 2 ? 'city' : 'county',
        tasks: [task('t1', 'p1', i % 2 ? 'unit-c' : UNIT_A, dayAfter(base, i % 3)), task('t2', 'p2', UNIT_B, dayAfter(base, 5))],
      });
      if (i === 6) {
        const cancelled = await act('leader', `/items/${id}/cancel`, { reason: 'merged' });
        await projected(stack, id, cancelled.version);
      } else {
        await projected(stack, id, state.version);
      }
    }
  });

  const odd = () => ids.filter((_, i) => i % 2);
  const even = () => ids.filter((_, i) => i % 2 === 0);

  test.each<[string, Record<string, string>, () => string[]]>([
    ['the plan', {}, () => ids],
    ['a supervision level', { supervisionLevel: 'city' }, odd],
    ['an owner unit', { ownerUnit: 'unit-c' }, odd],
    ['a status', { status: 'active' }, () => ids.slice(0, 6)],
    ['cancelled', { status: 'cancelled' }, () => [ids[6]!]],
    ['a deadline range', { dueFrom: dayAfter(base, 1), dueTo: dayAfter(base, 1) }, () => [ids[1]!, ids[4]!]],
    ['the deadline, descending, with ties', { sort: 'nextDeadline', order: 'desc' }, () => ids],
    ['the title, descending', { sort: 'title', order: 'desc' }, () => ids],
  ])('every item exactly once, filtered by %s', async (_name, filter, expected) => {
    const served = await allPages({ plan, ...filter });
    expect(new Set(served).size).toBe(served.length);
    expect([...served].sort()).toEqual([...expected()].sort());
  });

  test('sorting by title descending serves titles in order', async () => {
    const served = await allPages({ plan, sort: 'title', order: 'desc' }, 'leader', 3);
    expect(served).toEqual(ids); // titles G, F, E … were given in id order
  });

  test('owners are held to their own unit whatever they ask for', async () => {
    const served = await allPages({ plan, ownerUnit: 'unit-c' }, 'ownerA');
    expect([...served].sort()).toEqual([...even()].sort());
  });

  test('a tampered cursor is refused, not a 500', async () => {
    const res = await get(`/items?plan=${plan}&cursor=bm9wZQ`);
    expect(res.status).toBe(422);
  });
});

describe('plan report and unit ranking match a hand-computed fixture', () => {
  const plan = `pr-${suffix}`;
  const r = (n: number) => `r${n}-${suffix}`;
  const far = dayAfter(new Date().toISOString(), 30);
  const last: Record<string, number> = {};

  beforeAll(async () => {
    const created = await request(stack.app).post('/plans').set(as('leader')).send({ id: plan, title: 'Inspection feedback', categories: ['roads', 'lighting'] });
    expect(created.status).toBe(201);
    const start = async (n: number, category: string, tasks?: object[]) => {
      const s = await startItem(stack, tokens.leader, r(n), { planId: n === 5 ? `other-${suffix}` : plan, category, ...(tasks ? { tasks } : {}) });
      last[r(n)] = s.counters.auditSeq;
    };
    await start(1, 'roads');
    await start(2, 'lighting');
    await start(3, 'roads', [task('t1', 'p1', UNIT_A, far), task('t2', 'p2', 'unit-c', far)]);
    await start(4, 'water');
    await start(5, 'roads'); // another plan: must not count
    const run = async (id: string, steps: Array<[ActorName, string, object]>) => {
      for (const [who, path, body] of steps) last[id] = (await act(who, `/items/${id}${path}`, body)).version;
    };
    await run(r(1), [['ownerA', '/tasks/t1/submit', { evidence: ['e1'] }], ['leader', '/tasks/t1/accept', {}]]);
    await run(r(2), [['leader', '/tasks/t2/cancel', { reason: 'duplicate' }]]);
    await run(r(3), [
      ['ownerA', '/tasks/t1/submit', { evidence: ['e1'] }],
      ['leader', '/tasks/t1/send-back', { reason: 'incomplete' }],
      ['ownerA', '/tasks/t1/submit', { evidence: ['e2'] }],
      ['leader', '/tasks/t1/accept', {}],
    ]);
    for (const [id, version] of Object.entries(last)) await projected(stack, id, version);
  });

  test('GET /plans/:id leads with the counts and completion of its four lists', async () => {
    const res = await get(`/plans/${plan}`, 'supervisor');
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ categories: 3, items: 4, problems: 8, tasks: 8, units: 3 });
    expect(res.body.completion).toEqual({
      tasksAccepted: 2, tasksCancelled: 1, tasksOpen: 5, tasksOverdue: 0, completionRate: 2 / 7,
      problemsClosed: 3, problemsOpen: 5, itemsCompleted: 0, itemsActive: 4, itemsCancelled: 0,
    });
    expect(res.body.lists.tasks).toHaveLength(8);
    expect(res.body.lists.responsibilities).toHaveLength(8);
  });

  test('GET /units/ranking?planId= ranks by completion, then overdue, then escalations, then name', async () => {
    const res = await get(`/units/ranking?planId=${plan}`, 'supervisor');
    expect(res.status).toBe(200);
    expect(res.body.units.map((u: any) => [u.rank, u.ownerUnit, u.totalTasks, u.acceptedTasks, u.completionRate, u.reworks])).toEqual([
      [1, UNIT_A, 4, 2, 0.5, 1],
      [2, UNIT_B, 2, 0, 0, 0],
      [3, 'unit-c', 1, 0, 0, 0],
    ]);
    expect((await get('/units/ranking?planId=no-such-plan')).status).toBe(404);
  });

  test('GET /plans lists it; owners may not read the report', async () => {
    const list = await get('/plans?limit=200');
    expect(list.body.plans.map((p: any) => p.id)).toContain(plan);
    expect((await get(`/plans/${plan}`, 'ownerA')).status).toBe(403);
  });

  test('the audit trail names who did what; owners see only their tasks\' lines', async () => {
    const audit = await get(`/items/${r(3)}/audit`, 'supervisor');
    expect(audit.status).toBe(200);
    const t1 = audit.body.events.filter((e: any) => e.taskId === 't1').map((e: any) => [e.actor.id, e.actor.role]);
    expect(t1).toEqual([['owner-a', 'owner'], ['leader-1', 'leader'], ['owner-a', 'owner'], ['leader-1', 'leader']]);
    const mine = await get(`/items/${r(1)}/audit`, 'ownerB');
    expect(mine.body.events.every((e: any) => e.taskId === 't2')).toBe(true);
    for (const record of ['dispatches', 'reviews', 'escalations', 'notifications']) {
      const res = await get(`/items/${r(1)}/${record}`, 'supervisor');
      expect(res.status).toBe(200);
      expect(Array.isArray(Object.values(res.body)[0])).toBe(true);
    }
    expect((await get(`/items/no-such-${suffix}/audit`)).status).toBe(404);
  });

  test("GET /units/:unit/tasks lists a unit's open tasks", async () => {
    const res = await get(`/units/${encodeURIComponent('unit-c')}/tasks`, 'supervisor');
    expect(res.body.tasks.filter((t: any) => t.itemId === r(3)).map((t: any) => t.taskId)).toEqual(['t2']);
  });
});

describe('OpenAPI', () => {
  test('responses match the schemas the document publishes', async () => {
    const [item] = (await get('/items?limit=1')).body.items;
    const checks: Array<[{ safeParse(v: unknown): { success: boolean; error?: unknown } }, string]> = [
      [ItemViewSchema, `/items/${item.id}`],
      [FourListsSchema, `/items/${item.id}/four-lists`],
      [AuditListSchema, `/items/${item.id}/audit`],
      [ItemPageSchema, '/items?limit=5'],
      [PlanPageSchema, '/plans'],
      [PlanReportSchema, `/plans/pr-${suffix}`],
      [UnitRankingSchema, '/units/ranking'],
      [UnitTasksSchema, `/units/${encodeURIComponent(UNIT_A)}/tasks`],
    ];
    for (const [schema, path] of checks) {
      const res = await get(path, 'admin');
      expect(res.status).toBe(200);
      const parsed = schema.safeParse(res.body);
      expect({ path, error: parsed.success ? undefined : parsed.error }).toEqual({ path, error: undefined });
    }
  });

  test('every documented operation is served by the app (none falls through to "no route")', async () => {
    const doc = (await request(stack.app).get('/openapi.json')).body;
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const res = await (request(stack.app) as any)[method](url).set(as('admin')).send({});
        expect({ method, path, noRoute: String(res.body?.detail ?? '').startsWith('no route') }).toEqual({ method, path, noRoute: false });
      }
    }
  });
});

describe('reading one item (GET /items/:id, from the read side)', () => {
  test('readable the moment POST /items answered, by everyone who may see it, with the version it was created at', async () => {
    const id = `one1-${suffix}`;
    const created = await startItem(stack, tokens.leader, id);
    // no wait: the API waits for the read side itself rather than answering 404
    const [leader, supervisor, ownerA, ownerB] = await Promise.all([
      get(`/items/${id}`, 'leader'), get(`/items/${id}`, 'supervisor'), get(`/items/${id}`, 'ownerA'), get(`/items/${id}`, 'ownerB'),
    ]);
    for (const res of [leader, supervisor, ownerA, ownerB]) {
      expect(res.status).toBe(200);
      expect(res.body.version).toBeGreaterThanOrEqual(created.version);
      expect(() => ItemViewSchema.parse(res.body)).not.toThrow();
    }
    expect(supervisor.body.tasks.map((t: any) => t.id)).toEqual(['t1', 't2']);
    expect(supervisor.body.tasks.map((t: any) => t.description)).toEqual(created.tasks.map((t: any) => t.description));
    expect(supervisor.body.tasks.map((t: any) => t.deadline.dueAt)).toEqual(created.tasks.map((t: any) => t.deadline.dueAt));
    expect(ownerA.body.tasks.map((t: any) => t.id)).toEqual(['t1']);
    expect(ownerB.body.tasks.map((t: any) => t.id)).toEqual(['t2']);
  });

  test('minVersion and consistency=live wait for the version a command answered; the row then shows its report', async () => {
    const id = `one2-${suffix}`;
    await startItem(stack, tokens.leader, id);
    const answered = await act('ownerA', `/items/${id}/tasks/t1/progress`, { text: 'half the road resurfaced', percent: 50 });
    const [byVersion, live] = await Promise.all([
      get(`/items/${id}?minVersion=${answered.version}`, 'supervisor'),
      get(`/items/${id}?consistency=live`, 'ownerA'),
    ]);
    for (const res of [byVersion, live]) {
      expect(res.status).toBe(200);
      expect(res.body.version).toBeGreaterThanOrEqual(answered.version);
      expect(res.body.tasks.find((t: any) => t.id === 't1').lastReport).toMatchObject({ text: 'half the road resurfaced', percent: 50 });
    }
    // timestamps read out of the one-statement view are ISO strings like every other read
    expect(byVersion.body.tasks[0].assignedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(byVersion.body.tasks[0].lastReport.at).toMatch(/Z$/);
  });

  test('leaders, supervisors and admins read the whole item kept with its row by its last save; a unit renamed reads under its new name at once', async () => {
    const code = `unit-r3-${suffix}`;
    const unit = { code, name: '旧名单位', kind: 'countyDepartment' };
    expect((await request(stack.app).post('/units').set(as('admin')).send(unit)).status).toBe(201);
    const id = `one3-${suffix}`;
    const body = { tasks: [task('t1', 'p1', code, dayAfter(new Date().toISOString(), 20)), task('t2', 'p2', UNIT_B, dayAfter(new Date().toISOString(), 25))] };
    const created = await startItem(stack, tokens.leader, id, body);
    await projected(stack, id, created.version);
    const kept = async () => (await stack.pool.query('SELECT view FROM items WHERE id = $1', [id])).rows[0].view;
    // the row's view is the item composed from its rows, and what the API serves
    expect(await kept()).toEqual(JSON.parse(JSON.stringify(await composeItemView(stack.pool, id, WHOLE_ITEM))));
    expect((await get(`/items/${id}`, 'supervisor')).body).toEqual(await kept());
    expect((await get(`/items/${id}`, 'leader')).body.tasks[0].ownerUnitName).toBe('旧名单位');

    expect((await request(stack.app).post(`/units/${code}`).set(as('admin')).send({ ...unit, name: '新名单位' })).status).toBe(200);
    expect(await kept()).toBeNull();
    expect((await get(`/items/${id}`, 'leader')).body.tasks[0].ownerUnitName).toBe('新名单位');
    // the next save keeps it whole again, under the new name
    const answered = await act('leader', `/items/${id}/tasks/t2/pause`, { reason: 'waiting for the province' });
    await projected(stack, id, answered.version);
    expect((await kept()).tasks[0].ownerUnitName).toBe('新名单位');
  });

  test('one version is one representation however it is asked for: the same bytes and ETag, so a conditional read answers 304', async () => {
    const id = `one5-${suffix}`;
    const created = await startItem(stack, tokens.leader, id);
    await projected(stack, id, created.version);
    const plain = await get(`/items/${id}`, 'leader');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    for (const query of ['?consistency=live', `?minVersion=${created.version}`, '']) {
      const res = await get(`/items/${id}${query}`, 'supervisor');
      expect(res.text).toBe(plain.text);
      expect(res.headers.etag).toBe(plain.headers.etag);
      const again = await get(`/items/${id}${query}`, 'admin').set('If-None-Match', plain.headers.etag!);
      expect(again.status).toBe(304);
    }
  });

  test('a read reads no body: one sent (malformed, or past every body limit) is ignored; an encoded one is still refused at the door', async () => {
    const id = `one6-${suffix}`;
    const created = await startItem(stack, tokens.leader, id);
    await projected(stack, id, created.version);
    const withBody = (body: string | Buffer, headers: Record<string, string> = {}) =>
      get(`/items/${id}`, 'supervisor').set({ 'Content-Type': 'application/json', ...headers }).send(body);
    expect((await withBody('{nope')).status).toBe(200);
    expect((await withBody(Buffer.alloc(2 * 1024 * 1024, 0x20))).status).toBe(200);
    expect((await withBody('{}', { 'Content-Encoding': 'gzip' })).status).toBe(415);
  });

  test('an item whose view passes the kept size is composed on every read, and reads the same', async () => {
    const id = `one4-${suffix}`;
    const due = dayAfter(new Date().toISOString(), 30);
    const long = (n: number) => `第${n}项整改任务：${'对照问题清单逐项整改到位并形成书面材料'.repeat(120)}`.slice(0, 2000);
    const tasks = Array.from({ length: 40 }, (_, n) => ({ ...task(`t${n + 1}`, n % 2 ? 'p2' : 'p1', UNIT_A, due), description: long(n) }));
    const created = await startItem(stack, tokens.leader, id, { tasks });
    await projected(stack, id, created.version);
    expect((await stack.pool.query('SELECT view FROM items WHERE id = $1', [id])).rows[0].view).toBeNull();
    const read = await get(`/items/${id}`, 'supervisor');
    expect(read.status).toBe(200);
    expect(read.body.tasks).toHaveLength(40);
    expect(read.body).toEqual(JSON.parse(JSON.stringify(await composeItemView(stack.pool, id, WHOLE_ITEM))));
  });
});
