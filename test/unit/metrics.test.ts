/**
 * The metrics building blocks without a database or a server: what the save
 * and delivery reports add up to, the items count served from one query per
 * interval (and never stale after a failure), HTTP labels that cannot grow
 * without bound, and the bare /metrics listener.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import express from 'express';
import { markRoute, requestMetrics } from '../../api/http/request-metrics';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { loadApiConfig } from '../../api/config';
import { createApiMetrics } from '../../metrics/api-metrics';
import { loadWorkerConfig } from '../../worker/config';
import { serveMetrics, serveMetricsOrWarn } from '../../metrics/serve';
import { createWorkerMetrics, oldestChangeMs } from '../../metrics/worker-metrics';
import { createItemState } from '../../domain/create-item';
import { SaveTracker } from '../../domain/item-changes';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { itemInput, LEADER, NOW } from './item-builders';
import { metricsBindAddress } from '../../metrics/bind-address';
import { sdkMetricsTelemetry } from '../../metrics/temporal-sdk';
import type { AuditEvent } from '../../domain/types';

/** A pool whose one query is the items count: answers `rows`, or fails while `failing`. */
function fakePool(rows: Array<{ status: string; light: string; count: number }>) {
  const state = { counts: 0, failing: false };
  const client = {
    query: async (sql: string) => {
      if (!/SELECT status, light/.test(sql)) return { rows: [] };
      state.counts += 1;
      if (state.failing) throw new Error('database down');
      // BEGIN; SET LOCAL …; SELECT …; COMMIT
      return [{ rows: [] }, { rows: [] }, { rows }, { rows: [] }];
    },
    release: () => undefined,
  };
  return { pool: { connect: async () => client } as unknown as Pool, state };
}

const clockEvent = (seq: number, action: string, at: string, details: Record<string, unknown>): AuditEvent => ({
  itemId: 'i1', seq, at, actor: { id: 'system', name: 'System', role: 'system' as never }, action, units: [], details,
});

describe('worker metrics', () => {
  test('attempts by outcome; a retry is any attempt after the first', async () => {
    const m = createWorkerMetrics();
    m.saveAttempt('failed', 1, 0.01);
    m.saveAttempt('failed', 2, 0.01);
    m.saveAttempt('saved', 3, 0.02);
    const text = await m.registry.metrics();
    expect(text).toContain('rect_save_attempts_total{outcome="failed"} 2');
    expect(text).toContain('rect_save_attempts_total{outcome="saved"} 1');
    expect(text).toContain('rect_save_retries_total 2');
  });

  test('clock events from landed audit rows: counted by kind and level, lateness = fired − scheduled; other actions ignored', async () => {
    const m = createWorkerMetrics();
    m.saveLanded({ asOf: '2026-03-01T00:00:10.000Z' }, {
      itemRowWritten: true,
      auditEvents: [
        clockEvent(1, 'deadlineWarning', '2026-03-01T00:00:02.000Z', { scheduledAt: '2026-03-01T00:00:00.000Z' }),
        clockEvent(2, 'escalated', '2026-03-01T00:01:00.000Z', { level: 2, scheduledAt: '2026-03-01T00:00:00.000Z' }),
        // recorded before the clock kept scheduledAt: counted, not timed
        clockEvent(3, 'deadlineMissed', '2026-03-01T00:00:05.000Z', {}),
        clockEvent(4, 'progressReported', '2026-03-01T00:00:05.000Z', {}),
      ],
    }, Date.parse('2026-03-01T00:00:12.500Z'));
    const text = await m.registry.metrics();
    expect(text).toContain('rect_clock_events_total{kind="warning"} 1');
    expect(text).toContain('rect_clock_events_total{kind="overdue"} 1');
    expect(text).toContain('rect_clock_events_total{kind="escalation"} 1');
    expect(text).toContain('rect_escalations_total{level="2"} 1');
    expect(text).toContain('rect_clock_event_lateness_seconds_sum{kind="warning"} 2');
    expect(text).toContain('rect_clock_event_lateness_seconds_sum{kind="escalation"} 60');
    expect(text).toContain('rect_clock_event_lateness_seconds_count{kind="overdue"} 0');
    expect(text).toContain('rect_clock_event_lateness_seconds_bucket{le="2.5",kind="warning"} 1');
    expect(text).toContain('rect_clock_event_lateness_seconds_bucket{le="30",kind="escalation"} 0');
    expect(text).toContain('rect_projection_lag_seconds_sum 2.5');
  });

  test('a save that moved no item row adds no lag; deliveries add up by channel and outcome', async () => {
    const m = createWorkerMetrics();
    m.saveLanded({ asOf: '2026-03-01T00:00:00.000Z' }, { itemRowWritten: false, auditEvents: [] }, Date.now());
    m.deliveries('wecom', 'delivered', 3);
    m.deliveries('wecom', 'delivered', 2);
    m.deliveries('email', 'dead', 1);
    m.deliveries('email', 'retrying', 0);
    const text = await m.registry.metrics();
    expect(text).toContain('rect_projection_lag_seconds_count 0');
    expect(text).toContain('rect_notification_deliveries_total{channel="wecom",outcome="delivered"} 5');
    expect(text).toContain('rect_notification_deliveries_total{channel="email",outcome="dead"} 1');
    expect(text).not.toContain('outcome="retrying"');
  });
});

