/**
 * Benchmark: deliveries during a 60 s PostgreSQL outage. The worker and the
 * API reach the database through a TCP proxy that drops every connection and
 * refuses new ones for 60 s (test/support/tcp-proxy.ts). 10 units, each with
 * its own DingTalk robot and one item of 10 tasks due 5 s into the outage,
 * with a ladder of level 1 at the deadline, level 2 at +20 s and level 3 at
 * +40 s: 400 notifications (overdue + three levels) come due while the
 * database is away. Reported: how late each fired (the clock), how late each
 * was received (from its due time), and how long after the database came back.
 *
 *   npm run bench:delivery-outage
 */
import { cpus } from 'node:os';
import { dingtalkReceiver, type Receiver } from '../test/support/delivery-receivers';
import { startTcpProxy } from '../test/support/tcp-proxy';
import { startDeliverySystem } from './delivery-system';
import { summarize } from './percentiles';

const UNITS = 10;
const TASKS = 10;
const OUTAGE_MS = 60_000;
const WINDOW_S = Number(process.env.DIGEST_WINDOW_SECONDS ?? 30);
const RUNGS = [{ after: 'PT0S', offsetMs: 0, level: 1 }, { after: 'PT20S', offsetMs: 20_000, level: 2 }, { after: 'PT40S', offsetMs: 40_000, level: 3 }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (i: number) => `station-${i}`;
const seconds = (s: ReturnType<typeof summarize>) => ({
  n: s.n, p50S: +(s.p50Ms / 1000).toFixed(1), p95S: +(s.p95Ms / 1000).toFixed(1), p99S: +(s.p99Ms / 1000).toFixed(1), maxS: +(s.maxMs / 1000).toFixed(1),
});

async function main(): Promise<void> {
  const admin = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  const sys = await startDeliverySystem({
    delivery: { digestWindowMs: WINDOW_S * 1000, baseUrl: 'https://dubann.example.cn' },
    through: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      return u.toString();
    },
  });
  const robots: Receiver[] = [];
  try {
    for (let i = 0; i < UNITS; i++) robots.push(await dingtalkReceiver({ accessToken: `token-${i}`, secret: `SECsecret-${i}`, now: Date.now }));
    const imported = await sys.post('/units/import', { units: robots.map((robot, i) => ({
      code: code(i), name: `泵站${i}`, kind: 'countyDepartment',
      channels: [{ id: 'robot', config: { kind: 'dingtalk', accessToken: `token-${i}`, secret: `SECsecret-${i}`, baseUrl: robot.baseUrl } }],
    })) });
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body)}`);

    const dueAt = Date.now() + 30_000 + WINDOW_S * 1000;
    for (let i = 0; i < UNITS; i++) {
      const res = await sys.post('/items', {
        id: `outage-${i}`, title: `泵站检修${i}`, supervisionLevel: 'none', leader: { id: 'leader-1', name: 'Li Lei' },
        problems: [{ id: 'p1', description: '故障', severity: 'high' }],
        tasks: Array.from({ length: TASKS }, (_, t) => ({
          id: `t${t}`, problemIds: ['p1'], description: `检修${t}`, ownerUnit: code(i), ownerPerson: '周九',
          deadline: { kind: 'instant', at: new Date(dueAt).toISOString() },
        })),
        policy: { warningLead: 'P1D', escalationLadder: RUNGS.map((r) => ({ after: r.after, level: r.level, notify: ['ownerUnit'] })) },
      }, sys.leader);
      if (res.status !== 201) throw new Error(`item ${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    // the warnings go out before the outage
    const count = async (sql: string) => Number((await sys.pool.query(sql)).rows[0].n);
    while ((await count(`SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'`)) < UNITS * TASKS && Date.now() < dueAt - 6_000) await sleep(250);

    await sleep(Math.max(0, dueAt - 5_000 - Date.now()));
    await proxy.cut();
    const cutAt = Date.now();
    await sleep(OUTAGE_MS);
    await proxy.restore();
    const restoredAt = Date.now();

    const expected = UNITS * TASKS * (1 + RUNGS.length);
    const sql = `SELECT d.status, d.delivered_at, d.message_id, n.kind, n.level, n.fired_at FROM deliveries d
                 JOIN notifications n ON n.key = d.notification_key WHERE n.kind IN ('overdue', 'escalation')`;
    let rows: any[] = [];
    while (Date.now() < restoredAt + 5 * 60_000) {
      rows = (await sys.pool.query(sql)).rows;
      if (rows.length === expected && rows.every((r) => r.status === 'delivered')) break;
      await sleep(250);
    }
    const dueOf = (r: any) => dueAt + (r.kind === 'overdue' ? 0 : RUNGS.find((g) => g.level === r.level)!.offsetMs);
    const by = (pick: (r: any) => boolean, f: (r: any) => number) => seconds(summarize(rows.filter(pick).map(f)));
    const all = () => true;
    const received = (r: any) => Date.parse(r.delivered_at);
    const afterOutage = robots.flatMap((r) => r.accepted().filter((x) => x.at >= cutAt));

    console.log(JSON.stringify({
      benchmark: 'deliveries during a 60 s PostgreSQL outage (proxy cut): 10 units with DingTalk robots, 100 tasks, overdue + levels 1/2/3 due inside it',
      machine: { cpus: cpus().length, node: process.version },
      digestWindowSeconds: WINDOW_S,
      outage: { from: `due − ${((dueAt - cutAt) / 1000).toFixed(1)} s`, seconds: +((restoredAt - cutAt) / 1000).toFixed(1) },
      notifications: rows.length,
      delivered: rows.filter((r) => r.status === 'delivered').length,
      messages: afterOutage.length,
      distinctMessageIds: new Set(rows.map((r) => r.message_id)).size,
      clockFiredLate: by(all, (r) => Date.parse(r.fired_at) - dueOf(r)),
      receivedAfterDue: {
        all: by(all, (r) => received(r) - dueOf(r)),
        level1: by((r) => r.level === 1, (r) => received(r) - dueOf(r)),
        level3: by((r) => r.level === 3, (r) => received(r) - dueOf(r)),
      },
      receivedAfterDatabaseBack: by(all, (r) => received(r) - restoredAt),
    }, null, 2));
    if (rows.length !== expected || rows.some((r) => r.status !== 'delivered')) process.exitCode = 1;
  } finally {
    await proxy.restore().catch(() => undefined);
    await sys.stop();
    await Promise.all(robots.map((r) => r.close()));
    await proxy.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
