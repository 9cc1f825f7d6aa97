/**
 * One endpoint's sender (activities/delivery/send.ts) against a real
 * PostgreSQL, with a clock and a channel the test drives: what a round claims
 * (due rows, and fresh ones still in their digest window when a digest leaves
 * anyway), how it groups them (digests of 20, level 3 alone), the robot's
 * token bucket, backoff and jitter, dead letters after the give-up time, a
 * resend's fresh round of retries, the round's time budget, and a channel
 * that is gone. Deterministic: no Temporal, no network.
 */
import type { Pool } from 'pg';
import type { Channels } from '../../activities/delivery/channels';
import type { DeliveryMessage, EndpointConfig, SendOutcome } from '../../activities/delivery/channels/types';
import type { BucketState } from '../../activities/delivery/rate-limit';
import { createSender } from '../../activities/delivery/send';
import { resendDelivery } from '../../db/repositories/deliveries';
import { createUnit, updateUnit } from '../../db/repositories/directory';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const SECRET_TOKEN = 'dt-token-never-shown-8841';
const E = { unitCode: 'u1', channelId: 'robot' };
let db: TestDatabase;
let pool: Pool;
let clock = 0;
let seq = 0;
const sent: Array<{ message: DeliveryMessage; endpoint: EndpointConfig }> = [];
/** what the channel answers next (default: success); each send costs `sendCostMs` of the test's clock */
let answer: () => SendOutcome = () => ({ ok: true, receivedAt: clock });
let sendCostMs = 0;

const channels: Channels = {
  async send(message, endpoint) {
    sent.push({ message, endpoint });
    clock += sendCostMs;
    return answer();
  },
  async close() {},
};
const sender = () => createSender({
  pool, channels, now: () => clock,
  config: { digestWindowMs: 30_000, giveUpAfterMs: 3_600_000, baseUrl: 'https://dubann.example.cn', digestMax: 20, retryBaseMs: 5_000 },
});

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  await createUnit(pool, { code: 'u1', name: '县交通运输局', kind: 'countyDepartment', leaders: [], active: true }, [
    { id: 'robot', config: { kind: 'dingtalk', accessToken: SECRET_TOKEN, baseUrl: 'http://127.0.0.1:9' } },
  ]);
});
afterAll(async () => db?.drop());

beforeEach(async () => {
  await pool.query('DELETE FROM deliveries');
  await pool.query('DELETE FROM notifications');
  clock = Date.now();
  sent.length = 0;
  answer = () => ({ ok: true, receivedAt: clock });
  sendCostMs = 0;
});

/** n pending deliveries to the endpoint, due `inMs` from now (negative: already due) */
async function pending(n: number, o: { level?: number; inMs?: number } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    seq += 1;
    const key = `item-1|t${seq}|escalation|x|ownerUnit|u1`;
    const at = new Date(clock).toISOString();
    await pool.query(
      `INSERT INTO notifications (key, item_id, task_id, kind, recipient_role, recipient, reason, level, due_at, fired_at)
       VALUES ($1, 'item-1', $2, 'escalation', 'ownerUnit', 'u1', 'overdue', $3, $4, $4)`,
      [key, `t${seq}`, o.level ?? 1, at],
    );
    const id = `d_${String(seq).padStart(6, '0')}`;
    await pool.query(
      `INSERT INTO deliveries (id, notification_key, item_id, task_id, unit_code, channel_id, level, status, not_before, created_at)
       VALUES ($1, $2, 'item-1', $3, 'u1', 'robot', $4, 'pending', $5, $6)`,
      [id, key, `t${seq}`, o.level ?? 1, new Date(clock + (o.inMs ?? -1_000)).toISOString(), at],
    );
    ids.push(id);
  }
  return ids;
}

const row = async (id: string) => (await pool.query('SELECT * FROM deliveries WHERE id = $1', [id])).rows[0];
const statuses = async () => (await pool.query('SELECT status, count(*)::int AS n FROM deliveries GROUP BY status ORDER BY status')).rows;

