/**
 * Reads, 8 at a time, each against its floor in alternating blocks: one item
 * (`GET /items/:id` against an indexed PostgreSQL row read) and a page of 50
 * (`GET /items` against the very SELECT it runs, straight on PostgreSQL).
 */
import { listItems } from '../../db/repositories/items-read';
import { runConcurrent, type RunResult } from '../percentiles';
import type { SpeedSystem } from '../speed-system';
import { merge } from './starts';

/** The item's row as the projection had it before it kept the whole view beside it (migration 011): the floor is a plain row. */
const ITEM_ROW = `id, plan_id, title, source, category, supervision_level, leader_id, leader_name, status, light, owner_units,
  open_tasks, overdue_tasks, open_problems, escalation_level, max_escalation_level, next_deadline, created_at, updated_at,
  completed_at, cancelled_at, version, as_of, state`;

export async function measureItemReads(sys: SpeedSystem, ids: string[], o = { perBlock: 300, blocks: 3, concurrency: 8 }) {
  const raw: RunResult[] = [];
  const api: RunResult[] = [];
  for (let b = 0; b < o.blocks; b++) {
    raw.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      const { rows } = await sys.pool.query(`SELECT ${ITEM_ROW} FROM items WHERE id = $1`, [ids[i % ids.length]]);
      if (rows.length !== 1) throw new Error('row missing');
    }));
    api.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      await sys.call('GET', `/items/${encodeURIComponent(ids[i % ids.length]!)}`, sys.tokens.supervisor);
    }));
  }
  return { raw: merge(raw), api: merge(api) };
}

const FILTERS = [{ light: 'green' as const }, { supervisionLevel: 'county' as const }, { overdue: false }, {}];

export async function measurePageReads(sys: SpeedSystem, o = { perBlock: 100, blocks: 3, concurrency: 8 }) {
  const raw: RunResult[] = [];
  const api: RunResult[] = [];
  for (let b = 0; b < o.blocks; b++) {
    raw.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      const page = await listItems(sys.pool, { ...FILTERS[i % FILTERS.length], sort: 'nextDeadline', order: 'asc', limit: 50 }, { role: 'supervisor' });
      if (page.items.length === 0) throw new Error('empty page');
    }));
    api.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(FILTERS[i % FILTERS.length]!).map(([k, v]) => [k, String(v)])), sort: 'nextDeadline', order: 'asc', limit: '50' });
      await sys.call('GET', `/items?${query}`, sys.tokens.supervisor);
    }));
  }
  return { raw: merge(raw), api: merge(api) };
}
