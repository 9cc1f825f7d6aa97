/**
 * Benchmark: evidence files through the real API on this machine (in-memory
 * headless Temporal dev server, a fresh PostgreSQL database, an in-process
 * worker, the Express app on 127.0.0.1 port 0), with each store: the local
 * directory, and S3 through the in-process SigV4-checking receiver of the
 * tests (so its figures include signing, verifying and an extra loopback hop).
 * Uploads of distinct random files of 100 KiB, 2 MiB and 20 MiB (4 in
 * flight), then downloads of each. Prints a JSON summary.
 *
 *   npx tsx bench/evidence.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../api/app';
import { loadApiConfig } from '../api/config';
import { signToken } from '../api/token-signing';
import { createPool } from '../db/pool';
import { DATA_DIR, startDevServer } from '../scripts/dev-server';
import { ACTORS, itemBody } from '../test/integration/api-support';
import { startS3Receiver } from '../test/support/s3-receiver';
import { createTestDatabase } from '../test/support/test-database';
import { createItemWorker } from '../worker/create-worker';
import { runConcurrent, summarize } from './percentiles';
import { createCleanups } from './cleanups';

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES: Array<[label: string, bytes: number, count: number]> = [['100 KiB', 100 * KiB, 40], ['2 MiB', 2 * MiB, 20], ['20 MiB', 20 * MiB, 6]];
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { cleanups, stopAll, runWorker } = createCleanups();
  try {
    const devServer = await startDevServer({ logFile: join(DATA_DIR, 'temporal-dev-server-bench.log'), readyTimeoutMs: 90_000 });
    cleanups.push(() => devServer.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const receiver = await startS3Receiver();
    cleanups.push(() => receiver.close());
    const dir = mkdtempSync(join(tmpdir(), 'evidence-bench-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const quiet = pino({ level: 'silent' });
    const baseEnv = {
      NODE_ENV: 'test', DATABASE_URL: db.url, TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TASK_QUEUE: 'bench-evidence',
      AUTH_JWT_SECRET: 'bench-only-secret-rectification-engine-0123456789', LOG_LEVEL: 'silent', EVIDENCE_DIR: dir,
    };
    const stores: Record<string, Record<string, string>> = {
      local: { EVIDENCE_STORAGE: 'local' },
      s3: {
        EVIDENCE_STORAGE: 's3', EVIDENCE_S3_ENDPOINT: receiver.endpoint, EVIDENCE_S3_BUCKET: receiver.bucket, EVIDENCE_S3_REGION: receiver.region,
        EVIDENCE_S3_ACCESS_KEY_ID: receiver.accessKeyId, EVIDENCE_S3_SECRET_ACCESS_KEY: receiver.secretAccessKey,
      },
    };
    const pool = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 10 }, quiet);
    cleanups.push(() => pool.end());
    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.push(() => nativeConnection.close());
    const worker = await createItemWorker({ connection: nativeConnection, namespace: 'default', taskQueue: 'bench-evidence', pool });
    runWorker(worker);
    const connection = await Connection.connect({ address: devServer.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    await pool.query(`INSERT INTO units (code, name, kind) VALUES ('unit-a', 'Unit A', 'countyDepartment'), ('unit-b', 'Unit B', 'countyDepartment')`);

    const results: Record<string, unknown> = {};
    for (const [storeName, env] of Object.entries(stores)) {
      const config = loadApiConfig({ ...baseEnv, ...env });
      const app = createApp({ config, temporal: client, pool, logger: quiet });
      const server: Server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const [leader, owner] = await Promise.all([ACTORS.leader, ACTORS.ownerA].map((a) => signToken(config, a, '1h')));
      const itemId = `bench-evidence-${storeName}`;
      const created = await fetch(`${base}/items`, {
        method: 'POST', headers: { Authorization: `Bearer ${leader}`, 'Content-Type': 'application/json' }, body: JSON.stringify(itemBody(itemId)),
      });
      if (created.status !== 201) throw new Error(`item: ${created.status} ${await created.text()}`);
      const perSize: Record<string, unknown> = {};
      for (const [label, size, count] of SIZES) {
        const files = Array.from({ length: count }, () => randomBytes(size));
        const ids: string[] = [];
        const up = await runConcurrent(count, CONCURRENCY, async (i) => {
          const res = await fetch(`${base}/items/${itemId}/tasks/t1/evidence`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${owner}`, 'Content-Type': 'image/jpeg', 'X-File-Name': `photo-${i}.jpg` },
            body: files[i],
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const body = (await res.json()) as { id: string };
          if (res.status !== 201) throw new Error(`upload ${res.status} ${JSON.stringify(body)}`);
          ids[i] = body.id;
        });
        const down = await runConcurrent(count, CONCURRENCY, async (i) => {
          const res = await fetch(`${base}/evidence/${ids[i]}`, { headers: { Authorization: `Bearer ${leader}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          const bytes = Buffer.from(await res.arrayBuffer());
          if (res.status !== 200 || !bytes.equals(files[i]!)) throw new Error(`download ${res.status}`);
        });
        const mibPerSecond = (wallMs: number) => +((count * size) / MiB / (wallMs / 1000)).toFixed(1);
        perSize[label] = {
          upload: { ...summarize(up.latenciesMs), MiBPerSecond: mibPerSecond(up.wallMs), failures: up.failures, failureSamples: up.failureSamples },
          download: { ...summarize(down.latenciesMs), MiBPerSecond: mibPerSecond(down.wallMs), failures: down.failures, failureSamples: down.failureSamples },
        };
      }
      results[storeName] = perSize;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    console.log(JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, concurrency: CONCURRENCY, results }, null, 2));
  } finally {
    await stopAll();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