describe('grouping', () => {
  test('45 due deliveries leave as digests of 20, 20 and 5, each recorded delivered under its message id', async () => {
    await pending(45);
    const round = await sender()(E);
    expect(round).toMatchObject({ sent: 45, failed: 0 });
    expect(round.nextAt).toBeUndefined();
    expect(sent.map((s) => s.message.title)).toEqual(['【督办消息汇总】共 20 条，含一级督办', '【督办消息汇总】共 20 条，含一级督办', '【督办消息汇总】共 5 条，含一级督办']);
    const { rows } = await pool.query(`SELECT message_id, count(*)::int AS n FROM deliveries WHERE status = 'delivered' GROUP BY message_id ORDER BY n DESC`);
    expect(rows.map((r) => r.n)).toEqual([20, 20, 5]);
    expect(rows.map((r) => r.message_id).sort()).toEqual(sent.map((s) => s.message.deliveryId).sort());
    const { rows: told } = await pool.query('SELECT count(*)::int AS n FROM notifications WHERE delivered_at IS NULL');
    expect(told[0].n).toBe(0);
  });

  test('level 3 leaves alone and first; it does not release the others\' digest early', async () => {
    const [urgent] = await pending(1, { level: 3 });
    const waiting = await pending(3, { inMs: 20_000 }); // still inside their digest window
    const round = await sender()(E);
    expect(round.sent).toBe(1);
    expect(sent.map((s) => [s.message.deliveryId, s.message.level])).toEqual([[urgent, 3]]);
    expect(round.nextAt).toBe(new Date(clock + 20_000).toISOString());
    for (const id of waiting) expect((await row(id)).status).toBe('pending');
  });

  test('when a digest leaves, fresh deliveries still in their window join it; later ones wait', async () => {
    const due = await pending(2);
    const joining = await pending(2, { inMs: 25_000 });
    const later = await pending(1, { inMs: 45_000 });
    const round = await sender()(E);
    expect(round.sent).toBe(4);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(sent[0]!.message.event)).deliveries.sort()).toEqual([...due, ...joining].sort());
    expect((await row(later[0]!)).status).toBe('pending');
    expect(round.nextAt).toBe(new Date(clock + 45_000).toISOString());
  });
});

describe('a retried digest', () => {
  test('goes again whole, in the same words under the same id, even when more urgent work fills the claim', async () => {
    const digest = [...(await pending(1, { level: 2 })), ...(await pending(2, { level: 1 }))];
    let calls = 0;
    answer = () => (++calls === 1
      ? { ok: false, failure: 'server', retryable: true, rateLimited: false, error: 'HTTP 502' }
      : { ok: true, receivedAt: clock });
    await sender()({ unitCode: 'u1', channelId: 'robot' });
    const first = sent[0]!.message;
    expect(JSON.parse(JSON.stringify(first.event)).deliveries.sort()).toEqual([...digest].sort());
    clock = Date.parse((await row(digest[0]!)).not_before) + 86_400_000; // a day later: the words must not drift either
    await pending(200, { level: 2 }); // more urgent than the digest's level-1 rows, and enough to fill a claim
    const send = sender();
    for (let round = 0; round < 5 && sent.length < 20; round++) await send(E);
    const again = sent.slice(1).filter((s) => s.message.deliveryId === first.deliveryId);
    expect(again).toHaveLength(1);
    expect(again[0]!.message).toEqual(first);
    for (const id of digest) expect(await row(id)).toMatchObject({ status: 'delivered', message_id: first.deliveryId });
    // no delivery went out in two different messages
    const carried = sent.flatMap((s) => (JSON.parse(JSON.stringify(s.message.event)).deliveries as string[]).map((d) => [d, s.message.deliveryId]));
    const byDelivery = new Map<string, Set<string>>();
    for (const [d, m] of carried) byDelivery.set(d!, (byDelivery.get(d!) ?? new Set()).add(m!));
    expect([...byDelivery.values()].every((ms) => ms.size === 1)).toBe(true);
  });
});