describe('projection lag', () => {
  const lagSum = async (m: ReturnType<typeof createWorkerMetrics>) =>
    (await m.registry.getMetricsAsJSON()).find((x) => x.name === 'rect_projection_lag_seconds')!.values
      .find((v) => (v as { metricName?: string }).metricName === 'rect_projection_lag_seconds_sum')!.value;

  test('is how long the oldest change a save carries waited to be visible: commit minus its earliest record, not the time the batch was taken', async () => {
    const created = createItemState(itemInput({ id: 'lag-1' }), LEADER, NOW, statutoryCalendar());
    const tracker = new SaveTracker();
    tracker.add(created.records);
    // the saver took the batch 5 s after the item was created (an earlier save was in flight), and it committed 1 s later
    const changes = tracker.take(created.state, NOW + 5_000)!;
    expect(changes.asOf).toBe(new Date(NOW + 5_000).toISOString());
    const m = createWorkerMetrics();
    m.saveLanded(changes, { itemRowWritten: true, auditEvents: changes.auditEvents }, NOW + 6_000);
    expect(await lagSum(m)).toBe(6);
    expect(oldestChangeMs(changes)).toBe(NOW);
  });

  test('a save with no record is measured from the batch; dispatches and reviews count as changes; a row not moved adds nothing', async () => {
    const m = createWorkerMetrics();
    const asOf = '2026-03-01T00:00:10.000Z';
    m.saveLanded({ asOf, auditEvents: [], dispatches: [], reviews: [] }, { itemRowWritten: true, auditEvents: [] }, Date.parse('2026-03-01T00:00:11.000Z'));
    expect(await lagSum(m)).toBe(1);
    expect(oldestChangeMs({ asOf, dispatches: [{ at: '2026-03-01T00:00:04.000Z' }], reviews: [{ at: '2026-03-01T00:00:07.000Z' }] })).toBe(Date.parse('2026-03-01T00:00:04.000Z'));
    m.saveLanded({ asOf, auditEvents: [{ at: '2026-03-01T00:00:00.000Z' }] }, { itemRowWritten: false, auditEvents: [] }, Date.parse('2026-03-01T00:01:00.000Z'));
    expect(await lagSum(m)).toBe(1);
  });
});

