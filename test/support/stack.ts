/**
 * The real product in-process for integration tests: the Express app, a worker
 * on a task queue of its own, a fresh PostgreSQL database, all against the dev
 * server that test/integration/global-setup.ts started. Each test file gets its
 * own stack, so files share nothing but the Temporal server.
 */
import './quiet-runtime';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type express from 'express';
import type { Pool } from 'pg';
import pino from 'pino';
import { createApp } from '../../api/app';
import type { TokenRole } from '../../api/auth';
import { loadApiConfig, type ApiConfig } from '../../api/config';
import { signToken } from '../../api/token-signing';
import type { DeliveryConfig } from '../../activities/delivery/send';
import { createWorkerMetrics, type WorkerMetrics } from '../../metrics/worker-metrics';
import { createChannels } from '../../activities/delivery/channels';
import { createPool } from '../../db/pool';
import { createItemWorker } from '../../worker/create-worker';
import { createTestDatabase } from './test-database';

/** Only for tests: the API verifies with it, tokenFor signs with it. */
export const TEST_JWT_SECRET = 'test-only-secret-rectification-engine-0123456789';

export interface TestActor {
  sub: string;
  name: string;
  role: TokenRole;
  unit?: string;
}

export interface TestStack {
  app: express.Express;
  /** the API's configuration (tests that build a second app with a part broken) */
  config: ApiConfig;
  client: Client;
  pool: Pool;
  taskQueue: string;
  /** what the stack's worker counted (metrics/worker-metrics.ts) */
  workerMetrics: WorkerMetrics;
  tokenFor(actor: TestActor): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The units the tests name: unit-a … unit-z ("Unit A" … "Unit Z"), with no
 * channels (tests that deliver add theirs), and a supervision office per level.
 */
export async function seedDirectory(pool: Pool): Promise<void> {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  await pool.query(
    `INSERT INTO units (code, name, kind) SELECT 'unit-' || l, 'Unit ' || upper(l), 'countyDepartment' FROM unnest($1::text[]) AS l
     ON CONFLICT DO NOTHING`,
    [letters],
  );
  await pool.query(
    `INSERT INTO units (code, name, kind, level) VALUES
       ('office-province', 'Provincial supervision office', 'supervisionOffice', 'province'),
       ('office-city', 'City supervision office', 'supervisionOffice', 'city'),
       ('office-county', 'County supervision office', 'supervisionOffice', 'county')
     ON CONFLICT DO NOTHING`,
  );
}

const SILENT = { warn: () => undefined };

export function testTemporalAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (test/integration/global-setup.ts)');
  return address;
}

export interface TestStackOptions {
  /** the worker's delivery settings (digest window, give-up time, link base) */
  delivery?: Partial<DeliveryConfig>;
  /** more API environment (e.g. METRICS_TOKEN) */
  apiEnv?: Record<string, string>;
  /** how long one request to a channel may take (default 10 s) */
  deliveryTimeoutMs?: number;
  /** the API's logger (default: silent, or TEST_LOG_LEVEL); tests that read the log pass their own */
  logger?: pino.Logger;
  /** the database the API and the worker use, instead of the test database's own URL (e.g. through a proxy that can fail) */
  databaseUrl?: (testDatabaseUrl: string) => string;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const address = testTemporalAddress();
  const taskQueue = `test-${randomUUID()}`;
  const db = await createTestDatabase();
  const cleanups: Array<() => Promise<unknown>> = [() => db.drop()];
  const stop = async () => {
    // reverse order of creation; keep going when one step fails so nothing leaks
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => errors.push(err));
    cleanups.length = 0;
    if (errors.length) throw errors[0];
  };
  try {
    const config = loadApiConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.apiEnv,
    });

    await seedDirectory(db.pool);
    const pool = options.databaseUrl ? createPool({ DATABASE_URL: options.databaseUrl(db.url), DATABASE_POOL_MAX: 5 }, SILENT) : db.pool;
    if (pool !== db.pool) cleanups.push(() => pool.end());
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

    const nativeConnection = await NativeConnection.connect({ address });
    cleanups.push(() => nativeConnection.close());
    // closed after the worker stopped (cleanups run in reverse): e-mail keeps pooled SMTP connections
    const channels = createChannels(options.deliveryTimeoutMs ? { timeoutMs: options.deliveryTimeoutMs } : {});
    cleanups.push(() => channels.close());
    // global-setup bundles the workflows once; without it each file bundles its own
    const bundlePath = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
    const workerMetrics = createWorkerMetrics();
    const worker: Worker = await createItemWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      pool,
      client,
      delivery: options.delivery,
      channels,
      workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
      metrics: workerMetrics,
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const logger = options.logger ?? pino({ level: config.LOG_LEVEL });
    const app = createApp({ config, temporal: client, pool, logger });
    return {
      app,
      config,
      client,
      pool: db.pool,
      taskQueue,
      workerMetrics,
      tokenFor: (actor) => signToken(config, actor, '1h'),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
