/**
 * Metrics from the real system: an item on the dev server fires its warning,
 * deadline and two rungs in real time, and the worker counts each once, with
 * its lateness, when the save lands; a save that lands twice counts once; the
 * API counts items by status and light from the read side, labels latency by
 * route template, and serves GET /metrics only to the metrics token.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import request from 'supertest';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { createItemState } from '../../domain/create-item';
import { SaveTracker } from '../../domain/item-changes';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { advanceClock } from '../../domain/timeline';
import { createWorkerMetrics, type WorkerMetrics } from '../../metrics/worker-metrics';
import { seedDirectory, startTestStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { createTestDatabase } from '../support/test-database';
import { DAY, itemInput, LEADER, NOW, T1_DUE, T2_DUE } from '../unit/item-builders';
import { bearer, eventually, startItem, tokensFor, UNIT_A } from './api-support';

const METRICS_TOKEN = 'k9Qx2LmZ7vTn4RbW8yHc3JdF6pGs1AeU';

/** The value of one series in the registry (0 when it has none yet). */
async function value(metrics: WorkerMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = metric?.values.find((v) => {
    const l = v.labels as Record<string, string | number>;
    return (v as { metricName?: string }).metricName === undefined && Object.entries(labels).every(([k, x]) => String(l[k]) === x);
  });
  return match?.value ?? 0;
}

/** The count of a histogram's observations for the given labels. */
async function observations(metrics: WorkerMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = metric?.values.find((v) => {
    const l = v.labels as Record<string, string | number>;
    return (v as { metricName?: string }).metricName === `${name}_count` && Object.entries(labels).every(([k, x]) => String(l[k]) === x);
  });
  return match?.value ?? 0;
}

let stack: TestStack;
let tokens: Awaited<ReturnType<typeof tokensFor>>;

beforeAll(async () => {
  // every scrape counts afresh here, so each test sees the items it made
  stack = await startTestStack({ apiEnv: { METRICS_TOKEN, METRICS_ITEM_COUNT_INTERVAL_SECONDS: '0' } });
  tokens = await tokensFor(stack);
});
afterAll(async () => {
  await stack?.stop();
});

describe('worker metrics', () => {
  test('a warning, a missed deadline and two rungs fired in real time are each counted once, with their lateness, when their save lands', async () => {
    const m = stack.workerMetrics;
    const due = new Date(Date.now() + 4_000).toISOString();
    await startItem(stack, tokens.leader, 'clock-metrics', {
      problems: [{ id: 'p1', description: 'Potholes', severity: 'high' }],
      tasks: [{ id: 't1', problemIds: ['p1'], description: 'Resurface', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'instant', at: due } }],
      policy: {
        warningLead: 'PT2S',
        escalationLadder: [{ after: 'PT0S', level: 1, notify: ['ownerUnit'] }, { after: 'PT1S', level: 2, notify: ['itemLeader'] }],
      },
    });
    await eventually(async () => ((await value(m, 'rect_clock_events_total', { kind: 'escalation' })) >= 2 ? true : undefined), 30_000);
    expect(await value(m, 'rect_clock_events_total', { kind: 'warning' })).toBe(1);
    expect(await value(m, 'rect_clock_events_total', { kind: 'overdue' })).toBe(1);
    expect(await value(m, 'rect_clock_events_total', { kind: 'escalation' })).toBe(2);
    expect(await value(m, 'rect_escalations_total', { level: '1' })).toBe(1);
    expect(await value(m, 'rect_escalations_total', { level: '2' })).toBe(1);
    expect(await observations(m, 'rect_clock_event_lateness_seconds', { kind: 'warning' })).toBe(1);
    expect(await observations(m, 'rect_clock_event_lateness_seconds', { kind: 'overdue' })).toBe(1);
    expect(await observations(m, 'rect_clock_event_lateness_seconds', { kind: 'escalation' })).toBe(2);
    // the same counts reach the audit trail: nothing counted that did not land
    const { rows } = await stack.pool.query(
      `SELECT action, count(*) AS n FROM audit_events WHERE item_id = 'clock-metrics' AND action IN ('deadlineWarning', 'deadlineMissed', 'escalated') GROUP BY action ORDER BY action`,
    );
    expect(rows).toEqual([{ action: 'deadlineMissed', n: 1 }, { action: 'deadlineWarning', n: 1 }, { action: 'escalated', n: 2 }]);
    expect(await value(m, 'rect_save_attempts_total', { outcome: 'saved' })).toBeGreaterThanOrEqual(2);
    expect(await value(m, 'rect_save_attempts_total', { outcome: 'failed' })).toBe(0);
    expect(await observations(m, 'rect_projection_lag_seconds')).toBeGreaterThanOrEqual(2);
  });

  test('a save that lands twice (a retry after a lost acknowledgement) counts its events and its lag once, its attempts twice', async () => {
    const metrics = createWorkerMetrics();
    const created = createItemState(itemInput({ id: 'retried-save' }), LEADER, NOW, statutoryCalendar());
    const tracker = new SaveTracker();
    tracker.add(created.records);
    const fired = advanceClock(created.state, T2_DUE + DAY);
    tracker.add(fired.records);
    const changes = tracker.take(fired.state, T2_DUE + DAY)!;
    const clockEvents = changes.auditEvents.filter((e) => ['deadlineWarning', 'deadlineMissed', 'escalated'].includes(e.action)).length;
    expect(clockEvents).toBeGreaterThanOrEqual(3);

    const activities = createActivities({ pool: stack.pool, metrics });
    await activities.saveItemChanges(changes);
    await activities.saveItemChanges(changes);
    const counted =
      (await value(metrics, 'rect_clock_events_total', { kind: 'warning' })) +
      (await value(metrics, 'rect_clock_events_total', { kind: 'overdue' })) +
      (await value(metrics, 'rect_clock_events_total', { kind: 'escalation' }));
    expect(counted).toBe(clockEvents);
    expect(await observations(metrics, 'rect_projection_lag_seconds')).toBe(1);
    expect(await value(metrics, 'rect_save_attempts_total', { outcome: 'saved' })).toBe(2);
  });
});