test('a digest too long for one message is split: every delivery marked delivered was in the message it is recorded with', async () => {
  const ids = await pending(20);
  const longLinks = createSender({
    pool, channels, now: () => clock,
    config: { digestWindowMs: 30_000, giveUpAfterMs: 3_600_000, baseUrl: `https://dubann.example.cn/${'x'.repeat(200)}`, digestMax: 20 },
  });
  const round = await longLinks(E);
  expect(round.sent).toBe(20);
  expect(sent.length).toBeGreaterThan(1);
  for (const { message } of sent) {
    const carried = JSON.parse(JSON.stringify(message.event)).deliveries as string[];
    expect(message.markdown.match(/^- /gm)).toHaveLength(carried.length);
    expect(message.markdown).not.toContain('还有');
    expect(message.title).toContain(`共 ${carried.length} 条`);
    for (const id of carried) expect(await row(id)).toMatchObject({ status: 'delivered', message_id: message.deliveryId });
  }
  expect(sent.flatMap((s) => JSON.parse(JSON.stringify(s.message.event)).deliveries).sort()).toEqual([...ids].sort());
});

test('a round beats its heart after its claim and after every message', async () => {
  await pending(3, { level: 3 });
  let beats = 0;
  const round = await sender()(E, undefined, () => { beats += 1; });
  expect(round.sent).toBe(3);
  expect(beats).toBe(1 + 3);
});

describe('the robot\'s rate', () => {
  test('DingTalk: 5 at once, then one every 4 s; the rest wait in the same state for the next round', async () => {
    await pending(8, { level: 3 });
    const send = sender();
    const first = await send(E);
    expect(first.sent).toBe(5);
    expect(first.nextAt).toBe(new Date(clock + 4_000).toISOString());
    expect(await statuses()).toEqual([{ status: 'delivered', n: 5 }, { status: 'pending', n: 3 }]);
    clock += 4_000;
    const second = await send(E, first.bucket);
    expect(second.sent).toBe(1);
    expect(sent).toHaveLength(6);
  });

  test('a "too fast" answer blocks the robot for the time the platform asks, and retries after it', async () => {
    const [id] = await pending(1, { level: 3 });
    answer = () => ({ ok: false, failure: 'rateLimited', retryable: true, rateLimited: true, retryAfterMs: 600_000, error: 'DingTalk errcode 130101: send too fast' });
    const round = await sender()(E);
    expect(round.bucket).toMatchObject({ blockedUntil: clock + 600_000 });
    const r = await row(id!);
    expect(r).toMatchObject({ status: 'pending', attempts: 1, last_error: 'DingTalk errcode 130101: send too fast' });
    expect(Date.parse(r.not_before) - clock).toBeGreaterThanOrEqual(600_000);
    expect(Date.parse(r.not_before) - clock).toBeLessThanOrEqual(660_000);
  });
});

