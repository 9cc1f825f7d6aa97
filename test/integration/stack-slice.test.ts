/**
 * The foundation's vertical slice through every layer, for real: HTTP → the
 * Express app → Temporal dev server → the item workflow on a real worker →
 * the projection activity → PostgreSQL, and back out through both read paths.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let leaderToken: string;

beforeAll(async () => {
  stack = await startTestStack();
  leaderToken = await stack.tokenFor({ sub: 'leader-1', name: 'Li Lei', role: 'leader' });
});

afterAll(async () => {
  await stack?.stop();
});

function itemBody(id: string) {
  return {
    id,
    title: 'Rural road maintenance backlog',
    supervisionLevel: 'county',
    leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [{ id: 'p1', description: 'Potholes on the village road', severity: 'high' }],
    tasks: [
      {
        id: 't1',
        problemIds: ['p1'],
        description: 'Resurface the road',
        ownerUnit: 'unit-a',
        ownerPerson: 'Wang Fang',
        deadline: { kind: 'instant', at: new Date(Date.now() + 30 * 86_400_000).toISOString() },
      },
    ],
  };
}

/** Polls `probe` until it returns a value (projection is asynchronous: an activity after the start). */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const auth = () => ({ Authorization: `Bearer ${leaderToken}` });

describe('foundation slice: POST /items → workflow → PostgreSQL → GET', () => {
  const id = `slice-${randomUUID().slice(0, 8)}`;

  test('POST /items starts the item and answers 201 with its state', async () => {
    const res = await request(stack.app).post('/items').set(auth()).send(itemBody(id));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id, title: 'Rural road maintenance backlog', status: 'active' });
  });

  test('GET /items/:id returns live state from the workflow', async () => {
    const res = await request(stack.app).get(`/items/${id}`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'active' });
    expect(res.body.tasks).toEqual(expect.arrayContaining([expect.objectContaining({ id: 't1', ownerUnit: 'unit-a' })]));
  });

  test('the projection activity writes the item row into PostgreSQL', async () => {
    const row = await eventually(async () => {
      const { rows } = await stack.pool.query('SELECT id, title, status, owner_units FROM items WHERE id = $1', [id]);
      return rows[0];
    });
    expect(row).toEqual({ id, title: 'Rural road maintenance backlog', status: 'active', owner_units: ['unit-a'] });
    const tasks = await stack.pool.query('SELECT id, owner_unit FROM tasks WHERE item_id = $1', [id]);
    expect(tasks.rows).toEqual([{ id: 't1', owner_unit: 'unit-a' }]);
  });

  test('GET /items lists it from PostgreSQL', async () => {
    const res = await request(stack.app).get('/items').set(auth());
    expect(res.status).toBe(200);
    const items: Array<{ id: string }> = Array.isArray(res.body) ? res.body : res.body.items;
    expect(items.map((i) => i.id)).toContain(id);
  });

  test('the same id twice is 409', async () => {
    const res = await request(stack.app).post('/items').set(auth()).send(itemBody(id));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'ALREADY_EXISTS' });
  });
});

describe('errors have one JSON shape', () => {
  test('a bad body is 400 with the zod issues and their field paths', async () => {
    const body = itemBody(`bad-${randomUUID().slice(0, 8)}`) as Record<string, unknown>;
    delete body.title;
    (body.tasks as Array<Record<string, unknown>>)[0]!.deadline = { kind: 'instant', at: 'tomorrow' };
    const res = await request(stack.app).post('/items').set(auth()).send(body);
    expect(res.status).toBe(400);
    const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.title', 'body.tasks.0.deadline.at']));
  });

  test('an unknown item is 404', async () => {
    const res = await request(stack.app).get(`/items/nope-${randomUUID().slice(0, 8)}`).set(auth());
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  test('no token is 401', async () => {
    const res = await request(stack.app).get('/items');
    expect(res.status).toBe(401);
  });
});

describe('health', () => {
  test('/healthz is 200 (process alive)', async () => {
    expect((await request(stack.app).get('/healthz')).status).toBe(200);
  });

  test('/readyz is 200 while Temporal and PostgreSQL are reachable', async () => {
    expect((await request(stack.app).get('/readyz')).status).toBe(200);
  });
});
