/**
 * Benchmark: what a worker's memory grows by per 1,000 cached items, read the
 * way an operator reads it, from the worker's own metrics endpoint.
 *
 * A file-backed Temporal dev server (as `npm start` runs it, in a temp dir), a
 * fresh PostgreSQL database and `worker/main.ts` in its own process with a
 * sticky cache large enough for every item (WORKER_MAX_CACHED_WORKFLOWS).
 * After a warm-up of 20 items (bundle loaded, code compiled), items of 10
 * tasks (deadlines a month out, so no timer fires) are started in rounds of
 * 1,000; after each round, once every item's first task and save have run and
 * the cache holds them all (temporal_sticky_cache_size), the worker is left
 * idle for a few seconds and its resident memory (process_resident_memory_bytes:
 * the main thread, the workflow threads and the SDK's native part) and its
 * main-thread heap are sampled.
 *
 *   npx tsx bench/worker-memory.ts [rounds=2] [itemsPerRound=1000] [cacheSize]
 *
 * With a cacheSize below the number of items, the cache evicts and stays at
 * that size: memory that then stops growing was the cache's, not garbage.
 *
 * Prints a JSON summary. Stops everything it started, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import type { ItemInput } from '../domain/types';
import { startDevServer } from '../scripts/dev-server';
import { newItemArgs } from '../test/support/item-start';
import { createTestDatabase } from '../test/support/test-database';
import { itemWorkflowId, WORKFLOW_TYPE } from '../workflows/messages';
import { createCleanups } from './cleanups';

const [ROUNDS, PER_ROUND] = [Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 1000)];
const CACHE_SIZE = process.argv[4] ? Number(process.argv[4]) : undefined;
const [WARM_UP, TASKS, START_CONCURRENCY, SETTLE_MS, SAMPLES] = [20, 10, 16, 5_000, 5];
const TASK_QUEUE = 'bench-memory';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leader = { id: 'leader-1', name: 'Li Lei', role: 'leader' as const };

function item(id: string): ItemInput {
  const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  return {
    id, title: `整改事项 ${id}`, source: '省委巡视反馈', category: '基础设施', supervisionLevel: 'county',
    leader: { id: leader.id, name: leader.name },
    problems: [1, 2, 3].map((p) => ({ id: `P${p}`, description: `问题 ${p}：村道雨天无法通行`, severity: 'high' as const })),
    tasks: Array.from({ length: TASKS }, (_, t) => ({
      id: `T${t + 1}`, problemIds: [`P${(t % 3) + 1}`], description: `任务 ${t + 1}：路面硬化两公里`, measures: '分段施工，每周报告进度',
      ownerUnit: `县交通运输局${t % 4}`, ownerPerson: '张三', coOwners: t % 2 ? ['某某乡人民政府'] : [],
      deadline: { kind: 'instant' as const, at: due(30 + t * 7) },
    })),
  };
}

/** One sample of the worker's metrics: name → value (unlabelled series, or the sum over labels). */
async function sample(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[3]));
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { cleanups, stopAll } = createCleanups();
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'rect-bench-memory-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startDevServer({ dbFile: join(dataDir, 'temporal.sqlite'), logFile: join(dataDir, 'dev-server.log'), readyTimeoutMs: 90_000 });
    cleanups.push(() => server.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());

    const total = WARM_UP + ROUNDS * PER_ROUND;
    const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'worker', 'main.ts')], {
      env: {
        ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATABASE_URL: db.url, LOG_LEVEL: 'info',
        METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: '0', TEMPORAL_SDK_METRICS_PORT: '0',
        WORKER_MAX_CACHED_WORKFLOWS: String(CACHE_SIZE ?? total + 100),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => worker.once('exit', r));
    cleanups.push(async () => {
      if (worker.exitCode === null) worker.kill('SIGTERM');
      await exited;
    });
    const urls = await new Promise<{ metrics: string; sdkMetrics: string }>((resolve, reject) => {
      const lines = createInterface({ input: worker.stdout! });
      lines.on('line', (line) => {
        if (line.includes('"worker started"')) resolve(JSON.parse(line) as { metrics: string; sdkMetrics: string });
      });
      worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before it started`)));
    });

    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    let started = 0;
    const startItems = async (count: number, prefix: string) => {
      const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
      let next = 0;
      await Promise.all(Array.from({ length: START_CONCURRENCY }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          await client.workflow.start(WORKFLOW_TYPE, {
            taskQueue: TASK_QUEUE, workflowId: itemWorkflowId(id), args: newItemArgs(item(id), leader, Date.now()),
          });
        }
      }));
      started += count;
    };
    /** Waits until every started item is cached and saved, then samples the idle worker. */
    const settleAndMeasure = async (label: string) => {
      const t0 = performance.now();
      for (;;) {
        const sdk = await sample(urls.sdkMetrics);
        const { rows } = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM items');
        if ((sdk.get('temporal_sticky_cache_size') ?? 0) >= Math.min(started, CACHE_SIZE ?? started) && rows[0]!.n >= started) break;
        if (performance.now() - t0 > 600_000) throw new Error(`${label}: items not cached and saved within 10 minutes`);
        await sleep(500);
      }
      const caughtUpSeconds = +((performance.now() - t0) / 1000).toFixed(1);
      await sleep(SETTLE_MS);
      const rss: number[] = [];
      const heap: number[] = [];
      let cached = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const own = await sample(urls.metrics);
        rss.push(own.get('process_resident_memory_bytes')!);
        heap.push(own.get('nodejs_heap_size_used_bytes')!);
        cached = (await sample(urls.sdkMetrics)).get('temporal_sticky_cache_size')!;
        await sleep(1000);
      }
      return { label, items: started, cached, rssMiB: +(median(rss) / MiB).toFixed(1), heapMiB: +(median(heap) / MiB).toFixed(1), caughtUpSeconds };
    };

    await startItems(WARM_UP, 'warm');
    const points = [await settleAndMeasure('after warm-up')];
    for (let round = 1; round <= ROUNDS; round++) {
      const t0 = performance.now();
      await startItems(PER_ROUND, `round${round}`);
      const startSeconds = (performance.now() - t0) / 1000;
      points.push({ ...(await settleAndMeasure(`after round ${round}`)), startedPerSecond: +(PER_ROUND / startSeconds).toFixed(1) } as typeof points[0]);
    }
    const base = points[0]!;
    const last = points[points.length - 1]!;
    // growth per 1,000 items the cache holds (with a small cache, per 1,000 started items past it)
    const cachedOf = (p: { items: number; cached: number }) => (CACHE_SIZE === undefined ? p.items : p.cached);
    const per1000 = (to: number, from: number, items: number) => (items > 0 ? +(((to - from) / items) * 1000).toFixed(1) : null);
    console.log(JSON.stringify({
      benchmark: `worker memory per 1,000 cached items (${TASKS} tasks each)`,
      cacheSize: CACHE_SIZE ?? total + 100,
      points,
      perThousandCachedItems: {
        rssMiB: per1000(last.rssMiB, base.rssMiB, cachedOf(last) - cachedOf(base)),
        mainThreadHeapMiB: per1000(last.heapMiB, base.heapMiB, cachedOf(last) - cachedOf(base)),
        byRound: points.slice(1).map((p, i) => ({
          round: i + 1,
          rssMiB: per1000(p.rssMiB, points[i]!.rssMiB, cachedOf(p) - cachedOf(points[i]!)),
          heapMiB: per1000(p.heapMiB, points[i]!.heapMiB, cachedOf(p) - cachedOf(points[i]!)),
        })),
      },
    }, null, 2));
  } finally {
    await stopAll();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
