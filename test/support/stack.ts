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
import { createApp, ledgerImportsOf } from '../../api/app';
import type { TokenRole } from '../../api/auth';
import { loadApiConfig } from '../../api/config';
import { signToken } from '../../api/token-signing';
import type { DeliveryConfig } from '../../activities/delivery/send';
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
  client: Client;
  pool: Pool;
  taskQueue: string;
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

export function testTemporalAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (test/integration/global-setup.ts)');
  return address;
}

export interface TestStackOptions {
  /** the worker's delivery settings (digest window, give-up time, link base) */
  delivery?: Partial<DeliveryConfig>;
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
    });

    await seedDirectory(db.pool);
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

    const nativeConnection = await NativeConnection.connect({ address });
    cleanups.push(() => nativeConnection.close());
    // global-setup bundles the workflows once; without it each file bundles its own
    const bundlePath = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
    const worker: Worker = await createItemWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      pool: db.pool,
      client,
      delivery: options.delivery,
      workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const logger = pino({ level: config.LOG_LEVEL });
    const app = createApp({ config, temporal: client, pool: db.pool, logger });
    // imports still creating items finish (or are handed back) before the database goes
    cleanups.push(() => ledgerImportsOf(app).close());
    return {
      app,
      client,
      pool: db.pool,
      taskQueue,
      tokenFor: (actor) => signToken(config, actor, '1h'),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
