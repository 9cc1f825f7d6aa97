/**
 * Poison: ordinary input that used to wedge an item for good, on the real
 * stack. Each case ends with a 4xx and nothing changed, or with the item still
 * running and its clock on time; the largest item the limits allow is driven
 * through the worst sequence (every owner at the maxima, a database stall in a
 * burst, every task due at once) and every payload its history holds is
 * measured against its budget.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Client as PgClient } from 'pg';
import { Client } from 'pg';
import request from 'supertest';
import { LIMITS } from '../../domain/limits';
import { itemStateQuery, itemWorkflowId } from '../../workflows/messages';
import { max, payloadSizes } from '../support/history-payloads';
import { startTestStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { unitCode, unitName, worstCaseItem } from '../support/worst-case-item';
import { ACTORS, bearer, eventually, inDays, itemBody, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const KiB = 1024;
const WARN_PAYLOAD = 512 * KiB;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const as = (who: ActorName) => bearer(tokens[who]);
const leaderActor = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

async function adminRead(id: string) {
  return (await request(stack.app).get(`/items/${id}?consistency=live`).set(as('admin'))).body;
}

/** Registers units in the directory (as an admin would) so that items may name them. */
async function register(codes: string[], name: (i: number) => string = unitName): Promise<void> {
  const res = await request(stack.app).post('/units/import').set(as('admin'))
    .send({ units: codes.map((code, i) => ({ code, name: name(i), kind: 'countyDepartment' })) });
  expect(res.status).toBe(200);
}

describe('1. owner units cannot overflow the search attribute', () => {
  test('60 units with the longest codes at creation and a 61st added later: 201 and 200, the item keeps running', async () => {
    const id = newId('units');
    const longCode = (i: number) => `JTJ-${String(i).padStart(3, '0')}-${'x'.repeat(32)}`.slice(0, 32);
    await register(Array.from({ length: 61 }, (_, i) => longCode(i)));
    const body = itemBody(id);
    body.tasks = Array.from({ length: 60 }, (_, i) => ({
      id: `t${i}`, problemIds: ['p1'], description: 'task', ownerUnit: longCode(i),
      ownerPerson: '李四', deadline: { kind: 'instant', at: inDays(30) },
    })) as never;
    body.problems = [body.problems[0]!];
    expect((await request(stack.app).post('/items').set(as('leader')).send(body)).status).toBe(201);
    const added = await request(stack.app).post(`/items/${id}/tasks`).set(as('leader')).send({
      id: 't60', problemIds: ['p1'], description: 'one more', ownerUnit: longCode(60),
      ownerPerson: '王五', deadline: { kind: 'workingDays', days: 5 },
    });
    expect(added.status).toBe(200);
    const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    const units = described.searchAttributes.RectOwnerUnits as string[];
    expect(Buffer.byteLength(JSON.stringify(units))).toBeLessThanOrEqual(LIMITS.ownerUnitsAttributeBytes);
    expect(units.at(-1)).toMatch(/^…\+\d+$/);
    // a unit name past the limit is refused at the door; a unit the directory does not have, by the directory
    const tooLong = await request(stack.app).post(`/items/${id}/tasks`).set(as('leader')).send({
      id: 't61', problemIds: ['p1'], description: 'x', ownerUnit: '单'.repeat(LIMITS.nameLength + 1), ownerPerson: 'x', deadline: { kind: 'workingDays', days: 5 },
    });
    expect(tooLong.status).toBe(400);
    const unknown = await request(stack.app).post(`/items/${id}/tasks`).set(as('leader')).send({
      id: 't61', problemIds: ['p1'], description: 'x', ownerUnit: 'no-such-unit', ownerPerson: 'x', deadline: { kind: 'workingDays', days: 5 },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain("'no-such-unit'");
  });
});

describe('4. text PostgreSQL cannot store never reaches an item', () => {
  test('lone surrogates and NUL in bodies are 400; in a token claim 401; nothing changes', async () => {
    const id = newId('text');
    await startItem(stack, tokens.leader, id);
    const before = await adminRead(id);
    const bad = ['cut-off emoji \ud800', 'low half \udc00 alone', 'nul \u0000 inside', 'bell \u0007'];
    for (const text of bad) {
      const progress = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text, percent: 10 });
      expect({ text, status: progress.status }).toEqual({ text, status: 400 });
      const title = await request(stack.app).post('/items').set(as('leader')).send(itemBody(newId('bad'), { title: text }));
      expect({ text, status: title.status }).toEqual({ text, status: 400 });
    }
    const forged = await new SignJWT({ name: 'Wang\u0000Fang', role: 'owner', unit: 'Unit A' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject('owner-a').setIssuer('rectification-engine').setAudience('rectification-engine')
      .setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const withNul = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(forged)).send({ text: 'ok', percent: 10 });
    expect(withNul.status).toBe(401);
    expect(await adminRead(id)).toEqual(before);
  });
});

describe('5. far-future instants', () => {
  test('a year-9999 deadline is 400 at creation and for an extension; the item is untouched', async () => {
    const id = newId('far');
    const body = itemBody(id);
    (body.tasks[0]!.deadline as { at: string }).at = '9999-12-31T23:59:59-23:59';
    expect((await request(stack.app).post('/items').set(as('leader')).send(body)).status).toBe(400);
    expect((await request(stack.app).get(`/items/${id}`).set(as('admin'))).status).toBe(404);
    await startItem(stack, tokens.leader, id);
    const ext = await request(stack.app).post(`/items/${id}/tasks/t1/extension-requests`).set(as('ownerA'))
      .send({ newDeadline: { kind: 'instant', at: '9999-12-31T23:59:59-23:59' }, reason: 'forever' });
    expect(ext.status).toBe(400);
    expect((await adminRead(id)).tasks[0].pendingExtension).toBeUndefined();
  });
});

describe('8. client errors are 4xx', () => {
  test('an undecodable %-escape is 400 and an encoded body is 415, before any work', async () => {
    for (const path of ['/plans/%ff', '/items/%E0%A4%A', '/items/abc%/tasks', '/units/%ff/tasks']) {
      const res = await request(stack.app).get(path).set(as('leader'));
      expect({ path, status: res.status, type: res.headers['content-type'] }).toMatchObject({ path, status: 400, type: expect.stringMatching(/problem\+json/) });
    }
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(stack.app).post('/items').set(as('leader')).set('Content-Encoding', encoding)
        .set('Content-Type', 'application/json').send(JSON.stringify(itemBody(newId('enc'))));
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 415 });
    }
  });
});

