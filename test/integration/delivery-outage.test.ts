/**
 * Deliveries through a PostgreSQL outage, on the real stack: the API and the
 * worker reach the database through a proxy that the test cuts (every
 * connection dropped, new ones refused) and restores. The item's clock keeps
 * firing on time while the database is away; what fired during the outage is
 * planned when the item's save lands after it, and every delivery arrives
 * once. How late is measured by bench/delivery-outage.ts, not asserted here.
 */
import request from 'supertest';
import { standardWebhookReceiver, webhookDeliveries, type Receiver } from '../support/delivery-receivers';
import { startTestStack, type TestStack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { itemStateQuery, itemWorkflowId } from '../../workflows/messages';
import { bearer, eventually } from './api-support';

const WH_SECRET = `whsec_${Buffer.alloc(32, 0x33).toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: TestStack;
let proxy: TcpProxy;
let receiver: Receiver;

beforeAll(async () => {
  const admin = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  stack = await startTestStack({
    databaseUrl: (url) => {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      return through.toString();
    },
    delivery: { digestWindowMs: 2_000 },
  });
  receiver = await standardWebhookReceiver({ secret: WH_SECRET, now: Date.now });
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await stack?.stop();
  await receiver?.close();
  await proxy?.close();
});

test('what fires during the outage fires on time, and is delivered once after it', async () => {
  const adminToken = await stack.tokenFor({ sub: 'admin-1', name: 'Admin', role: 'admin' });
  const leaderToken = await stack.tokenFor({ sub: 'leader-1', name: 'Li Lei', role: 'leader' });
  const unit = await request(stack.app).post('/units').set(bearer(adminToken)).send({
    code: 'pump-station', name: '泵站管理所', kind: 'countyDepartment',
    channels: [{ id: 'wh', config: { kind: 'webhook', url: `${receiver.baseUrl}/in`, secret: WH_SECRET } }],
  });
  expect(unit.status).toBe(201);

  const id = `outage-${Date.now().toString(36)}`;
  const due = Date.now() + 9_000;
  const created = await request(stack.app).post('/items').set(bearer(leaderToken)).send({
    id, title: '泵站检修', supervisionLevel: 'none', leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [{ id: 'p1', description: '泵站故障', severity: 'high' }],
    tasks: [0, 1, 2].map((i) => ({
      id: `t${i}`, problemIds: ['p1'], description: '检修水泵', ownerUnit: 'pump-station', ownerPerson: '周九',
      deadline: { kind: 'instant', at: new Date(due).toISOString() },
    })),
    policy: { warningLead: 'PT7S', escalationLadder: [
      { after: 'PT0S', level: 1, notify: ['ownerUnit'] }, { after: 'PT3S', level: 2, notify: ['ownerUnit'] }, { after: 'PT6S', level: 3, notify: ['ownerUnit'] },
    ] },
  });
  expect(created.status).toBe(201);

  // the warnings go out before the outage
  await eventually(async () => {
    const { rows } = await stack.pool.query(`SELECT count(*) AS n FROM deliveries WHERE item_id = $1 AND status = 'delivered'`, [id]);
    return Number(rows[0].n) === 3 ? true : undefined;
  }, 30_000);
  await sleep(Math.max(0, due - 1_000 - Date.now()));
  await proxy.cut();
  const cutAt = Date.now();
  // deadline, levels 1, 2 and 3 all come due while the database is away
  await sleep(Math.max(0, due + 9_000 - Date.now()));
  // the item itself ran its ladder; the API, which needs the database to check who may read, says so with a 503
  const state = await stack.client.workflow.getHandle(itemWorkflowId(id)).query(itemStateQuery);
  const read = await request(stack.app).get(`/items/${id}`).set(bearer(leaderToken));
  await proxy.restore();
  const restoredAt = Date.now();
  expect(state.tasks.map((t) => t.escalationLevel)).toEqual([3, 3, 3]);
  expect([read.status, read.body.code, read.headers['retry-after']]).toEqual([503, 'SERVICE_UNAVAILABLE', '5']);

  const rows = await eventually(async () => {
    const { rows } = await stack.pool.query(
      `SELECT d.*, n.kind, n.fired_at FROM deliveries d JOIN notifications n ON n.key = d.notification_key WHERE d.item_id = $1`, [id]);
    return rows.length === 15 && rows.every((d) => d.status === 'delivered') ? rows : undefined;
  }, 120_000);

  const duringOutage = rows.filter((d) => d.kind !== 'warning');
  expect(duringOutage).toHaveLength(12);
  for (const d of duringOutage) {
    // fired while the database was away, not when it came back; never before it was due
    expect(Date.parse(d.fired_at)).toBeGreaterThan(cutAt);
    expect(Date.parse(d.fired_at)).toBeLessThan(restoredAt);
    expect(Date.parse(d.fired_at)).toBeGreaterThanOrEqual(due);
  }
  const accepted = receiver.accepted();
  const ids = accepted.map((x) => String(x.headers['webhook-id']));
  expect(new Set(ids).size).toBe(ids.length);
  expect(accepted.flatMap(webhookDeliveries).sort()).toEqual(rows.map((d) => d.id).sort());
  const late = accepted.filter((x) => webhookDeliveries(x).some((dId) => duringOutage.some((d) => d.id === dId)));
  expect(late.length).toBeGreaterThan(0);
  for (const x of late) expect(x.at).toBeGreaterThan(restoredAt);
});
