/**
 * Benchmark: the Excel ledger at 10,000 tasks.
 *
 *   npx tsx bench/ledger.ts
 *   LEDGER_BENCH_ITEMS=5000 npx tsx bench/ledger.ts   # 50,000 tasks
 *
 * Three phases, each in a fresh child process so one phase's heap never
 * inflates the next one's figures:
 *   1. export the plan ledger (四项清单) of 10,000 tasks, streamed into a sink
 *      that discards the bytes (as an HTTP response would send them on);
 *   2. write the same plan as a filled import template to a temp file;
 *   3. import that file back: upload guard (directory + counted inflation),
 *      streaming parse, validation; the result must fingerprint-equal the plan.
 * Peak RSS is the kernel's high-water mark (getrusage maxrss); peak heap is
 * sampled every 5 ms. "Baseline" is the process after loading the modules,
 * before the phase starts. CPU time (user + system) is printed beside wall
 * time because other work on a shared machine stretches only the latter.
 * Temp files are removed; nothing keeps running.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportLedger } from '../api/ledger/export-ledger';
import { fingerprintPlan } from '../api/ledger/import-fingerprint';
import { importLedger } from '../api/ledger/import-ledger';
import { buildImportTemplate } from '../api/ledger/template';
import type { ImportedPlan, LedgerTaskRow, UnitRef } from '../api/ledger/types';

/** 10 tasks per item; LEDGER_BENCH_ITEMS=5000 shows whether memory stays flat at 50,000 */
const ITEMS = Number(process.env.LEDGER_BENCH_ITEMS ?? 1000);
const PROBLEMS_PER_ITEM = 2;
const TASKS_PER_PROBLEM = 5;
const NOW = new Date('2026-06-01T02:00:00Z');
const UNITS: UnitRef[] = Array.from({ length: 60 }, (_, i) => ({ code: `U${String(i).padStart(3, '0')}`, name: `第${i + 1}责任单位（县直部门）` }));

function plan(): ImportedPlan {
  const items: ImportedPlan['items'] = [];
  for (let i = 0; i < ITEMS; i++) {
    const problems = Array.from({ length: PROBLEMS_PER_ITEM }, (_, p) => ({
      id: `P${p + 1}`,
      description: `第${i + 1}号事项的第${p + 1}个问题：巡察发现相关工作落实不到位，群众反映强烈，需限期整改并建立长效机制`,
      severity: pick(['low', 'medium', 'high', 'critical'] as const, i + p),
    }));
    const tasks = problems.flatMap((problem, p) =>
      Array.from({ length: TASKS_PER_PROBLEM }, (_, t) => {
        const n = p * TASKS_PER_PROBLEM + t;
        return {
          id: `T${n + 1}`,
          problemIds: [problem.id],
          description: `针对问题${problem.id}制定的第${t + 1}项整改任务，明确时间表、路线图和责任人`,
          measures: `一是摸清底数；二是分类施策（第${i + 1}-${n + 1}项）；三是建立台账，逐项销号；四是开展“回头看”`,
          ownerUnit: pick(UNITS, i + n),
          ownerPerson: `责任人${(i * 7 + n) % 500}`,
          coOwners: n % 3 === 0 ? [pick(UNITS, i + n + 1)] : [],
          deadline:
            n % 4 === 0
              ? ({ kind: 'workingDays', days: 10 + (n % 50) } as const)
              : ({ kind: 'instant', at: `2027-${String((n % 12) + 1).padStart(2, '0')}-15T23:59:59+08:00` } as const),
        };
      }),
    );
    items.push({ key: `SX-${String(i + 1).padStart(4, '0')}`, title: `第${i + 1}号整改事项：某领域突出问题专项整治`, category: pick(['基础设施', '惠民资金', '作风建设'], i), supervisionLevel: pick(['province', 'city', 'county', 'none'] as const, i), leaderName: `领导${i % 40}`, problems, tasks });
  }
  return { items };
}

function* ledgerRows(p: ImportedPlan): Generator<LedgerTaskRow> {
  for (const item of p.items) {
    for (const t of item.tasks) {
      const problem = item.problems.find((x) => x.id === t.problemIds[0]);
      const due = t.deadline.kind === 'instant' ? t.deadline.at : '2026-07-15T23:59:59+08:00';
      yield {
        itemKey: item.key,
        itemTitle: item.title,
        problemId: problem?.id ?? '',
        problemDescription: problem?.description ?? '',
        taskId: t.id,
        taskDescription: t.description,
        ...(t.measures ? { measures: t.measures } : {}),
        ownerUnit: t.ownerUnit.name,
        ownerPerson: t.ownerPerson,
        coOwners: t.coOwners.map((u) => u.name),
        status: 'inProgress',
        light: pick(['green', 'yellow', 'red'] as const, t.id.length),
        lastProgressText: '已召开专题会议部署，正在推进中',
        lastProgressAt: '2026-05-28T02:30:00Z',
        dueAt: due,
        originalDueAt: due,
        escalationLevel: 0,
        extensionCount: 0,
        reworkCount: 0,
      };
    }
  }
}

