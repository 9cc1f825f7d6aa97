/**
 * `npm start` in production, against the test Temporal server and a database
 * of its own: every line it prints (its own, the worker's, the API's, the
 * "stack ready" report included) is one JSON record, until it stops cleanly.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { testTemporalAddress } from '../support/stack';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from './api-support';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

test('every line npm start prints in production is JSON, the stack-ready report too', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/start-stack.ts')], {
    env: {
      ...process.env, NODE_ENV: 'production', LOG_FORMAT: '', TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: `start-json-${randomUUID()}`, DATABASE_URL: db.url, AUTH_JWT_SECRET: randomBytes(48).toString('base64'),
      WORKER_METRICS_PORT: 'off', TEMPORAL_SDK_METRICS_PORT: 'off', API_METRICS_PORT: 'off', LOG_LEVEL: 'info',
    },
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ready = await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${lines.join('\n')}`);
      const line = lines.find((l) => l.includes('"stack ready"'));
      return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    }, 110_000);
    expect(ready).toMatchObject({ name: 'start', level: 30, api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), namespace: 'default' });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  const notJson = lines.filter((l) => l.trim() !== '').filter((l) => {
    try {
      const record = JSON.parse(l) as { level?: unknown; name?: unknown };
      return typeof record.level !== 'number' || typeof record.name !== 'string';
    } catch {
      return true;
    }
  });
  expect(notJson).toEqual([]);
  // the three processes spoke
  const names = new Set(lines.map((l) => (JSON.parse(l) as { name: string }).name));
  expect([...names].sort()).toEqual(expect.arrayContaining(['api', 'start', 'worker']));
}, 180_000);
