/**
 * Deliveries over HTTP: who reads which (per item, per unit, the dead letters
 * across items), that the people a message named are never shown, and that
 * only an admin resends, only a dead delivery, which then goes again. The rows
 * are written as a save would write them; delivery itself is the business of
 * delivery-e2e.test.ts.
 */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { sweepOverdueEndpoints } from '../../activities/delivery/sweep';
import { createWaker } from '../../activities/delivery/wake';
import { createApp } from '../../api/app';
import { startTestStack, testTemporalAddress, type TestStack } from '../support/stack';
import { bearer, eventually, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
let ownerC: string;
const ITEM = `deliv-${Date.now()}`;
const T0 = Date.now() - 3_600_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const rows = [
  { id: 'd_a_delivered', unit: 'unit-a', channel: 'robot', status: 'delivered', level: 1, created: at(1) },
  { id: 'd_a_dead', unit: 'unit-a', channel: 'robot', status: 'dead', level: 2, created: at(2) },
  { id: 'd_b_pending', unit: 'unit-b', channel: 'mail', status: 'pending', level: null, created: at(3) },
  { id: 'd_office_unroutable', unit: 'supervisionOffice:county', channel: '-', status: 'unroutable', level: 3, created: at(4) },
];

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  ownerC = await stack.tokenFor({ sub: 'owner-c', name: 'Sun', role: 'owner', unit: 'unit-c' });
  await startItem(stack, tokens.leader, ITEM);
  for (const r of rows) {
    await stack.pool.query(
      `INSERT INTO deliveries (id, notification_key, item_id, task_id, unit_code, channel_id, level, mentions, status, attempts, not_before,
         last_error, created_at, delivered_at)
       VALUES ($1, $2, $3, 't1', $4, $5, $6, $7, $8, $9, $10, $11, $10, $12)`,
      [r.id, `${ITEM}|t1|escalation|x|ownerUnit|${r.unit}`, ITEM, r.unit, r.channel, r.level,
        JSON.stringify([{ name: 'Deputy Zhou', mobile: '13912345678', email: 'zhou@unit.example.cn' }]), r.status,
        r.status === 'pending' ? 0 : 3, r.created, r.status === 'dead' ? 'HTTP 500' : null, r.status === 'delivered' ? at(5) : null],
    );
  }
});
afterAll(async () => stack?.stop());

const get = (path: string, who: ActorName | string = 'admin') =>
  request(stack.app).get(path).set(bearer(who in tokens ? tokens[who as ActorName] : who));
const ids = (res: request.Response) => res.body.deliveries.map((d: any) => d.id);

describe('reading deliveries', () => {
  test('an item\'s, newest first, with attempts, last error and delivery time; never the people they named', async () => {
    const res = await get(`/items/${ITEM}/deliveries`, 'leader');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(['d_office_unroutable', 'd_b_pending', 'd_a_dead', 'd_a_delivered']);
    expect(res.body.deliveries[3]).toMatchObject({ status: 'delivered', attempts: 3, deliveredAt: at(5), unitCode: 'unit-a', channelId: 'robot' });
    expect(res.body.deliveries[2]).toMatchObject({ status: 'dead', lastError: 'HTTP 500', resentAt: null, resentBy: null });
    expect(JSON.stringify(res.body)).not.toMatch(/13912345678|zhou@|Deputy Zhou|mentions/);
  });

  test('an owner sees the deliveries to their own unit only; an owner outside the item, nothing', async () => {
    expect(ids(await get(`/items/${ITEM}/deliveries`, 'ownerA'))).toEqual(['d_a_dead', 'd_a_delivered']);
    expect(ids(await get(`/items/${ITEM}/deliveries`, 'ownerB'))).toEqual(['d_b_pending']);
    const outsider = await get(`/items/${ITEM}/deliveries`, ownerC);
    expect(outsider.status).toBe(404);
    expect((await get(`/items/no-such-item/deliveries`, 'leader')).status).toBe(404);
  });

  test('a unit\'s, filtered by status; owners read their own unit\'s only', async () => {
    expect(ids(await get('/units/unit-a/deliveries', 'supervisor'))).toEqual(['d_a_dead', 'd_a_delivered']);
    expect(ids(await get('/units/unit-a/deliveries?status=dead', 'ownerA'))).toEqual(['d_a_dead']);
    expect((await get('/units/unit-a/deliveries', 'ownerB')).status).toBe(403);
  });

  test('across items, for admins: the dead letters', async () => {
    const dead = await get('/deliveries?status=dead');
    expect([dead.status, ids(dead)]).toEqual([200, ['d_a_dead']]);
    expect(ids(await get('/deliveries?status=unroutable&limit=5'))).toEqual(['d_office_unroutable']);
    for (const who of ['leader', 'supervisor', 'ownerA'] as const) expect((await get('/deliveries', who)).status).toBe(403);
  });

  test.each(['status=lost', 'limit=0', 'limit=501', 'limit=ten'])('a bad query (%s) is a 400', async (q) => {
    const res = await get(`/deliveries?${q}`);
    expect([res.status, res.body.code]).toEqual([400, 'BAD_REQUEST']);
  });
});