/** arr[i mod length], never undefined. */
function pick<T>(arr: readonly T[], i: number): T {
  return arr[i % arr.length] as T;
}

const resolveUnit = (text: string) => UNITS.find((u) => u.name === text || u.code === text);

interface PhaseResult {
  phase: string;
  rows: number;
  ms: number;
  cpuMs: number;
  bytes: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  baselineHeapMiB: number;
  peakHeapMiB: number;
  /** heap still in use after the phase and a full GC: what the phase keeps, not what it churns */
  afterGcHeapMiB: number;
  note?: string;
}

const MiB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function measure(phase: string, run: () => Promise<{ rows: number; bytes: number; note?: string }>): Promise<PhaseResult> {
  gc();
  const baselineRss = process.memoryUsage().rss;
  const baselineHeap = process.memoryUsage().heapUsed;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 5);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const out = await run();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  gc();
  const afterGcHeap = process.memoryUsage().heapUsed;
  return {
    phase,
    ...out,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    baselineRssMiB: baselineRss / MiB,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB,
    baselineHeapMiB: baselineHeap / MiB,
    peakHeapMiB: peakHeap / MiB,
    afterGcHeapMiB: afterGcHeap / MiB,
  };
}

async function child(phase: string, file: string): Promise<PhaseResult> {
  const p = plan();
  switch (phase) {
    case 'export-ledger':
      return measure('export ledger (streamed, discarded)', async () => {
        let bytes = 0;
        const sink = new Writable({
          write(chunk: Buffer, _enc, done) {
            bytes += chunk.length;
            done();
          },
        });
        const finished = new Promise((resolve) => sink.on('finish', resolve));
        const { rows } = await exportLedger(ledgerRows(p), sink, { now: NOW });
        await finished;
        return { rows, bytes };
      });
    case 'export-template':
      return measure('export filled import template', async () => {
        const buf = await buildImportTemplate({ plan: p, createdAt: NOW });
        writeFileSync(file, buf);
        return { rows: p.items.reduce((n, i) => n + i.tasks.length, 0), bytes: buf.length };
      });
    case 'import':
      return measure('import (guard + parse + validate)', async () => {
        const buf = readFileSync(file);
        const result = await importLedger(buf, { now: NOW, resolveUnit, maxRows: ITEMS * PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM });
        if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.errors.slice(0, 5))}`);
        const same = fingerprintPlan(result.plan) === fingerprintPlan(p);
        if (!same) throw new Error('the imported plan differs from the exported one');
        return { rows: result.plan.items.reduce((n, i) => n + i.tasks.length, 0), bytes: buf.length, note: 'round trip equal' };
      });
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

function runChild(phase: string, file: string): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--phase', phase, file], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    proc.once('message', (m) => resolve(m as PhaseResult));
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${phase} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const phaseAt = process.argv.indexOf('--phase');
  if (phaseAt > 0) {
    const result = await child(process.argv[phaseAt + 1] as string, process.argv[phaseAt + 2] as string);
    process.send?.(result);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const file = join(dir, 'plan.xlsx');
  try {
    const results: PhaseResult[] = [];
    for (const phase of ['export-ledger', 'export-template', 'import']) results.push(await runChild(phase, file));
    // other work on the machine stretches wall time, not CPU time: the load average says how much there was
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`Excel ledger, ${ITEMS * PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM} tasks (${ITEMS} items), Node ${process.version}, ${cpus().length} CPUs, load average ${load}`);
    console.table(
      results.map((r) => ({
        phase: r.phase,
        rows: r.rows,
        'wall (s)': (r.ms / 1000).toFixed(2),
        'CPU (s)': (r.cpuMs / 1000).toFixed(2),
        'file (MiB)': (r.bytes / MiB).toFixed(2),
        'RSS before→peak (MiB)': `${r.baselineRssMiB.toFixed(0)}→${r.peakRssMiB.toFixed(0)}`,
        'heap before→peak→after GC (MiB)': `${r.baselineHeapMiB.toFixed(0)}→${r.peakHeapMiB.toFixed(0)}→${r.afterGcHeapMiB.toFixed(0)}`,
        note: r.note ?? '',
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
