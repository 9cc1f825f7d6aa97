/**
 * The worker as it runs in production: `worker/main.ts` in its own process,
 * JSON log lines on stdout, its metrics and the Temporal SDK's on ports of
 * their own (asked as 0 here, so the ones it got are read from its "worker
 * started" line). Every SDK metric the Grafana dashboard draws must appear on
 * the SDK's exporter once an item has run: an SDK upgrade that renames one
 * fails here instead of leaving a panel empty. And a ledger import left
 * queued with no workflow is run to its end by the process once it starts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { receiveUpload } from '../../api/ledger-import/upload';
import { createPlan } from '../../db/repositories/plans';
import { SDK_METRICS_ON_DASHBOARD } from '../../metrics/temporal-sdk';
import {
  DELIVERY_WORKFLOW_TYPE, deliveryWorkflowId, itemWorkflowId, ledgerImportWorkflowId, WORKFLOW_TYPE,
} from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { sheetWith, type SheetRow } from '../support/ledger-fixtures';
import { seedDirectory, testTemporalAddress } from '../support/stack';
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

test('a ledger import left queued without a workflow is run to its end by the worker process once it starts', async () => {
  const taskQueue = `worker-process-${randomUUID()}`;
  const planId = `resume-${randomUUID().slice(0, 8)}`;
  const uploader = { id: 'leader-1', name: 'Li', role: 'leader' as const };
  await seedDirectory(db.pool);
  const plan = await createPlan(db.pool, { id: planId, title: 'Resumed at start', categories: [], leaderIds: [uploader.id], createdBy: 'admin' });
  const row = (key: string): SheetRow => ({
    事项编号: key, 事项名称: `事项${key}`, 问题编号: 'P1', 问题描述: '道路雨天无法通行', 严重程度: '高', 整改任务编号: 'T1', 整改任务: '硬化路面',
    整改措施: '分段施工', 责任单位: 'unit-a', 责任人: '张三', 完成时限: `${new Date().getUTCFullYear() + 1}-06-30`, 督战级别: '县级', 牵头领导: '李雷（leader-1）',
  });
  // accepted by the upload's own code, then never handed over (as when Temporal refused the hand-over):
  // only the worker's start can give it a workflow
  const accepted = await receiveUpload({ pool: db.pool, plan, uploader, nowMs: Date.now() }, await sheetWith([row('R-1'), row('R-2')]));
  if (accepted.kind !== 'accepted') throw new Error(`upload not accepted: ${JSON.stringify(accepted)}`);
  const jobId = accepted.job.id;
  const client = new Client({ connection });
  await expect(client.workflow.getHandle(ledgerImportWorkflowId(jobId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  expect((await db.pool.query('SELECT status FROM ledger_imports WHERE id = $1', [jobId])).rows[0].status).toBe('queued');

  const worker = startWorkerProcess(taskQueue);
  await worker.started();
  // start-up hands the import over before it says it has started: a run of the import's workflow, on its task queue
  expect((await client.workflow.getHandle(ledgerImportWorkflowId(jobId)).describe()).taskQueue).toBe(taskQueue);
  const job = await eventually(async () => {
    const { rows: [r] } = await db.pool.query('SELECT status, created_items, failed_items FROM ledger_imports WHERE id = $1', [jobId]);
    return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
  }, 60_000);
  expect(job).toEqual({ status: 'succeeded', created_items: 2, failed_items: 0 });
  const ids = [`${planId}:R-1`, `${planId}:R-2`];
  // the items' workflows run on the process's task queue, and its saves project them to the read side
  for (const id of ids) expect((await client.workflow.getHandle(itemWorkflowId(id)).describe()).taskQueue).toBe(taskQueue);
  const projected = await eventually(async () => {
    const { rows } = await db.pool.query('SELECT id FROM items WHERE plan_id = $1 ORDER BY id', [planId]);
    return rows.length === ids.length ? rows.map((r) => r.id) : undefined;
  }, 30_000);
  expect(projected).toEqual(ids);

  expect(await worker.stop()).toBe(0);
  expect(worker.stderr).toEqual([]);
});