describe('9. operators are told', () => {
  test('/readyz says when no worker polls the task queue', async () => {
    const ready = await request(stack.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ temporal: 'ok', database: 'ok', worker: 'ok' });
    const { createApp } = await import('../../api/app');
    const { loadApiConfig } = await import('../../api/config');
    const pino = (await import('pino')).default;
    const config = loadApiConfig({
      NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: `nobody-${randomUUID()}`, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    const lonely = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    const res = await request(lonely).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body.checks).toMatchObject({ temporal: 'ok', database: 'ok', worker: 'unavailable' });
  });

  test('a save that keeps failing is listed by GET /ops/stuck, and leaves the list once it succeeds', async () => {
    const id = newId('stuck');
    await startItem(stack, tokens.leader, id);
    await adminRead(id);
    // a constraint the next save breaks: the save fails while PostgreSQL is up, like poison data would
    await stack.pool.query(`ALTER TABLE tasks ADD CONSTRAINT poison_${id.replace(/-/g, '_')} CHECK (item_id <> '${id}' OR percent < 50) NOT VALID`);
    try {
      const res = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(as('ownerA')).send({ text: 'over half', percent: 60 });
      expect(res.status).toBe(200);
      const listed = await eventually(async () => {
        const stuck = await request(stack.app).get('/ops/stuck').set(as('admin'));
        return stuck.body.saveFailures?.find((f: { itemId: string }) => f.itemId === id);
      }, 30_000);
      expect(listed.attempts).toBeGreaterThanOrEqual(3);
      expect(listed.lastError).toMatch(/constraint/);
      expect((await request(stack.app).get('/ops/stuck').set(as('leader'))).status).toBe(403);
    } finally {
      await stack.pool.query(`ALTER TABLE tasks DROP CONSTRAINT poison_${id.replace(/-/g, '_')}`);
    }
    await eventually(async () => {
      const stuck = await request(stack.app).get('/ops/stuck').set(as('admin'));
      return stuck.body.saveFailures.some((f: { itemId: string }) => f.itemId === id) ? undefined : true;
    }, 60_000);
    expect((await adminRead(id)).tasks[0].percent).toBe(60);
  });
});