describe('API metrics', () => {
  test('the items count is one query per interval however many scrapes, with every status × light present', async () => {
    const { pool, state } = fakePool([{ status: 'active', light: 'red', count: 7 }]);
    const m = createApiMetrics({ pool, itemCountTtlMs: 60_000 });
    const first = await m.registry.metrics();
    await Promise.all([m.registry.metrics(), m.registry.metrics()]);
    expect(state.counts).toBe(1);
    expect(first).toContain('rect_items{status="active",light="red"} 7');
    expect(first).toContain('rect_items{status="cancelled",light="green"} 0');
    expect(first.match(/^rect_items\{/gm)).toHaveLength(12);
  });

  test('a failed count leaves no series (never stale figures), is reported, and the next scrape asks again', async () => {
    const { pool, state } = fakePool([{ status: 'active', light: 'green', count: 2 }]);
    const errors: unknown[] = [];
    const m = createApiMetrics({ pool, itemCountTtlMs: 60_000, onCountError: (err) => errors.push(err) });
    state.failing = true;
    const down = await m.registry.metrics();
    expect(down).not.toMatch(/^rect_items\{/m);
    expect(down).toMatch(/^rect_items_count_error 1$/m);
    expect(errors).toHaveLength(1);
    state.failing = false;
    const up = await m.registry.metrics();
    expect(up).toContain('rect_items{status="active",light="green"} 2');
    expect(up).toMatch(/^rect_items_count_error 0$/m);
    expect(state.counts).toBe(2);
  });

  test('HTTP labels stay bounded: an unknown method is OTHER, a request no route took is unmatched', async () => {
    const m = createApiMetrics({ pool: fakePool([]).pool });
    m.observeRequest('GET', '/items/:id', 200, 0.01);
    m.observeRequest('BREW', undefined, 404, 0.001);
    const text = await m.registry.metrics();
    expect(text).toContain('rect_http_request_duration_seconds_count{method="GET",route="/items/:id",status="200"} 1');
    expect(text).toContain('rect_http_request_duration_seconds_count{method="OTHER",route="unmatched",status="404"} 1');
  });
});

describe('metrics listener', () => {
  test('serves GET /metrics in the exposition format and nothing else', async () => {
    const m = createWorkerMetrics();
    const listener = await serveMetrics(m.registry, '127.0.0.1', 0);
    try {
      const res = await fetch(listener.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('# TYPE rect_clock_events_total counter');
      expect((await fetch(listener.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(listener.url, { method: 'POST' })).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  test('a taken port costs the metrics, not the process: a warning and no listener', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const warnings: string[] = [];
    try {
      const listener = await serveMetricsOrWarn(createWorkerMetrics().registry, '127.0.0.1', port, { warn: (_o, msg) => warnings.push(msg) });
      expect(listener).toBeUndefined();
      expect(warnings).toEqual(['metrics not served: the port cannot be bound']);
      expect(await serveMetricsOrWarn(createWorkerMetrics().registry, '127.0.0.1', undefined, { warn: () => undefined })).toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('metrics configuration', () => {
  test('ports are numbers, `off`, or refused; defaults 9464 / 9465 / 9466 on the loopback', () => {
    expect(loadWorkerConfig({})).toMatchObject({ METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: 9464, TEMPORAL_SDK_METRICS_PORT: 9465 });
    expect(loadApiConfig({})).toMatchObject({ METRICS_HOST: '127.0.0.1', API_METRICS_PORT: 9466, METRICS_ITEM_COUNT_INTERVAL_SECONDS: 15 });
    expect(loadWorkerConfig({ WORKER_METRICS_PORT: 'off', TEMPORAL_SDK_METRICS_PORT: '0' })).toMatchObject({
      WORKER_METRICS_PORT: undefined, TEMPORAL_SDK_METRICS_PORT: 0,
    });
    for (const bad of ['', 'abc', '-1', '65536', '80.5']) {
      expect(() => loadWorkerConfig({ WORKER_METRICS_PORT: bad })).toThrow(/WORKER_METRICS_PORT: must be a port \(0–65535\) or off/);
    }
    expect(() => loadApiConfig({ API_METRICS_PORT: 'on' })).toThrow(/API_METRICS_PORT/);
  });

  test('a metrics token is a secret: 32 characters at least, and in production not a placeholder or a pattern', () => {
    expect(() => loadApiConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(48).toString('base64') };
    expect(() => loadApiConfig({ ...production, METRICS_TOKEN: 'metrics-token-change-me-0123456789abc' })).toThrow(/METRICS_TOKEN.*refused in production/);
    expect(() => loadApiConfig({ ...production, METRICS_TOKEN: 'abababababababababababababababababab' })).toThrow(/METRICS_TOKEN/);
    const fresh = randomBytes(32).toString('base64url');
    expect(loadApiConfig({ ...production, METRICS_TOKEN: fresh }).METRICS_TOKEN).toBe(fresh);
  });

  test('in production a metrics token published in this repository, or the JWT secret itself, is refused like a weak secret', () => {
    const secret = randomBytes(48).toString('base64');
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: secret };
    // the token the integration tests scrape with, and the secret this file used to call production-grade
    expect(() => loadApiConfig({ ...production, METRICS_TOKEN: 'k9Qx2LmZ7vTn4RbW8yHc3JdF6pGs1AeU' })).toThrow(
      /METRICS_TOKEN: is a secret published with this software: refused in production/,
    );
    expect(() => loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'Zx8#kP2vLq9!wR4tYb7^mN3sHd6&jF1c' })).toThrow(/AUTH_JWT_SECRET: is a secret published/);
    // scrapers would hold the signing key
    expect(() => loadApiConfig({ ...production, METRICS_TOKEN: secret })).toThrow(/METRICS_TOKEN: must differ from AUTH_JWT_SECRET: refused in production/);
    expect(() => loadApiConfig({ ...production, METRICS_TOKEN: ` ${secret} ` })).toThrow(/METRICS_TOKEN: must differ from AUTH_JWT_SECRET/);
    // outside production the test tokens still work
    expect(loadApiConfig({ METRICS_TOKEN: 'k9Qx2LmZ7vTn4RbW8yHc3JdF6pGs1AeU' }).METRICS_TOKEN).toBe('k9Qx2LmZ7vTn4RbW8yHc3JdF6pGs1AeU');
  });
});

describe('METRICS_HOST', () => {
  const LOCAL = new Set(['127.0.0.1', '::1', '172.18.0.5', '10.9.0.7']);
  const resolvesTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  test('an IP is bound as it is; localhost as its loopback address, IPv4 first', async () => {
    expect(await metricsBindAddress('0.0.0.0')).toBe('0.0.0.0');
    expect(await metricsBindAddress('::1')).toBe('::1');
    expect(await metricsBindAddress('localhost')).toBe('127.0.0.1');
    expect(await metricsBindAddress('localhost', resolvesTo('::1', '127.0.0.1'), LOCAL)).toBe('127.0.0.1');
  });

  test('an alias every replica shares (worker-metrics) binds each replica to its own address; a name for no address of this machine is refused by name', async () => {
    expect(await metricsBindAddress('worker-metrics', resolvesTo('172.18.0.4', '172.18.0.5', '172.18.0.6'), LOCAL)).toBe('172.18.0.5');
    await expect(metricsBindAddress('prometheus', resolvesTo('172.18.0.9'), LOCAL)).rejects.toThrow(
      'METRICS_HOST prometheus resolves to 172.18.0.9, none of which is an address of this machine',
    );
  });

  test('the listener serves on the address a host name resolved to; the SDK exporter is given an IP, never a name it would refuse', async () => {
    const listener = await serveMetrics(createWorkerMetrics().registry, await metricsBindAddress('localhost'), 0);
    try {
      expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(listener.url)).status).toBe(200);
    } finally {
      await listener.close();
    }
    expect(sdkMetricsTelemetry('::1', 9465).metrics).toMatchObject({ prometheus: { bindAddress: '[::1]:9465' } });
    expect(() => sdkMetricsTelemetry('localhost', 9465)).toThrow(/IP address, not "localhost"/);
  });
});

describe('HTTP latency of abandoned requests', () => {
  test('a request whose client left before the answer is timed under status 499; a finished one once, under its own status', async () => {
    const metrics = createApiMetrics({ pool: fakePool([]).pool });
    const app = express();
    app.use(requestMetrics(metrics));
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    let answer!: () => void;
    app.get('/items/:id', (req, res) => {
      markRoute(res, '/items/:id');
      if (req.params.id === 'fast') return void res.json({ ok: true });
      arrived();
      // answers only after the client has gone (a slow read)
      answer = () => void (res.writableEnded || res.json({ late: true }));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const count = async (status: string) => {
      const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rect_http_request_duration_seconds')!;
      return metric.values.find((v) => (v as { metricName?: string }).metricName === 'rect_http_request_duration_seconds_count'
        && v.labels.route === '/items/:id' && v.labels.status === status)?.value ?? 0;
    };
    try {
      expect((await fetch(`http://127.0.0.1:${port}/items/fast`)).status).toBe(200);
      const gone = new AbortController();
      const abandoned = fetch(`http://127.0.0.1:${port}/items/slow`, { signal: gone.signal }).catch((err: Error) => err.name);
      await slowArrived;
      gone.abort();
      expect(await abandoned).toBe('AbortError');
      for (let i = 0; i < 100 && (await count('499')) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      answer();
      expect(await count('499')).toBe(1);
      expect(await count('200')).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
