/**
 * The real system for the delivery benchmarks: an in-memory headless Temporal
 * dev server, a fresh PostgreSQL database, an in-process worker (with its
 * delivery settings) and the Express app, driven in-process with supertest.
 * The worker and the API may reach the database through another URL (a proxy
 * that a benchmark cuts); the benchmark reads it directly.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type express from 'express';
import type { Pool } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createChannels } from '../activities/delivery/channels';
import type { DeliveryConfig } from '../activities/delivery/send';
import { createApp } from '../api/app';
import { loadApiConfig } from '../api/config';
import { signToken } from '../api/token-signing';
import { createPool } from '../db/pool';
import { DATA_DIR, startDevServer } from '../scripts/dev-server';
import { createTestDatabase } from '../test/support/test-database';
import { createItemWorker } from '../worker/create-worker';
import { createCleanups } from './cleanups';

export interface DeliverySystem {
  app: express.Express;
  /** straight to the database, never through the proxy */
  pool: Pool;
  dbUrl: string;
  admin: string;
  leader: string;
  post(path: string, body: unknown, token?: string): Promise<request.Response>;
  stop(): Promise<void>;
}

export async function startDeliverySystem(o: {
  delivery: Partial<DeliveryConfig>;
  /** the URL the worker and the API use, from the database's own */
  through?: (dbUrl: string) => string;
}): Promise<DeliverySystem> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { cleanups, stopAll: stop, runWorker } = createCleanups();
  try {
    const devServer = await startDevServer({ logFile: join(DATA_DIR, 'temporal-dev-server-bench.log'), readyTimeoutMs: 90_000 });
    cleanups.push(() => devServer.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const quiet = pino({ level: 'silent' });
    const url = o.through ? o.through(db.url) : db.url;
    const config = loadApiConfig({
      NODE_ENV: 'test', DATABASE_URL: url, TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TASK_QUEUE: 'bench-delivery',
      AUTH_JWT_SECRET: 'bench-only-secret-rectification-engine-0123456789', LOG_LEVEL: 'silent',
    });
    const apiPool = createPool({ DATABASE_URL: url, DATABASE_POOL_MAX: 10 }, quiet);
    const workerPool = createPool({ DATABASE_URL: url, DATABASE_POOL_MAX: 10 }, quiet);
    cleanups.push(() => apiPool.end(), () => workerPool.end());

    const connection = await Connection.connect({ address: devServer.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.push(() => nativeConnection.close());
    const channels = createChannels();
    cleanups.push(() => channels.close());
    const worker = await createItemWorker({
      connection: nativeConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, pool: workerPool,
      client, channels, delivery: o.delivery,
    });
    runWorker(worker);
    const app = createApp({ config, temporal: client, pool: apiPool, logger: quiet });
    const [admin, leader] = await Promise.all([
      signToken(config, { sub: 'admin-1', name: 'Admin', role: 'admin' }, '2h'),
      signToken(config, { sub: 'leader-1', name: 'Li Lei', role: 'leader' }, '2h'),
    ]);
    return {
      app, pool: db.pool, dbUrl: db.url, admin, leader, stop,
      post: (path, body, token = admin) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body as object),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
