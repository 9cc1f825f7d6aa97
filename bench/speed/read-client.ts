/**
 * The reads' load generator, run in a thread of its own (see reads.ts): a
 * client is another machine, so its fetches and JSON parsing must not queue on
 * the API's event loop. Floor and project are both driven from here, in
 * alternating blocks, each through its own connections, and beside them a
 * bare HTTP round trip to the same API, to show what HTTP itself costs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { listItems } from '../../db/repositories/items-read';
import { createPool } from '../../db/pool';
import { runConcurrent, type RunResult } from '../percentiles';

export interface ReadClientJob {
  kind: 'item' | 'page';
  base: string;
  databaseUrl: string;
  token: string;
  ids: string[];
  perBlock: number;
  blocks: number;
  concurrency: number;
}

/** The item's row as the projection had it before it kept the whole view beside it (migration 011): the floor is a plain row. */
const ITEM_ROW = `id, plan_id, title, source, category, supervision_level, leader_id, leader_name, status, light, owner_units,
  open_tasks, overdue_tasks, open_problems, escalation_level, max_escalation_level, next_deadline, created_at, updated_at,
  completed_at, cancelled_at, version, as_of, state`;

const FILTERS = [{ light: 'green' as const }, { supervisionLevel: 'county' as const }, { overdue: false }, {}];

export interface ReadClientResult {
  raw: RunResult[];
  /** a bare HTTP round trip to the same API (`GET /healthz`, no database, no token): HTTP's own floor */
  bare: RunResult[];
  api: RunResult[];
}

async function run(job: ReadClientJob): Promise<ReadClientResult> {
  const pool = createPool({ DATABASE_URL: job.databaseUrl, DATABASE_POOL_MAX: 10 }, pino({ level: 'silent' }));
  const get = async (path: string) => {
    const res = await fetch(job.base + path, { headers: { Authorization: `Bearer ${job.token}` }, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
    JSON.parse(text);
  };
  const rawRead = job.kind === 'item'
    ? async (i: number) => {
      const { rows } = await pool.query(`SELECT ${ITEM_ROW} FROM items WHERE id = $1`, [job.ids[i % job.ids.length]]);
      if (rows.length !== 1) throw new Error('row missing');
    }
    : async (i: number) => {
      const page = await listItems(pool, { ...FILTERS[i % FILTERS.length], sort: 'nextDeadline', order: 'asc', limit: 50 }, { role: 'supervisor' });
      if (page.items.length === 0) throw new Error('empty page');
    };
  const apiRead = job.kind === 'item'
    ? (i: number) => get(`/items/${encodeURIComponent(job.ids[i % job.ids.length]!)}`)
    : (i: number) => {
      const filter = Object.entries(FILTERS[i % FILTERS.length]!).map(([k, v]) => [k, String(v)]);
      return get(`/items?${new URLSearchParams({ ...Object.fromEntries(filter), sort: 'nextDeadline', order: 'asc', limit: '50' })}`);
    };
  const result: ReadClientResult = { raw: [], bare: [], api: [] };
  try {
    // warm-up outside the figures: the connections, and the JIT of the path being measured on both sides
    for (const read of [rawRead, () => get('/healthz'), apiRead]) await runConcurrent(200, job.concurrency, read);
    for (let b = 0; b < job.blocks; b++) {
      result.raw.push(await runConcurrent(job.perBlock, job.concurrency, rawRead));
      result.bare.push(await runConcurrent(job.perBlock, job.concurrency, () => get('/healthz')));
      result.api.push(await runConcurrent(job.perBlock, job.concurrency, apiRead));
    }
  } finally {
    await pool.end();
  }
  return result;
}

if (parentPort) {
  run(workerData as ReadClientJob).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
}
