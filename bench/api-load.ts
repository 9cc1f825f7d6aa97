/**
 * Benchmark: the real system under HTTP load on this machine. An in-memory
 * headless Temporal dev server, a fresh PostgreSQL database, an in-process
 * worker and the Express app on 127.0.0.1 (port 0), driven over loopback with
 * fetch, 8 requests in flight:
 *   1. 200 items created (2 tasks, two units each);
 *   2. 1000 progress reports on t1 by Unit A's owner, round-robin over the items;
 *   3. projection lag: until every items row has the version the last answer named
 *      the last command answered for it;
 *   4. reads: 200 GET /items pages (filters, sort nextDeadline, keyset cursors)
 *      and 200 GET /units/ranking.
 * Prints a JSON summary. API and worker get a pool each (10 connections, the
 * per-process default), as two processes would.
 *
 *   npm run bench:api
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../api/app';
import { loadApiConfig } from '../api/config';
import { signToken } from '../api/token-signing';
import { createPool } from '../db/pool';
import { DATA_DIR, startDevServer } from '../scripts/dev-server';
import { ACTORS, itemBody, UNIT_A, UNIT_B } from '../test/integration/api-support';
import { createTestDatabase } from '../test/support/test-database';
import { createItemWorker } from '../worker/create-worker';
import { phaseReport, runConcurrent } from './percentiles';
import { createCleanups } from './cleanups';

const [ITEMS, REPORTS, CONCURRENCY, PAGES, RANKINGS] = [200, 1000, 8, 200, 200];
const PLAN = 'bench-plan';
const [REQUEST_TIMEOUT_MS, LAG_TIMEOUT_MS] = [60_000, 120_000];
const itemId = (i: number) => `bench-item-${String(i).padStart(3, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** what POST /items (the item) and a command (its result) both answer: the version they produced */
type State = { version: number };
type Page = { items: unknown[]; nextCursor: string | null };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const t0 = performance.now();
  const { cleanups, stopAll, runWorker } = createCleanups();
  try {
    const devServer = await startDevServer({ logFile: join(DATA_DIR, 'temporal-dev-server-bench.log'), readyTimeoutMs: 90_000 });
    cleanups.push(() => devServer.stop());
    const db = await createTestDatabase(); // its own small pool is used only to watch the projection
    cleanups.push(() => db.drop());
    const quiet = pino({ level: 'silent' });
    const config = loadApiConfig({
      NODE_ENV: 'test', DATABASE_URL: db.url, TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TASK_QUEUE: 'bench-api',
      AUTH_JWT_SECRET: 'bench-only-secret-rectification-engine-0123456789', LOG_LEVEL: 'silent',
      // one owner sends all 1,000 reports: the per-caller write limit is not what is measured
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    });
    const apiPool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
    const workerPool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
    cleanups.push(() => apiPool.end(), () => workerPool.end());

    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.push(() => nativeConnection.close());
    const worker = await createItemWorker({
      connection: nativeConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, pool: workerPool,
      maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: 20, maxCachedWorkflows: 500,
    });
    runWorker(worker);

    const connection = await Connection.connect({ address: devServer.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const app = createApp({ config, temporal: client, pool: apiPool, logger: quiet });
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    cleanups.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const [leader, owner, supervisor, admin] = await Promise.all(
      [ACTORS.leader, ACTORS.ownerA, ACTORS.supervisor, ACTORS.admin].map((a) => signToken(config, a, '1h')),
    );
    const call = async <T>(method: string, path: string, token: string, body?: unknown, key?: string): Promise<T> => {
      const res = await fetch(base + path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(key ? { 'Idempotency-Key': key } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };
    const progress = (id: string, key: string, percent: number) =>
      call<State>('POST', `/items/${id}/tasks/t1/progress`, owner!, { text: `bench report ${key}`, percent }, key);

    // tasks name units of the directory
    for (const code of [UNIT_A, UNIT_B]) await call('POST', '/units', admin!, { code, name: `Unit ${code}`, kind: 'countyDepartment' });
    // warm-up outside the plan and outside the figures: first bundle load, JIT, pools, sticky cache
    await call('POST', '/plans', leader!, { id: PLAN, title: 'API load benchmark', categories: ['Bench'] });
    for (const w of ['bench-warmup-1', 'bench-warmup-2']) {
      await call('POST', '/items', leader!, itemBody(w));
      await progress(w, `${w}-p`, 5);
    }
    const setupSeconds = +((performance.now() - t0) / 1000).toFixed(2);

    // 1. create items
    const expected = new Map<string, number>();
    const create = await runConcurrent(ITEMS, CONCURRENCY, async (i) => {
      const state = await call<State>('POST', '/items', leader!, itemBody(itemId(i), { planId: PLAN }));
      expected.set(itemId(i), state.version);
    });

    // 2. progress reports: report i goes to item i % ITEMS, so one item never has two in flight
    const report = await runConcurrent(REPORTS, CONCURRENCY, async (i) => {
      const id = itemId(i % ITEMS);
      const round = Math.floor(i / ITEMS);
      const state = await progress(id, `bench-${i}`, Math.min(100, 10 + round * 15));
      expected.set(id, Math.max(expected.get(id) ?? 0, state.version));
    });

    // 3. projection lag after the last command's answer
    const lagStart = performance.now();
    const ids = [...expected.keys()];
    let behindAtFirstPoll = -1;
    let behind = ids.length;
    let polls = 0;
    while (behind > 0 && performance.now() - lagStart < LAG_TIMEOUT_MS) {
      const { rows } = await db.pool.query<{ id: string; version: number }>('SELECT id, version FROM items WHERE id = ANY($1)', [ids]);
      const versions = new Map(rows.map((r) => [r.id, r.version]));
      behind = ids.filter((id) => (versions.get(id) ?? -1) < expected.get(id)!).length;
      if (polls++ === 0) behindAtFirstPoll = behind;
      if (behind > 0) await sleep(20);
    }
    const lagMs = performance.now() - lagStart;

    // 4. reads: cursors for every page of each filter set are collected first (untimed), then pages are fetched in rotation
    const filters = [
      `ownerUnit=${encodeURIComponent(UNIT_A)}&light=green`,
      `plan=${PLAN}&light=green`,
      `ownerUnit=${encodeURIComponent(UNIT_B)}&overdue=false`,
      `plan=${PLAN}&supervisionLevel=county`,
    ].map((f) => `/items?${f}&sort=nextDeadline&order=asc&limit=50`);
    const pages: string[] = [];
    const rowsPerWalk: number[] = [];
    for (const first of filters) {
      let path: string | undefined = first;
      let rowsSeen = 0;
      for (let n = 0; path && n < 20; n++) {
        pages.push(path);
        const page: Page = await call<Page>('GET', path, supervisor!);
        rowsSeen += page.items.length;
        path = page.nextCursor ? `${first}&cursor=${encodeURIComponent(page.nextCursor)}` : undefined;
      }
      rowsPerWalk.push(rowsSeen);
    }
    const list = await runConcurrent(PAGES, CONCURRENCY, async (i) => void (await call<Page>('GET', pages[i % pages.length]!, supervisor!)));
    let rankedUnits = 0;
    const ranking = await runConcurrent(RANKINGS, CONCURRENCY, async () => {
      rankedUnits = (await call<{ units: unknown[] }>('GET', `/units/ranking?planId=${PLAN}`, supervisor!)).units.length;
    });

    console.log(
      JSON.stringify(
        {
          benchmark: 'HTTP API under load: in-memory dev server, in-process worker, PostgreSQL, loopback fetch',
          machine: { cpus: cpus().length, node: process.version },
          concurrency: CONCURRENCY,
          setupSeconds,
          createItems: { items: ITEMS, ...phaseReport(create) },
          progressReports: { reports: REPORTS, ...phaseReport(report) },
          projectionLag: { items: ids.length, caughtUp: behind === 0, behindAtFirstPoll, lagMs: +lagMs.toFixed(1), polls },
          listItems: { pagesDistinct: pages.length, rowsPerFilterWalk: rowsPerWalk, ...phaseReport(list) },
          unitRanking: { units: rankedUnits, ...phaseReport(ranking) },
          totalSeconds: +((performance.now() - t0) / 1000).toFixed(2),
        },
        null,
        2,
      ),
    );
    if (behind > 0 || create.failures + report.failures + list.failures + ranking.failures > 0) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
