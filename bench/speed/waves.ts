/**
 * Deadline waves on the real system. Items (or floor workflows) are started
 * ahead, with their deadlines spread over a 10 s window that opens once all of
 * them have started and saved; then every escalation (level 1 at the
 * deadline) is timed from its due instant to its row landing in PostgreSQL
 * (`landed`, the read side has it) and to the instant it fired (`fired`,
 * workflow time). Throughput: escalations / (last landed − first due).
 */
import { randomUUID } from 'node:crypto';
import { itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../../test/support/item-start';
import { runConcurrent } from '../percentiles';
import { summarize } from '../percentiles';
import { FLOOR_QUEUE, ITEM_QUEUE, type SpeedSystem } from '../speed-system';
import { BENCH_LEADER, waveItem } from './bodies';
import { cpuPerEvent, cpuSnapshot, type CpuParts } from './cpu';

const WINDOW_MS = 10_000;
/** an item or floor workflow due sooner than this after its start is not started (its creation would be judged late) */
const MIN_LEAD_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaveResult {
  events: number;
  landed: number;
  perSecond: number;
  landedLateness: ReturnType<typeof summarize>;
  firedLateness: ReturnType<typeof summarize>;
  /** ms by which setup overran the window's opening (0: it did not); lateness then includes setup */
  setupOverrunMs: number;
  /** asked for; `events` is what was started in time */
  planned?: number;
  /** CPU ms per event of each process, from the window's opening to the last row landed */
  cpuMsPerEvent: CpuParts;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return true;
    await sleep(250);
  }
  return false;
}

type Row = { due: number; fired: number; landed: number };

function result(rows: Row[], events: number, setupOverrunMs: number, cpuMsPerEvent: CpuParts): WaveResult {
  const firstDue = Math.min(...rows.map((r) => r.due));
  const lastLanded = Math.max(...rows.map((r) => r.landed));
  return {
    events,
    landed: rows.length,
    perSecond: +((rows.length / Math.max(1, lastLanded - firstDue)) * 1000).toFixed(1),
    landedLateness: summarize(rows.map((r) => r.landed - r.due)),
    firedLateness: summarize(rows.map((r) => r.fired - r.due)),
    setupOverrunMs,
    cpuMsPerEvent,
  };
}

/** The floor: `n` workflows of one timer and one activity each, due within the window. */
export async function rawWave(sys: SpeedSystem, planned: number, setupBudgetMs: number): Promise<WaveResult> {
  let n = planned;
  const run = randomUUID().slice(0, 8);
  const opens = Date.now() + setupBudgetMs;
  let started = 0;
  await runConcurrent(n, 16, async (i) => {
    const due = opens + Math.floor((i * WINDOW_MS) / n);
    if (due < Date.now() + MIN_LEAD_MS) return; // setup overran: not started, not counted
    await sys.client.workflow.start('timerThenActivityWorkflow', { taskQueue: FLOOR_QUEUE, workflowId: `wave-${run}-${i}`, args: [due] });
    started++;
  });
  const overrun = Math.max(0, Date.now() - opens);
  n = started;
  await sleep(Math.max(0, opens - Date.now()));
  const cpuBefore = cpuSnapshot(sys.pids);
  await sleep(Math.max(0, opens + WINDOW_MS - Date.now()));
  const count = async () => Number((await sys.pool.query(`SELECT count(*) AS n FROM bench_firings WHERE workflow_id LIKE $1`, [`wave-${run}-%`])).rows[0].n);
  await until(async () => (await count()) >= n, 300_000);
  const cpu = cpuPerEvent(cpuBefore, cpuSnapshot(sys.pids), n);
  const { rows } = await sys.pool.query(`SELECT due_at, fired_at, landed_at FROM bench_firings WHERE workflow_id LIKE $1`, [`wave-${run}-%`]);
  return { ...result(rows.map((r) => ({ due: Date.parse(r.due_at), fired: Date.parse(r.fired_at), landed: Date.parse(r.landed_at) })), n, overrun, cpu), planned };
}

/**
 * Items due within the window: `items` items of `tasksPerItem` tasks; the
 * tasks of one item share their deadline (one wake of the item fires them).
 */
export async function itemWave(sys: SpeedSystem, items: number, tasksPerItem: number, setupBudgetMs: number): Promise<WaveResult> {
  const run = randomUUID().slice(0, 8);
  const prefix = `wave-${tasksPerItem}-${run}-`;
  const opens = Date.now() + setupBudgetMs;
  let started = 0;
  await runConcurrent(items, 16, async (i) => {
    const due = opens + Math.floor((i * WINDOW_MS) / items);
    if (due < Date.now() + MIN_LEAD_MS) return; // setup overran: not started, not counted
    started++;
    const item = waveItem(`${prefix}${i}`, Array.from({ length: tasksPerItem }, () => due));
    await sys.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: ITEM_QUEUE, workflowId: itemWorkflowId(item.id), args: newItemArgs(item, BENCH_LEADER, Date.now()),
    });
  });
  // every item started and saved (its warnings fired at creation) before the window opens
  await until(async () => {
    const { rows } = await sys.pool.query(`SELECT count(*) AS n FROM items WHERE id LIKE $1`, [`${prefix}%`]);
    return Number(rows[0].n) >= started;
  }, 600_000);
  const overrun = Math.max(0, Date.now() - opens);
  await sleep(Math.max(0, opens - Date.now()));
  const cpuBefore = cpuSnapshot(sys.pids);
  await sleep(Math.max(0, opens + WINDOW_MS - Date.now()));
  const events = started * tasksPerItem;
  const landedRows = async () => sys.pool.query(
    `SELECT due_at, fired_at, landed_at FROM escalations WHERE item_id LIKE $1 AND rung = 1`, [`${prefix}%`]);
  await until(async () => (await landedRows()).rows.length >= events, 300_000);
  const cpu = cpuPerEvent(cpuBefore, cpuSnapshot(sys.pids), events);
  const { rows } = await landedRows();
  return { ...result(rows.map((r) => ({ due: Date.parse(r.due_at), fired: Date.parse(r.fired_at), landed: Date.parse(r.landed_at) })), events, overrun, cpu), planned: items * tasksPerItem };
}
