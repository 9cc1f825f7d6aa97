/**
 * Delivery through faults, on the real stack (real worker, Temporal,
 * PostgreSQL; local receivers):
 * - a receiver that refuses connections, then answers 5xx, then rate-limits,
 *   gets everything once it is back, every message accepted once;
 * - an answer slower than the timeout is sent again under the same id (at
 *   least once: the receiver sees the repeat and can drop it);
 * - a delivery that keeps failing past its give-up time is dead-lettered,
 *   listed for admins, and sent by POST /deliveries/:id/resend.
 * Backoffs are shortened (1 s base, 4 s cap) so that this takes seconds, not hours.
 */
import request from 'supertest';
import {
  dingtalkReceiver, standardWebhookReceiver, webhookDeliveries, type Receiver,
} from '../support/delivery-receivers';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, eventually } from './api-support';

const WH_SECRET = `whsec_${Buffer.alloc(32, 0x24).toString('base64')}`;
const DT = { accessToken: 'dt-faults-token-31337', secret: 'SECdt-faults-secret-4242' };
const ADMIN = { sub: 'admin-1', name: 'Admin', role: 'admin' as const };
const LEADER = { sub: 'leader-1', name: 'Li Lei', role: 'leader' as const };
const suffix = Date.now().toString(36);

async function setUnit(stack: TestStack, admin: string, body: Record<string, unknown>) {
  const res = await request(stack.app).post('/units').set(bearer(admin)).send({ kind: 'countyDepartment', ...body });
  if (res.status !== 201) throw new Error(`unit: ${res.status} ${JSON.stringify(res.body)}`);
}

async function startItem(stack: TestStack, leader: string, id: string, unit: string, tasks: number, policy: Record<string, unknown>) {
  const at = new Date(Date.now() + 5_000).toISOString();
  const res = await request(stack.app).post('/items').set(bearer(leader)).send({
    id, title: '故障演练', supervisionLevel: 'none', leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [{ id: 'p1', description: '演练', severity: 'low' }],
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `t${i}`, problemIds: ['p1'], description: '演练任务', ownerUnit: unit, ownerPerson: '张三', deadline: { kind: 'instant', at },
    })),
    policy,
  });
  if (res.status !== 201) throw new Error(`item: ${res.status} ${JSON.stringify(res.body)}`);
}

const rows = async (stack: TestStack, itemId: string) =>
  (await stack.pool.query('SELECT * FROM deliveries WHERE item_id = $1 ORDER BY id', [itemId])).rows;

