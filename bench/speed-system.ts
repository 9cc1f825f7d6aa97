/**
 * The system the speed benchmark runs on: a Temporal dev server (file-backed
 * like `npm start`'s, or in-memory with SPEED_SERVER=memory), a fresh
 * PostgreSQL database, the item worker with the production defaults, a worker
 * for the raw floors on a task queue of its own, and the API in a process of
 * its own as production runs it (SPEED_API=inline: in this one), listening on
 * loopback (driven with fetch, as a client would).
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import pino from 'pino';
import { createApp } from '../api/app';
import { loadApiConfig } from '../api/config';
import { signToken } from '../api/token-signing';
import { clientConnectionOptions } from '../config/temporal-connection';
import { createPool } from '../db/pool';
import { DATA_DIR, startDevServer } from '../scripts/dev-server';
import { ACTORS } from '../test/integration/api-support';
import { createTestDatabase } from '../test/support/test-database';
import { DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS } from '../worker/config';
import { createItemWorker } from '../worker/create-worker';
import { createFloorActivities, FIRINGS_TABLE_SQL } from './floors/activities';
import { startApiProcess } from './api-process';
import { createCleanups } from './cleanups';

export const ITEM_QUEUE = 'bench-speed';
export const FLOOR_QUEUE = 'bench-speed-floor';

export interface SpeedSystem {
  client: Client;
  /** the benchmark's own pool (floors' reads, watching the projection), apart from the API's and the worker's */
  pool: Pool;
  /** the benchmark database, for load generators with connections of their own */
  databaseUrl: string;
  server: 'file' | 'memory';
  cache: number;
  base: string;
  /** the processes whose CPU a wave accounts for (bench/speed/cpu.ts); the workers run in this one */
  pids: { server: number; api?: number };
  tokens: { leader: string; supervisor: string; ownerA: string; admin: string };
  call<T>(method: string, path: string, token: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startSpeedSystem(): Promise<SpeedSystem> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { cleanups, stopAll: stop, runWorker } = createCleanups();
  try {
    const server = process.env.SPEED_SERVER === 'memory' ? 'memory' : 'file';
    const dbFile = server === 'file' ? join(DATA_DIR, `bench-speed-${process.pid}.db`) : undefined;
    const devServer = await startDevServer({ dbFile, logFile: join(DATA_DIR, 'temporal-dev-server-bench.log'), readyTimeoutMs: 90_000 });
    cleanups.push(() => devServer.stop());
    if (dbFile) cleanups.push(async () => ['', '-wal', '-shm'].forEach((end) => rmSync(dbFile + end, { force: true })));
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    // when each escalation landed on the read side: the benchmark's own column, on its own database
    await db.pool.query('ALTER TABLE escalations ADD COLUMN landed_at timestamptz NOT NULL DEFAULT clock_timestamp()');
    await db.pool.query(FIRINGS_TABLE_SQL);
    const quiet = pino({ level: 'silent' });
    const apiEnv = {
      NODE_ENV: 'test', DATABASE_URL: db.url, TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TASK_QUEUE: ITEM_QUEUE,
      AUTH_JWT_SECRET: 'bench-only-secret-rectification-engine-0123456789', LOG_LEVEL: 'silent',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000', DATABASE_POOL_MAX: '10',
    };
    const config = loadApiConfig(apiEnv);
    const workerPool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
    // the floors' reads get a pool like the API's, so neither waits for connections the other has
    const benchPool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
    cleanups.push(() => workerPool.end(), () => benchPool.end());

    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.push(() => nativeConnection.close());
    const connection = await Connection.connect(clientConnectionOptions({ TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TLS: false }));
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

    // the production defaults (worker/config.ts): 20 workflow tasks, 20 activities, 500 cached items, 60 s on the sticky queue
    // (SPEED_CACHE sets WORKER_MAX_CACHED_WORKFLOWS for both workers: a wave larger than the cache replays every wake)
    const cache = Number(process.env.SPEED_CACHE ?? 500);
    // SPEED_WORKFLOW_TASKS sets WORKER_MAX_CONCURRENT_WORKFLOW_TASKS for both workers
    const workflowTasks = Number(process.env.SPEED_WORKFLOW_TASKS ?? 20);
    const itemWorker = await createItemWorker({
      connection: nativeConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: ITEM_QUEUE, pool: workerPool, client,
      maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: workflowTasks, maxCachedWorkflows: cache,
    });
    const floorWorker = await Worker.create({
      connection: nativeConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: FLOOR_QUEUE,
      workflowsPath: require.resolve('./floors/workflows'), activities: createFloorActivities(workerPool),
      maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: workflowTasks, maxCachedWorkflows: cache,
      // as the item worker's (worker/config.ts): with Temporal's 10 s a wave's backlog goes to full replays
      stickyQueueScheduleToStartTimeout: `${DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS}s`,
    });
    for (const worker of [itemWorker, floorWorker]) runWorker(worker);

    let base: string;
    const pids: SpeedSystem['pids'] = { server: devServer.pid };
    if (process.env.SPEED_API === 'inline') {
      const apiPool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
      cleanups.push(() => apiPool.end());
      const app = createApp({ config, temporal: client, pool: apiPool, logger: quiet });
      const http: Server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve, reject) => http.once('listening', resolve).once('error', reject));
      cleanups.push(() => new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }));
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    } else {
      // as production runs it: the API in a process of its own, beside the worker's
      const api = await startApiProcess(apiEnv);
      cleanups.push(() => api.stop());
      base = api.base;
      pids.api = api.pid;
    }
    const [leader, supervisor, ownerA, admin] = await Promise.all(
      [ACTORS.leader, ACTORS.supervisor, ACTORS.ownerA, ACTORS.admin].map((a) => signToken(config, a, '2h')),
    );
    const call = async <T>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
      const res = await fetch(base + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };
    return { client, pool: benchPool, databaseUrl: db.url, server, cache, base, pids, tokens: { leader: leader!, supervisor: supervisor!, ownerA: ownerA!, admin: admin! }, call, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
