/**
 * Benchmark: a deadline wave. 50 units, each with its own DingTalk robot (a
 * local receiver that checks the signature as DingTalk does), one item each
 * with 40 tasks, all 2,000 due at the same second; the ladder's first rung
 * (level 1 to the owner unit) fires at the deadline with the overdue notice.
 * Measured on the real system (dev server, in-process worker, PostgreSQL):
 * messages the robots received, deliveries per message (the digest ratio),
 * and delivery lateness from the due time to receipt (p50/p95/p99/max).
 * The warnings the items send when they start are let through first and
 * reported apart.
 *
 *   npm run bench:delivery            (DIGEST_WINDOW_SECONDS=30 by default)
 */
import { cpus } from 'node:os';
import { dingtalkReceiver, type Receiver } from '../test/support/delivery-receivers';
import { startDeliverySystem } from './delivery-system';
import { runConcurrent, summarize } from './percentiles';

const UNITS = 50;
const TASKS_PER_UNIT = 40;
const WINDOW_S = Number(process.env.DIGEST_WINDOW_SECONDS ?? 30);
const WAVE_TIMEOUT_MS = 10 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (i: number) => `bureau-${String(i).padStart(2, '0')}`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const sys = await startDeliverySystem({ delivery: { digestWindowMs: WINDOW_S * 1000, baseUrl: 'https://dubann.example.cn' } });
  const robots: Receiver[] = [];
  try {
    for (let i = 0; i < UNITS; i++) {
      robots.push(await dingtalkReceiver({ accessToken: `token-${i}`, secret: `SECsecret-${i}`, now: Date.now }));
    }
    const imported = await sys.post('/units/import', { units: robots.map((robot, i) => ({
      code: code(i), name: `县直单位${i}`, kind: 'countyDepartment',
      leaders: [{ role: 'principal', name: `负责人${i}`, mobile: `139000000${String(i).padStart(2, '0')}` }],
      channels: [{ id: 'robot', config: { kind: 'dingtalk', accessToken: `token-${i}`, secret: `SECsecret-${i}`, baseUrl: robot.baseUrl } }],
    })) });
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body)}`);

    // far enough ahead for 50 items to start and their warnings to be sent first
    const dueAt = Date.now() + 90_000 + WINDOW_S * 1000;
    const due = { kind: 'instant', at: new Date(dueAt).toISOString() };
    const start = await runConcurrent(UNITS, 4, async (i) => {
      const res = await sys.post('/items', {
        id: `wave-${i}`, title: `专项整治事项${i}`, supervisionLevel: 'none', leader: { id: 'leader-1', name: 'Li Lei' },
        problems: [{ id: 'p1', description: '问题', severity: 'high' }],
        tasks: Array.from({ length: TASKS_PER_UNIT }, (_, t) => ({
          id: `t${String(t).padStart(2, '0')}`, problemIds: ['p1'], description: `整改任务${t}`, ownerUnit: code(i), ownerPerson: '张三', deadline: due,
        })),
        policy: { warningLead: 'P1D', escalationLadder: [{ after: 'PT0S', level: 1, notify: ['ownerUnit'] }] },
      }, sys.leader);
      if (res.status !== 201) throw new Error(`item ${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    });
    if (start.failures) throw new Error(`items failed to start: ${start.failureSamples.join('; ')}`);
    const startedAt = Date.now();
    if (startedAt > dueAt - 5_000) throw new Error('items took too long to start; the wave would not be clean');

    const count = async (sql: string) => Number((await sys.pool.query(sql)).rows[0].n);
    const total = UNITS * TASKS_PER_UNIT;
    // 1. the warnings of the start
    while ((await count(`SELECT count(*) AS n FROM deliveries d JOIN notifications n ON n.key = d.notification_key
                          WHERE n.kind = 'warning' AND d.status = 'delivered'`)) < total && Date.now() < dueAt) await sleep(250);
    const warningMessages = robots.reduce((n, r) => n + r.accepted().length, 0);

    // 2. the wave
    const expected = 2 * total; // overdue + level 1, per task
    while (Date.now() < dueAt + WAVE_TIMEOUT_MS) {
      const done = await count(`SELECT count(*) AS n FROM deliveries d JOIN notifications n ON n.key = d.notification_key
                                 WHERE n.kind IN ('overdue', 'escalation') AND d.status = 'delivered'`);
      if (done >= expected) break;
      await sleep(250);
    }
    const { rows } = await sys.pool.query(
      `SELECT d.message_id, d.status, d.attempts, d.delivered_at, n.kind, n.fired_at
       FROM deliveries d JOIN notifications n ON n.key = d.notification_key WHERE n.kind IN ('overdue', 'escalation')`,
    );
    const delivered = rows.filter((r) => r.status === 'delivered');
    const wave = robots.flatMap((r) => r.accepted().filter((x) => x.at >= dueAt - 1_000));
    const lateness = (kind: string) => delivered.filter((r) => r.kind === kind).map((r) => Date.parse(r.delivered_at) - dueAt);
    const entries = wave.map((x) => [...JSON.parse(x.body).markdown.text.matchAll(/^- 【/gm)].length || 1);
    const refused = robots.reduce((n, r) => n + r.received.filter((x) => !x.accepted).length, 0);
    const seconds = (s: ReturnType<typeof summarize>) => ({
      n: s.n, p50S: +(s.p50Ms / 1000).toFixed(1), p95S: +(s.p95Ms / 1000).toFixed(1), p99S: +(s.p99Ms / 1000).toFixed(1), maxS: +(s.maxMs / 1000).toFixed(1),
    });

    console.log(JSON.stringify({
      benchmark: 'deadline wave: 50 units with their own DingTalk robot, 2,000 tasks due at once, level 1 at the deadline',
      machine: { cpus: cpus().length, node: process.version },
      digestWindowSeconds: WINDOW_S,
      setupAndStartSeconds: +((startedAt - (performance.timeOrigin + t0)) / 1000).toFixed(1),
      warningsAtStart: { deliveries: total, messages: warningMessages, deliveriesPerMessage: +(total / (warningMessages || 1)).toFixed(1) },
      wave: {
        escalations: rows.filter((r) => r.kind === 'escalation').length,
        overdueNotices: rows.filter((r) => r.kind === 'overdue').length,
        delivered: delivered.length,
        messages: wave.length,
        distinctMessageIds: new Set(delivered.map((r) => r.message_id)).size,
        deliveriesPerMessage: +(delivered.length / (wave.length || 1)).toFixed(1),
        largestDigest: Math.max(0, ...entries),
        messagesPerRobot: { max: Math.max(...robots.map((r) => r.accepted().filter((x) => x.at >= dueAt - 1_000).length)) },
        retriedDeliveries: delivered.filter((r) => r.attempts > 1).length,
        refusedRequests: refused,
        clockLatenessMs: summarize(rows.map((r) => Date.parse(r.fired_at) - dueAt)),
        latenessFromDueToReceipt: { escalations: seconds(summarize(lateness('escalation'))), overdueNotices: seconds(summarize(lateness('overdue'))) },
      },
      totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
    }, null, 2));
    if (delivered.length < expected) process.exitCode = 1;
  } finally {
    await sys.stop();
    await Promise.all(robots.map((r) => r.close()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
