/**
 * Starting items: raw `workflow.start` of an empty workflow against
 * `POST /items` with 10 tasks, both 8 at a time, in alternating blocks so
 * that a change in the machine's load falls on both alike.
 */
import { randomUUID } from 'node:crypto';
import { runConcurrent, type RunResult } from '../percentiles';
import { FLOOR_QUEUE, type SpeedSystem } from '../speed-system';
import { itemBody } from './bodies';
import { cpuPerEvent, cpuSnapshot, type CpuParts } from './cpu';

export interface Merged {
  latenciesMs: number[];
  wallMs: number;
  failures: number;
  failureSamples: string[];
}

export function merge(runs: RunResult[]): Merged {
  return {
    latenciesMs: runs.flatMap((r) => r.latenciesMs),
    wallMs: runs.reduce((n, r) => n + r.wallMs, 0),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    failureSamples: runs.flatMap((r) => r.failureSamples).slice(0, 5),
  };
}

export async function measureStarts(sys: SpeedSystem, o = { perBlock: 100, blocks: 3, concurrency: 8 }) {
  const run = randomUUID().slice(0, 8);
  const raw: RunResult[] = [];
  const api: RunResult[] = [];
  const created: string[] = [];
  // CPU each side used in its own blocks (a block's last first tasks may still run in the next one)
  const zero: CpuParts = { server: 0, worker: 0, api: 0, postgres: 0 };
  const cpu = { raw: { ...zero }, api: { ...zero } };
  const charge = (side: CpuParts, from: CpuParts) => {
    const to = cpuSnapshot(sys.pids);
    for (const k of Object.keys(side) as Array<keyof CpuParts>) side[k] += to[k] - from[k];
  };
  for (let b = 0; b < o.blocks; b++) {
    let from = cpuSnapshot(sys.pids);
    raw.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      await sys.client.workflow.start('emptyWorkflow', { taskQueue: FLOOR_QUEUE, workflowId: `empty-${run}-${b}-${i}` });
    }));
    charge(cpu.raw, from);
    from = cpuSnapshot(sys.pids);
    api.push(await runConcurrent(o.perBlock, o.concurrency, async (i) => {
      const id = `start-${run}-${b}-${i}`;
      await sys.call('POST', '/items', sys.tokens.leader, itemBody(id));
      created.push(id);
    }));
    charge(cpu.api, from);
  }
  const n = o.perBlock * o.blocks;
  return { raw: merge(raw), api: merge(api), created, cpuMsPerStart: { raw: cpuPerEvent(zero, cpu.raw, n), api: cpuPerEvent(zero, cpu.api, n) } };
}