describe('2 and 3. the largest item through the worst sequence', () => {
  test('owners at the maxima, a database stall in a burst, every task due at once: bounded payloads, the clock on time', async () => {
    const id = newId('worst');
    const dueMs = Date.now() + 45_000;
    const policy = { warningLead: 'PT10S', escalationLadder: [
      { after: 'PT0S', level: 1, notify: ['ownerUnit' as const] },
      { after: 'PT3S', level: 2, notify: ['unitLeader' as const] },
    ] };
    const units = 20;
    await register(Array.from({ length: units }, (_, u) => unitCode(u)));
    const item = worstCaseItem({ id, dueAt: new Date(dueMs).toISOString(), leader: leaderActor, units, policy });
    expect(item.tasks.length).toBeGreaterThan(100);
    const created = await request(stack.app).post('/items').set(as('leader')).send(item);
    expect(created.status).toBe(201);
    await adminRead(id);

    // every owner at the schema maxima: the longest text and evidence, on their own tasks
    const ownerTokens = await Promise.all(Array.from({ length: units }, (_, u) =>
      stack.tokenFor({ sub: `owner-${u}`, name: `单位${u}负责人`, role: 'owner', unit: unitCode(u) })));
    const maxReport = (n: number) => ({
      text: `第${n}次进展：${'已完成现场核查并整改到位'.repeat(200)}`.slice(0, LIMITS.textLength),
      percent: 40,
      evidence: Array.from({ length: LIMITS.evidencePerCommand }, (_, e) => `证据材料${n}-${e}：${'照片'.repeat(300)}`.slice(0, LIMITS.evidenceLength)),
    });
    const report = (n: number) => {
      const t = item.tasks[n % item.tasks.length]!;
      const u = n % units;
      const task = item.tasks.find((x) => x.ownerUnit === unitCode(u)) ?? t;
      return request(stack.app).post(`/items/${id}/tasks/${task.id}/progress`).set(bearer(ownerTokens[u]!)).send(maxReport(n));
    };

    // a database stall during a burst: saves block on a lock; commands are refused (503) before anything overflows
    const locker: PgClient = new Client({ connectionString: (stack.pool as unknown as { options: { connectionString: string } }).options.connectionString });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let n = 0; n < 24; n++) {
      const res = await report(n);
      statuses.push(res.status);
      if (res.status === 503) retryAfter = res.headers['retry-after'];
    }
    const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
    const during = await handle.describe();
    await locker.query('ROLLBACK');
    await locker.end();
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses).toContain(503);
    expect(retryAfter).toBeDefined();
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(12);
    expect(during.raw.workflowExecutionInfo?.historySizeBytes).toBeDefined();
    expect(Number(during.raw.workflowExecutionInfo!.historySizeBytes)).toBeLessThan(LIMITS.historyCommandCeilingBytes);

    // once the stall is over the item takes commands again
    const accepted = statuses.filter((s) => s === 200).length;
    const after = await eventually(async () => {
      const res = await report(100);
      return res.status === 200 ? res : undefined;
    }, 60_000);
    expect(after.body.duplicate).toBe(false);

    // every task due at once: each deadline and first rung fires on time, for every task
    await sleep(Math.max(0, dueMs + 6_000 - Date.now()));
    const state = await handle.query(itemStateQuery);
    expect(state.tasks.every((t) => t.alarms.overdue && t.alarms.rungsFired === 2)).toBe(true);
    const rows = await eventually(async () => {
      const { rows } = await stack.pool.query<{ fired_at: string }>(
        `SELECT fired_at FROM escalations WHERE item_id = $1 AND rung = 1`, [id]);
      return rows.length === item.tasks.length ? rows : undefined;
    }, 60_000);
    const lateness = rows.map((r) => Date.parse(r.fired_at) - dueMs);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThan(5_000);
    const reports = await stack.pool.query(`SELECT count(*) AS n FROM audit_events WHERE item_id = $1 AND action = 'progressReported'`, [id]);
    expect(reports.rows[0].n).toBe(accepted + 1);

    // every payload in the history against its budget
    const history = await handle.fetchHistory();
    const sizes = payloadSizes(history);
    expect(max(sizes.workflowInput)).toBeLessThan(WARN_PAYLOAD);
    expect(max(sizes.activityInput)).toBeLessThanOrEqual(LIMITS.saveBatchBytes);
    expect(max(sizes.updateArgs)).toBeLessThan(64 * KiB);
    expect(max(sizes.updateResults)).toBeLessThan(4 * KiB);
    expect(max(sizes.searchAttributeValues)).toBeLessThanOrEqual(LIMITS.ownerUnitsAttributeBytes);
    // saves that land locally leave no input in history (a marker of their workflow task); those the stall
    // made fall back to the regular activity are here, measured above against the batch budget
    expect(sizes.activityInput.length).toBeGreaterThanOrEqual(1);
    expect(history.events!.filter((e) => e.markerRecordedEventAttributes).length).toBeGreaterThan(10);
    const query = Buffer.byteLength(JSON.stringify(state));
    expect(query).toBeLessThan(LIMITS.itemStateBytes);
    console.log(JSON.stringify({ tasks: item.tasks.length, inputBytes: max(sizes.workflowInput), maxSaveBatch: max(sizes.activityInput),
      maxUpdateArgs: max(sizes.updateArgs), maxUpdateResult: max(sizes.updateResults), stateQueryBytes: query,
      historyBytes: Number((await handle.describe()).raw.workflowExecutionInfo!.historySizeBytes) }));
  }, 240_000);
});