describe('resending a dead letter', () => {
  const resend = (id: string, who: ActorName = 'admin') => request(stack.app).post(`/deliveries/${id}/resend`).set(bearer(tokens[who])).send({});
  const row = async (id: string) => (await stack.pool.query('SELECT status, attempts, resent_by, not_before FROM deliveries WHERE id = $1', [id])).rows[0];

  test('is for admins only', async () => {
    for (const who of ['leader', 'supervisor', 'ownerA'] as const) expect((await resend('d_a_dead', who)).status).toBe(403);
    expect((await row('d_a_dead')).status).toBe('dead');
  });

  test('of a delivery that is not dead, or not there, is a 404 and changes nothing', async () => {
    for (const id of ['d_a_delivered', 'd_b_pending', 'd_office_unroutable', 'd_nothing']) {
      const res = await resend(id);
      expect([id, res.status, res.body.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    expect((await row('d_a_delivered')).status).toBe('delivered');
    expect((await row('d_b_pending')).attempts).toBe(0);
  });

  test('puts it back to pending from now, on record with who asked, and wakes its endpoint', async () => {
    const res = await resend('d_a_dead');
    expect([res.status, res.body]).toEqual([202, { id: 'd_a_dead', status: 'pending', woken: true }]);
    const listed = (await get('/deliveries?limit=500')).body.deliveries.find((d: any) => d.id === 'd_a_dead');
    expect(listed.resentBy).toBe('admin-1');
    expect(Date.parse(listed.resentAt)).toBeGreaterThan(T0);
    // unit-a has no channel 'robot' in this directory: the woken sender finds nothing to send through, and says so
    const after = await eventually(async () => {
      const r = (await stack.pool.query('SELECT status, attempts, last_error FROM deliveries WHERE id = $1', ['d_a_dead'])).rows[0];
      return r.status === 'dead' && r.attempts === 1 ? r : undefined;
    }, 30_000);
    expect(after.last_error).toBe('channel unit-a/robot is gone or inactive');
  });
});

test('a last error is shown redacted, even one stored before the rule: no mailbox name, no token', async () => {
  await stack.pool.query(
    `INSERT INTO deliveries (id, notification_key, item_id, task_id, unit_code, channel_id, level, status, attempts, not_before, last_error)
     VALUES ('d_mail_dead', $1, $2, 't1', 'unit-mail', 'mail', 1, 'dead', 1, now(), $3)`,
    [`${ITEM}|t1|escalation|y|ownerUnit|unit-mail`, ITEM, 'SMTP 550 5.1.1 <wang.jun@jtj.gov.cn>: Recipient address rejected; see https://x.example.cn/hook?token=abc123def'],
  );
  const listed = (await get('/units/unit-mail/deliveries', 'supervisor')).body.deliveries;
  expect(listed.map((d: any) => d.lastError)).toEqual(['SMTP 550 5.1.1 <***@jtj.gov.cn>: Recipient address rejected; see https://x.example.cn/hook?token=***']);
});

test('a resend whose sender cannot be woken is still queued, says so honestly, and the sweep wakes the sender', async () => {
  await stack.pool.query(
    `INSERT INTO deliveries (id, notification_key, item_id, task_id, unit_code, channel_id, level, status, attempts, not_before, last_error)
     VALUES ('d_a_dead_2', $1, $2, 't1', 'unit-a', 'robot', 1, 'dead', 2, now(), 'HTTP 500')`,
    [`${ITEM}|t1|escalation|z|ownerUnit|unit-a`, ITEM],
  );
  // Temporal out of reach: a client on a connection already closed
  const gone = await Connection.connect({ address: testTemporalAddress() });
  await gone.close();
  const cutOff = createApp({ config: stack.config, temporal: new Client({ connection: gone, namespace: stack.config.TEMPORAL_NAMESPACE }), pool: stack.pool, logger: pino({ level: 'silent' }) });
  const res = await request(cutOff).post('/deliveries/d_a_dead_2/resend').set(bearer(tokens.admin)).send({});
  expect([res.status, res.body]).toEqual([202, { id: 'd_a_dead_2', status: 'pending', woken: false }]);
  const queued = (await stack.pool.query(`SELECT status, attempts, resent_by FROM deliveries WHERE id = 'd_a_dead_2'`)).rows[0];
  expect(queued).toEqual({ status: 'pending', attempts: 0, resent_by: 'admin-1' });
  // the workers' sweep finds it and wakes its sender, which tries it (unit-a has no channel 'robot' here)
  const swept = await sweepOverdueEndpoints({ pool: stack.pool, wake: createWaker(stack.client, stack.taskQueue), graceMs: 0 });
  expect(swept).toContainEqual({ unitCode: 'unit-a', channelId: 'robot' });
  const tried = await eventually(async () => {
    const r = (await stack.pool.query(`SELECT status, attempts, last_error FROM deliveries WHERE id = 'd_a_dead_2'`)).rows[0];
    return r.attempts === 1 ? r : undefined;
  }, 30_000);
  expect(tried).toEqual({ status: 'dead', attempts: 1, last_error: 'channel unit-a/robot is gone or inactive' });
});
