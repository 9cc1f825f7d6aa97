/**
 * The worker as it runs in production: `worker/main.ts` in its own process,
 * JSON log lines on stdout, its metrics and the Temporal SDK's on ports of
 * their own (asked as 0 here, so the ones it got are read from its "worker
 * started" line). Every SDK metric the Grafana dashboard draws must appear on
 * the SDK's exporter once an item has run: an SDK upgrade that renames one
 * fails here instead of leaving a panel empty.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { SDK_METRICS_ON_DASHBOARD } from '../../metrics/temporal-sdk';
import { DELIVERY_WORKFLOW_TYPE, deliveryWorkflowId, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { testTemporalAddress } from '../support/stack';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from './api-support';

const HISTOGRAM = /_seconds$/;

let db: TestDatabase;
let connection: Connection;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  connection = await Connection.connect({ address: testTemporalAddress() });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await connection?.close();
  await db?.drop();
});

/** `worker/main.ts` as production starts it, on `taskQueue` and this file's database. */
function startWorkerProcess(taskQueue: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'worker', 'main.ts')], {
    env: {
      ...process.env, NODE_ENV: 'production', TEMPORAL_ADDRESS: testTemporalAddress(), TEMPORAL_TASK_QUEUE: taskQueue,
      // a host name, as people write it: bound as the loopback address it names (SDK Core takes only an IP)
      DATABASE_URL: db.url, LOG_LEVEL: 'info', METRICS_HOST: 'localhost', WORKER_METRICS_PORT: '0', TEMPORAL_SDK_METRICS_PORT: '0',
    },
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  return {
    lines,
    stderr,
    /** its "worker started" line, logged once start-up is over (the resumed ledger imports handed over by then) */
    started: () => eventually(async () => {
      const line = lines.find((l) => l.includes('"worker started"'));
      return line ? (JSON.parse(line) as { metrics: string; sdkMetrics: string }) : undefined;
    }, 90_000),
    /** SIGTERM, as an orchestrator stops it; resolves to the exit code once it has drained */
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

test('the worker process logs JSON lines and serves its metrics and every SDK metric the dashboard draws, then stops cleanly on SIGTERM', async () => {
  const taskQueue = `worker-process-${randomUUID()}`;
  const worker = startWorkerProcess(taskQueue);
  const started = await worker.started();
  expect(started.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  expect(started.sdkMetrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  expect(started.sdkMetrics).not.toBe(started.metrics);

  // an item with a task due at once: workflow tasks, the save activity, the sticky cache all get used
  const client = new Client({ connection });
  const itemId = `proc-${randomUUID()}`;
  await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue, workflowId: itemWorkflowId(itemId),
    args: newItemArgs({
      id: itemId, title: 'Worker process', supervisionLevel: 'county', leader: { id: 'leader-1', name: 'Li' },
      problems: [{ id: 'P1', description: 'Problem', severity: 'low' }],
      tasks: [{ id: 'T1', problemIds: ['P1'], description: 'Task', ownerUnit: 'unit-a', ownerPerson: 'Zhang',
        deadline: { kind: 'instant', at: new Date(Date.now() + 2_000).toISOString() } }],
      policy: { warningLead: 'PT1S' },
    }, { id: 'leader-1', name: 'Li', role: 'leader' }, Date.now()),
  });

  // saves run as local activities; a delivery endpoint woken (nothing due) runs the worker's regular activity slots
  const endpoint = await client.workflow.start(DELIVERY_WORKFLOW_TYPE, {
    taskQueue, workflowId: deliveryWorkflowId('unit-a', `probe-${randomUUID()}`), args: [{ unitCode: 'unit-a', channelId: 'probe' }],
  });

  const sdkNames = await eventually(async () => {
    const text = await (await fetch(started.sdkMetrics)).text();
    const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
    const missing = SDK_METRICS_ON_DASHBOARD.filter((n) => !names.has(HISTOGRAM.test(n) ? `${n}_bucket` : n));
    return missing.length === 0 ? names : undefined;
  }, 60_000);
  for (const name of SDK_METRICS_ON_DASHBOARD) expect(sdkNames).toContain(HISTOGRAM.test(name) ? `${name}_bucket` : name);

  const own = await eventually(async () => {
    const text = await (await fetch(started.metrics)).text();
    return /rect_clock_events_total\{kind="overdue"\} 1/.test(text) ? text : undefined;
  }, 30_000);
  expect(own).toMatch(/^rect_save_attempts_total\{outcome="saved"\} [1-9]/m);
  expect(own).toMatch(/^process_resident_memory_bytes \d+/m);

  await endpoint.terminate('test over');
  expect(await worker.stop()).toBe(0);
  await expect(fetch(started.metrics)).rejects.toThrow();
  // production output: every line a JSON record of the worker, nothing on stderr
  expect(worker.lines.length).toBeGreaterThan(3);
  for (const line of worker.lines) expect(JSON.parse(line)).toMatchObject({ name: 'worker', level: expect.any(Number), msg: expect.any(String) });
  expect(worker.stderr).toEqual([]);
});