describe('failures', () => {
  const serverError = (): SendOutcome => ({ ok: false, failure: 'server', retryable: true, rateLimited: false, error: `HTTP 500 at /robot/send?access_token=${SECRET_TOKEN}` });

  test('a retryable failure backs off exponentially with jitter, keeps its message id, and dies past the give-up time', async () => {
    const [id] = await pending(1, { level: 3 });
    answer = serverError;
    const send = sender();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 20; attempt++) {
      await send(E);
      const r = await row(id!);
      if (r.status === 'dead') break;
      delays.push(Date.parse(r.not_before) - clock);
      clock = Date.parse(r.not_before);
    }
    // 5 s doubling, "equal jitter" (between half and all of it), at most an hour apart
    delays.forEach((d, i) => {
      const full = Math.min(3_600_000, 5_000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(full / 2);
      expect(d).toBeLessThanOrEqual(full);
    });
    const dead = await row(id!);
    expect(dead.status).toBe('dead');
    expect(dead.attempts).toBe(delays.length + 1);
    expect(clock - Date.parse(dead.created_at)).toBeLessThanOrEqual(3_600_000);
    expect(dead.last_error).not.toContain(SECRET_TOKEN);
    expect(dead.last_error).toContain('access_token=***');
    expect(new Set(sent.map((s) => s.message.deliveryId))).toEqual(new Set([id]));
  });

  test('a refusal that will not change is dead at once', async () => {
    const [id] = await pending(1);
    answer = () => ({ ok: false, failure: 'rejected', retryable: false, rateLimited: false, error: 'DingTalk errcode 310000: sign not match' });
    await sender()(E);
    expect(await row(id!)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'DingTalk errcode 310000: sign not match' });
  });

  test('a resent dead letter gets a fresh round of retries, counted from the resend', async () => {
    const [id] = await pending(1, { level: 3 });
    answer = () => ({ ok: false, failure: 'rejected', retryable: false, rateLimited: false, error: 'refused' });
    await sender()(E);
    expect((await row(id!)).status).toBe('dead');
    clock += 2 * 3_600_000; // long past the give-up time of its creation
    expect(await resendDelivery(pool, id!, { nowMs: clock, by: 'admin-1' })).toEqual(E);
    expect(await resendDelivery(pool, id!, { nowMs: clock, by: 'admin-1' })).toBeNull(); // no longer dead
    answer = serverError;
    await sender()(E);
    expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 1, resent_by: 'admin-1' });
  });

  test('a unit deactivated while a message was held for its quiet hours: dead at release, with the reason, and nothing sent', async () => {
    const [held] = await pending(1, { inMs: 8 * 3_600_000 }); // held until the morning
    const unitA = { code: 'u1', name: '县交通运输局', kind: 'countyDepartment' as const, leaders: [], active: true };
    await updateUnit(pool, { ...unitA, active: false });
    try {
      clock += 8 * 3_600_000 + 1_000;
      const round = await sender()(E);
      expect(round).toMatchObject({ sent: 0, failed: 1 });
      expect(sent).toHaveLength(0);
      expect(await row(held!)).toMatchObject({ status: 'dead', last_error: 'unit u1 was deactivated: not sent' });
    } finally {
      await updateUnit(pool, unitA);
    }
  });

  test('a channel that was switched off: its deliveries are dead, to be resent once it is fixed', async () => {
    const [id] = await pending(1);
    await updateUnit(pool, { code: 'u1', name: '县交通运输局', kind: 'countyDepartment', leaders: [], active: true }, [
      { id: 'robot', active: false, config: { kind: 'dingtalk', accessToken: SECRET_TOKEN } },
    ]);
    try {
      await sender()(E);
      expect(await row(id!)).toMatchObject({ status: 'dead', last_error: 'channel u1/robot is gone or inactive' });
      expect(sent).toHaveLength(0);
    } finally {
      await updateUnit(pool, { code: 'u1', name: '县交通运输局', kind: 'countyDepartment', leaders: [], active: true }, [
        { id: 'robot', config: { kind: 'dingtalk', accessToken: SECRET_TOKEN, baseUrl: 'http://127.0.0.1:9' } },
      ]);
    }
  });
});

test('a round takes no new message after a minute: slow answers leave the rest to the next round, at once', async () => {
  await pending(5, { level: 3 });
  sendCostMs = 25_000;
  const round = await sender()(E);
  expect(round.sent).toBe(3); // 0 s, 25 s, 50 s: the fourth would start past the minute
  expect(round.nextAt).toBe(new Date(clock).toISOString());
  expect(await statuses()).toEqual([{ status: 'delivered', n: 3 }, { status: 'pending', n: 2 }]);
  const { rows } = await pool.query(`SELECT lease_until FROM deliveries WHERE status = 'pending'`);
  expect(rows.every((r) => r.lease_until === null)).toBe(true);
  const bucket: BucketState | undefined = round.bucket;
  expect(bucket).toBeDefined();
});