describe('save attempts', () => {
  test('a save whose wake of the delivery senders fails after its commit is one failed attempt, then, retried, one saved: never saved twice', async () => {
    const db = await createTestDatabase();
    try {
      await seedDirectory(db.pool);
      await db.pool.query(
        `INSERT INTO unit_channels (unit_code, id, kind, config) VALUES ($1, 'hook', 'webhook', '{"url": "http://127.0.0.1:9/hook"}')`,
        [itemInput().tasks[0]!.ownerUnit],
      );
      const metrics = createWorkerMetrics();
      const created = createItemState(itemInput({ id: 'wake-fails' }), LEADER, NOW, statutoryCalendar());
      const tracker = new SaveTracker();
      tracker.add(created.records);
      const fired = advanceClock(created.state, T1_DUE + DAY);
      tracker.add(fired.records);
      const changes = tracker.take(fired.state, T1_DUE + DAY)!;
      let wakes = 0;
      const activities = createActivities({
        pool: db.pool, metrics,
        wake: async () => {
          wakes += 1;
          if (wakes === 1) throw new Error('Temporal unavailable');
        },
      });
      // attempt 1 commits, then cannot wake the senders: Temporal retries it
      await expect(new MockActivityEnvironment({ attempt: 1 }).run(activities.saveItemChanges, changes)).rejects.toThrow('Temporal unavailable');
      await new MockActivityEnvironment({ attempt: 2 }).run(activities.saveItemChanges, changes);
      expect(wakes).toBe(2);
      expect(await value(metrics, 'rect_save_attempts_total', { outcome: 'failed' })).toBe(1);
      expect(await value(metrics, 'rect_save_attempts_total', { outcome: 'saved' })).toBe(1);
      expect(await value(metrics, 'rect_save_retries_total')).toBe(1);
      expect(await observations(metrics, 'rect_save_duration_seconds', { outcome: 'saved' })).toBe(1);
      // what the first attempt's commit landed is counted once, by that commit
      expect(await observations(metrics, 'rect_projection_lag_seconds')).toBe(1);
    } finally {
      await db.drop();
    }
  });
});

describe('API metrics', () => {
  const scrape = () => request(stack.app).get('/metrics').set(bearer(METRICS_TOKEN));

  test('GET /metrics answers only to the metrics token; without METRICS_TOKEN the route does not exist', async () => {
    const none = await request(stack.app).get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await request(stack.app).get('/metrics').set(bearer(`${METRICS_TOKEN}x`))).status).toBe(401);
    // a user's token is not the metrics token
    expect((await request(stack.app).get('/metrics').set(bearer(tokens.admin))).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);

    const config = loadApiConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused', AUTH_JWT_SECRET: TEST_JWT_SECRET });
    const app = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    const absent = await request(app).get('/metrics').set(bearer(METRICS_TOKEN));
    expect(absent.status).toBe(404);
  });

  test('items are counted by status and light from the read side, and latency is labelled by route template, never by id', async () => {
    for (const id of ['count-1', 'count-2']) await startItem(stack, tokens.leader, id);
    const cancelled = await request(stack.app).post('/items/count-2/cancel').set(bearer(tokens.leader)).send({ reason: 'merged' });
    expect(cancelled.status).toBe(200);
    await eventually(async () => {
      const { rows } = await stack.pool.query(`SELECT status FROM items WHERE id = 'count-2'`);
      return rows[0]?.status === 'cancelled' ? true : undefined;
    });
    expect((await request(stack.app).get('/items/count-1').set(bearer(tokens.supervisor))).status).toBe(200);
    expect((await request(stack.app).get('/items/no-such-item').set(bearer(tokens.supervisor))).status).toBe(404);
    expect((await request(stack.app).get('/no/such/path')).status).toBe(404);

    const text = (await scrape()).text;
    const { rows } = await stack.pool.query('SELECT status, light, count(*) AS n FROM items GROUP BY 1, 2');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(text).toContain(`rect_items{status="${r.status}",light="${r.light}"} ${r.n}`);
    expect(text).toMatch(/rect_items\{status="cancelled",light="none"\} [1-9]/);
    // a combination no item has is there at zero
    expect(text).toContain('rect_items{status="completed",light="red"} 0');

    expect(text).toMatch(/rect_http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="200"\} [1-9]/);
    expect(text).toMatch(/rect_http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="404"\} [1-9]/);
    expect(text).toMatch(/rect_http_request_duration_seconds_count\{method="POST",route="\/items",status="201"\} [1-9]/);
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toMatch(/count-1|no-such-item|\/no\/such\/path/);
  });
});