describe('a receiver down for a while, then failing, then rate-limiting', () => {
  let stack: TestStack;
  let down: Receiver;
  let slow: Receiver;
  let admin: string;
  let leader: string;
  beforeAll(async () => {
    stack = await startTestStack({ delivery: { digestWindowMs: 1_000, retryBaseMs: 1_000, maxBackoffMs: 4_000 }, deliveryTimeoutMs: 1_000 });
    admin = await stack.tokenFor(ADMIN);
    leader = await stack.tokenFor(LEADER);
    down = await standardWebhookReceiver({ secret: WH_SECRET, now: Date.now });
    slow = await standardWebhookReceiver({ secret: WH_SECRET, now: Date.now });
    await setUnit(stack, admin, { code: 'river', name: '河道所', channels: [{ id: 'wh', config: { kind: 'webhook', url: `${down.baseUrl}/in`, secret: WH_SECRET } }] });
    await setUnit(stack, admin, { code: 'sluggish', name: '慢单位', channels: [{ id: 'wh', config: { kind: 'webhook', url: `${slow.baseUrl}/in`, secret: WH_SECRET } }] });
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([down?.close(), slow?.close()]);
  });

  test('gets every delivery afterwards, each accepted exactly once', async () => {
    const id = `down-${suffix}`;
    await down.down();
    // 4 tasks × (warning, overdue, levels 1, 2 and 3) = 20 deliveries, the last ones urgent
    await startItem(stack, leader, id, 'river', 4, { warningLead: 'PT2S', escalationLadder: [
      { after: 'PT0S', level: 1, notify: ['ownerUnit'] }, { after: 'PT1S', level: 2, notify: ['ownerUnit'] }, { after: 'PT2S', level: 3, notify: ['ownerUnit'] },
    ] });
    const failedWith = (pattern: RegExp, n = 20) => eventually(async () => {
      const all = await rows(stack, id);
      return all.length === n && all.some((d) => pattern.test(d.last_error ?? '')) ? all : undefined;
    }, 60_000);

    const refused = await failedWith(/ECONNREFUSED/);
    expect(refused.every((d) => d.status === 'pending')).toBe(true);
    expect(down.received).toHaveLength(0);

    down.mode = 'http500';
    await down.up();
    await failedWith(/^HTTP 500/);
    down.mode = 'http429';
    await failedWith(/^HTTP 429: too many requests/);
    down.mode = 'ok';

    const done = await eventually(async () => {
      const all = await rows(stack, id);
      return all.every((d) => d.status === 'delivered') ? all : undefined;
    }, 60_000);
    expect(done).toHaveLength(20);
    // every delivery was tried more than once, and the failures are on record until success cleared them
    expect(done.every((d) => d.attempts >= 2 && d.last_error === null)).toBe(true);
    expect(down.received.map((x) => x.status)).toEqual(expect.arrayContaining([500, 429, 204]));

    const accepted = down.accepted();
    const ids = accepted.map((x) => String(x.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length); // no message accepted twice
    const carried = accepted.flatMap(webhookDeliveries);
    expect(carried.sort()).toEqual(done.map((d) => d.id).sort()); // every delivery in exactly one accepted message
    for (const x of accepted) {
      // a message keeps its id through every retry: the receiver can always tell a repeat
      const messageIds = new Set(done.filter((d) => webhookDeliveries(x).includes(d.id)).map((d) => d.message_id));
      expect([...messageIds]).toEqual([x.headers['webhook-id']]);
    }
    // failed attempts of a message were sent under that same id
    for (const x of down.received.filter((y) => !y.accepted)) expect(ids).toContain(String(x.headers['webhook-id']));
  });

  test('an answer slower than the timeout is sent again under the same id; delivered once on record', async () => {
    const id = `slow-${suffix}`;
    slow.mode = 'slow';
    slow.slowMs = 2_500;
    await startItem(stack, leader, id, 'sluggish', 1, { warningLead: 'PT1S', escalationLadder: [{ after: 'PT0S', level: 3, notify: ['ownerUnit'] }] });
    const repeated = await eventually(async () => {
      const counts = new Map<string, number>();
      for (const x of slow.received) counts.set(String(x.headers['webhook-id']), (counts.get(String(x.headers['webhook-id'])) ?? 0) + 1);
      return [...counts.values()].some((n) => n >= 2) ? counts : undefined;
    }, 60_000);
    expect(Math.max(...repeated.values())).toBeGreaterThanOrEqual(2);
    slow.mode = 'ok';
    const done = await eventually(async () => {
      const all = await rows(stack, id);
      return all.length === 3 && all.every((d) => d.status === 'delivered') ? all : undefined;
    }, 60_000);
    const timedOut = done.find((d) => repeated.get(d.message_id)! >= 2)!;
    expect(timedOut.attempts).toBeGreaterThanOrEqual(2);
    // what the receiver keeps after dropping repeats by webhook-id: each delivery once
    const kept = new Map(slow.received.map((x) => [String(x.headers['webhook-id']), webhookDeliveries(x)]));
    expect([...kept.values()].flat().sort()).toEqual(done.map((d) => d.id).sort());
  });
});

describe('a delivery that runs out of time', () => {
  let stack: TestStack;
  let robot: Receiver;
  let admin: string;
  let leader: string;
  beforeAll(async () => {
    stack = await startTestStack({ delivery: { digestWindowMs: 500, retryBaseMs: 500, maxBackoffMs: 1_000, giveUpAfterMs: 3_000 } });
    admin = await stack.tokenFor(ADMIN);
    leader = await stack.tokenFor(LEADER);
    robot = await dingtalkReceiver({ ...DT, now: Date.now });
    await setUnit(stack, admin, { code: 'bureau', name: '县统计局', channels: [{ id: 'dt', config: { kind: 'dingtalk', ...DT, baseUrl: robot.baseUrl } }] });
  });
  afterAll(async () => {
    await stack?.stop();
    await robot?.close();
  });

  test('is dead-lettered, listed for admins without secrets, and POST /deliveries/:id/resend sends it', async () => {
    const id = `dead-${suffix}`;
    robot.mode = 'http500';
    await startItem(stack, leader, id, 'bureau', 1, { warningLead: 'PT1S', escalationLadder: [{ after: 'PT0S', level: 3, notify: ['ownerUnit'] }] });
    const dead = await eventually(async () => {
      const all = await rows(stack, id);
      return all.length === 3 && all.every((d) => d.status === 'dead') ? all : undefined;
    }, 60_000);
    expect(dead.every((d) => d.attempts >= 2 && /^HTTP 500/.test(d.last_error))).toBe(true);

    const listed = await request(stack.app).get('/deliveries?status=dead').set(bearer(admin));
    expect(listed.body.deliveries.map((d: any) => d.id).sort()).toEqual(dead.map((d) => d.id).sort());
    const answer = JSON.stringify(listed.body);
    for (const secret of [DT.accessToken, DT.secret]) expect(answer).not.toContain(secret);
    expect(robot.received.length).toBeGreaterThanOrEqual(2);
    expect(robot.accepted()).toHaveLength(0);

    robot.mode = 'ok';
    const urgent = dead.find((d) => d.level === 3)!;
    const resent = await request(stack.app).post(`/deliveries/${urgent.id}/resend`).set(bearer(admin)).send({});
    expect([resent.status, resent.body]).toEqual([202, { id: urgent.id, status: 'pending', woken: true }]);
    const after = await eventually(async () => {
      const d = (await rows(stack, id)).find((x) => x.id === urgent.id);
      return d.status === 'delivered' ? d : undefined;
    }, 30_000);
    expect(after).toMatchObject({ attempts: 1, resent_by: 'admin-1', last_error: null });
    expect(robot.accepted()).toHaveLength(1);
    expect(JSON.parse(robot.accepted()[0]!.body).markdown.title).toMatch(/^【三级督办】/);
    // the others stay dead until they are resent too
    expect((await rows(stack, id)).filter((d) => d.status === 'dead')).toHaveLength(2);
  });
});
