/**
 * Benchmark: the Excel ledger at 10,000 tasks.
 *
 *   npm run bench:ledger                              # or: npx tsx bench/ledger.ts
 *   LEDGER_BENCH_ITEMS=5000 npx tsx bench/ledger.ts   # 50,000 tasks
 *
 * Five phases, each in a fresh child process so one phase's heap never
 * inflates the next one's figures:
 *   1. export the plan ledger (四项清单) of 10,000 tasks, streamed into a sink
 *      that discards the bytes (as an HTTP response would send them on);
 *   2. write the same plan as a filled import template to a temp file;
 *   3. import that file back: upload guard (directory + counted inflation),
 *      streaming parse, validation; the result must fingerprint-equal the plan;
 *   4. the same export as GET /plans/:id/ledger does it: 10,000 task rows read
 *      from PostgreSQL in keyset pages (names, problems and the latest progress
 *      report joined in) and streamed out;
 *   5. the upload as POST /plans/:id/ledger-imports does it before it answers:
 *      phase 3, then every item held to POST /items' rules (request schema,
 *      the domain's creation rule and size budget), then the job and its
 *      1,000 items written to PostgreSQL. Starting the items' workflows is the
 *      background job's work, at the pace of POST /items (see bench:api).
 * Phases 4 and 5 use a fresh PostgreSQL database (TEST_DATABASE_ADMIN_URL),
 * seeded before they start and dropped at the end.
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
import { toLedgerRow } from '../api/ledger-export/exports';
import { receiveUpload } from '../api/ledger-import/upload';
import { exportLedger } from '../api/ledger/export-ledger';
import { fingerprintPlan } from '../api/ledger/import-fingerprint';
import { importLedger } from '../api/ledger/import-ledger';
import { DEFAULT_MAX_ROWS } from '../api/ledger/import-parse';
import { buildImportTemplate } from '../api/ledger/template';
import type { ImportedPlan, LedgerTaskRow, UnitRef } from '../api/ledger/types';
import { planLedgerTasks } from '../db/repositories/ledger-exports';
import { getPlan } from '../db/repositories/plans';
import { createPool } from '../db/pool';
import { createTestDatabase } from '../test/support/test-database';

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
    case 'export-db':
      return withPool((pool) =>
        measure('export ledger from PostgreSQL (as GET /plans/:id/ledger)', async () => {
          let bytes = 0;
          const sink = new Writable({
            write(chunk: Buffer, _enc, done) {
              bytes += chunk.length;
              done();
            },
          });
          const finished = new Promise((resolve) => sink.on('finish', resolve));
          const source = planLedgerTasks(pool, EXPORT_PLAN, { role: 'admin' });
          const rows = (async function* () {
            for await (const t of source) yield toLedgerRow(EXPORT_PLAN, t);
          })();
          const out = await exportLedger(rows, sink, { now: NOW });
          await finished;
          if (out.rows !== ITEMS * PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM) throw new Error(`exported ${out.rows} rows`);
          return { rows: out.rows, bytes };
        }),
      );
    case 'upload-db':
      return withPool((pool) =>
        measure('upload into PostgreSQL (as POST /plans/:id/ledger-imports)', async () => {
          const buf = readFileSync(file);
          const plan = await getPlan(pool, IMPORT_PLAN);
          if (!plan) throw new Error('no bench plan');
          const uploader = { id: 'leader-0', name: '领导0', role: 'leader' as const };
          const outcome = await receiveUpload({ pool, plan, uploader, nowMs: NOW.getTime() }, buf);
          if (outcome.kind !== 'accepted' || outcome.job.items.total !== ITEMS) throw new Error(`upload: ${JSON.stringify(outcome.job.items)}`);
          return { rows: ITEMS * PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM, bytes: buf.length, note: `job of ${outcome.job.items.total} items queued` };
        }),
      );
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

const EXPORT_PLAN = 'bench-export';
const IMPORT_PLAN = 'bench-import';

async function withPool<T>(run: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const url = process.env.LEDGER_BENCH_DATABASE_URL;
  if (!url) throw new Error('LEDGER_BENCH_DATABASE_URL is not set');
  const pool = createPool({ DATABASE_URL: url, DATABASE_POOL_MAX: 2 });
  try {
    return await run(pool);
  } finally {
    await pool.end();
  }
}

/**
 * The read side of a plan of ITEMS items (2 problems, 10 tasks each, one
 * progress report per task), as the items' saves would have left it; the
 * units of the bench's plan; the leaders its 牵头领导 names; an empty plan to
 * import into.
 */
