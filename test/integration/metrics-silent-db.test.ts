/**
 * A scrape of the API's metrics when PostgreSQL goes silent (the connection
 * stays open, nothing answers): the items count gives up at its deadline,
 * the scrape answers with every other metric and `rect_items_count_error 1`,
 * and once the database speaks again the scrapes count again.
 */
import { createPool } from '../../db/pool';
import { createApiMetrics } from '../../metrics/api-metrics';
import { serveMetrics, type MetricsListener } from '../../metrics/serve';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from './api-support';

let db: TestDatabase;
let proxy: TcpProxy;
let listener: MetricsListener | undefined;
const pools: Array<{ end(): Promise<void> }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await listener?.close();
  proxy?.speak();
  for (const pool of pools) await pool.end().catch(() => undefined);
  await proxy?.close();
  await db?.drop();
});

test('a silent database costs the items gauge, never the scrape: the other metrics and an error gauge, then counts again once it speaks', async () => {
  const url = new URL(db.url);
  url.port = String(proxy.port);
  const pool = createPool({ DATABASE_URL: url.toString(), DATABASE_POOL_MAX: 2 });
  pools.push(pool);
  const errors: unknown[] = [];
  const metrics = createApiMetrics({ pool, itemCountTtlMs: 0, itemCountDeadlineMs: 1_000, onCountError: (err) => errors.push(err) });
  listener = await serveMetrics(metrics.registry, '127.0.0.1', 0);
  const scrape = async () => (await fetch(listener!.url)).text();

  const before = await scrape();
  expect(before).toMatch(/^rect_items\{status="active",light="green"\} \d+$/m);
  expect(before).toMatch(/^rect_items_count_error 0$/m);

  // the pooled connection stays open and a new one is accepted, but nothing answers any more
  proxy.silence();
  for (const attempt of [1, 2]) {
    const silent = await scrape();
    expect({ attempt, error: /^rect_items_count_error 1$/m.test(silent) }).toEqual({ attempt, error: true });
    expect(silent).not.toMatch(/^rect_items\{/m);
    expect(silent).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(silent).toContain('# TYPE rect_http_request_duration_seconds histogram');
  }
  expect(String(errors[0])).toMatch(/no answer within 1000 ms/);

  // connections opened while it was silent lost their handshake: the pool drops them at its connect timeout (10 s)
  proxy.speak();
  const again = await eventually(async () => {
    const text = await scrape();
    return /^rect_items_count_error 0$/m.test(text) ? text : undefined;
  }, 30_000);
  expect(again).toMatch(/^rect_items\{status="active",light="green"\} \d+$/m);
});