async function seed(pool: ReturnType<typeof createPool>): Promise<void> {
  await pool.query(`INSERT INTO units (code, name, kind, leaders) SELECT u.code, u.name, 'countyDepartment', '[]' FROM jsonb_to_recordset($1) AS u(code text, name text)`, [
    JSON.stringify(UNITS),
  ]);
  await pool.query(
    `UPDATE units SET leaders = (SELECT jsonb_agg(jsonb_build_object('role', 'deputy', 'personId', 'leader-' || n, 'name', '领导' || n)) FROM generate_series(0, 39) n)
     WHERE code = $1`,
    [UNITS[0]?.code],
  );
  await pool.query(`INSERT INTO plans (id, title, created_by, leader_ids) VALUES ($1, '基准方案', 'leader-0', '{leader-0}'), ($2, '导入方案', 'leader-0', '{leader-0}')`, [
    EXPORT_PLAN, IMPORT_PLAN,
  ]);
  await pool.query(
    `INSERT INTO items (id, plan_id, title, supervision_level, leader_id, leader_name, status, light, owner_units, open_tasks, overdue_tasks,
                        open_problems, escalation_level, next_deadline, created_at, updated_at, version, as_of, state)
     SELECT $1 || ':SX-' || lpad(i::text, 4, '0'), $1, '第' || i || '号整改事项：某领域突出问题专项整治', 'county', 'leader-0', '领导0', 'active', 'green',
            '{}', $3, 0, $2, 0, now() + interval '30 days', now() - ($4 - i) * interval '1 second', now(), 1, now(), '{}'
     FROM generate_series(1, $4) i`,
    [EXPORT_PLAN, PROBLEMS_PER_ITEM, PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM, ITEMS],
  );
  await pool.query(
    `INSERT INTO problems (item_id, id, description, severity, status)
     SELECT i.id, 'P' || p, '巡察发现相关工作落实不到位，群众反映强烈，需限期整改并建立长效机制', 'high', 'open'
     FROM items i, generate_series(1, $2) p WHERE i.plan_id = $1`,
    [EXPORT_PLAN, PROBLEMS_PER_ITEM],
  );
  await pool.query(
    `INSERT INTO tasks (item_id, id, problem_ids, description, measures, owner_unit, owner_person, co_owners, status, light, percent,
                        assigned_at, due_at, original_due_at, deadline_basis, deadline_spec, rework_count, escalation_level, extensions_approved, stale,
                        last_progress_at, max_escalation_level)
     SELECT i.id, 'T' || t, ARRAY['P' || (1 + (t - 1) / $2)], '针对问题制定的整改任务，明确时间表、路线图和责任人',
            '一是摸清底数；二是分类施策；三是建立台账，逐项销号；四是开展“回头看”', u.code, '责任人' || t, '{}', 'inProgress',
            (ARRAY['green', 'yellow', 'red'])[1 + t % 3], 40, now() - interval '20 days', now() + (t - 3) * interval '1 day',
            now() + (t - 5) * interval '1 day', '固定日期', '{"kind":"instant","at":"2027-01-15T23:59:59+08:00"}', t % 2, t % 3, t % 2, false,
            now() - interval '2 days', t % 4
     FROM items i, generate_series(1, $3) t, LATERAL (SELECT code FROM units ORDER BY code OFFSET (t * 7) % 60 LIMIT 1) u
     WHERE i.plan_id = $1`,
    [EXPORT_PLAN, TASKS_PER_PROBLEM, PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM],
  );
  await pool.query(
    `INSERT INTO audit_events (item_id, seq, at, actor_id, actor_name, actor_role, actor_unit, action, task_id, details, units)
     SELECT t.item_id, row_number() OVER (PARTITION BY t.item_id ORDER BY t.id), now() - interval '2 days', 'owner', '责任人', 'owner', t.owner_unit,
            'progressReported', t.id, '{"percent":40,"text":"已召开专题会议部署，正在推进中","evidence":[]}', ARRAY[t.owner_unit]
     FROM tasks t JOIN items i ON i.id = t.item_id WHERE i.plan_id = $1`,
    [EXPORT_PLAN],
  );
  await pool.query('ANALYZE');
}

function runChild(phase: string, file: string, databaseUrl: string): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--phase', phase, file], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, '--expose-gc'],
      env: { ...process.env, LEDGER_BENCH_DATABASE_URL: databaseUrl },
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
  const db = await createTestDatabase();
  try {
    await seed(db.pool);
    const results: PhaseResult[] = [];
    // an upload takes at most 20,000 rows (DEFAULT_MAX_ROWS): a larger run skips that phase
    const uploadFits = ITEMS * PROBLEMS_PER_ITEM * TASKS_PER_PROBLEM <= DEFAULT_MAX_ROWS;
    for (const phase of ['export-ledger', 'export-template', 'import', 'export-db', ...(uploadFits ? ['upload-db'] : [])]) {
      results.push(await runChild(phase, file, db.url));
    }
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
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
