/**
 * `npm run bench`: every speed measure of issue 11 in one run, each beside
 * the raw floor measured in the same run on the same servers, and a table of
 * the ratios. The raw floors: `workflow.start` of an empty workflow; workflows
 * of one timer and one activity; an indexed PostgreSQL row read; the same
 * SELECT `GET /items` runs for a page of 50. First of all, a simulated year
 * of a 10-task item on the time-skipping server.
 *
 *   npm run bench                       # file-backed dev server, as `npm start` runs it
 *   SPEED_SERVER=memory npm run bench   # in-memory dev server
 *   SPEED_WAVE=500 npm run bench        # smaller waves (default 2000 escalations each)
 *   SPEED_PHASES=reads npm run bench    # a part: reads (after starts), waves, year (comma-separated)
 *   SPEED_CACHE=2000 npm run bench      # workers' cache (WORKER_MAX_CACHED_WORKFLOWS, default 500)
 *
 * Prints the machine's load average beside the figures: they are only
 * comparable between runs on an equally loaded machine; the ratios are the
 * steadier figures (floor and project share the load of the moment).
 */
import { cpus, loadavg } from 'node:os';
import { runYear } from './item-year';
import { startSpeedSystem } from './speed-system';
import { UNIT_A, UNIT_B } from '../test/integration/api-support';
import { summarize } from './percentiles';
import { measureItemReads, measurePageReads } from './speed/reads';
import { measureStarts, type Merged } from './speed/starts';
import { itemWave, rawWave } from './speed/waves';

const WAVE = Number(process.env.SPEED_WAVE ?? 2000);
/** SPEED_PHASES=reads (starts and reads), waves, year: a part of the run; default all */
const PHASES = new Set((process.env.SPEED_PHASES ?? 'reads,waves,year').split(','));
const perSecond = (m: Merged) => +((m.latenciesMs.length / m.wallMs) * 1000).toFixed(1);
const p99 = (m: Merged) => summarize(m.latenciesMs).p99Ms;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const progress = (what: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${what} (load ${load()})`);

async function untilProjected(sys: Awaited<ReturnType<typeof startSpeedSystem>>, ids: string[]): Promise<void> {
  for (let waited = 0; waited < 600_000; waited += 250) {
    const { rows } = await sys.pool.query('SELECT count(*) AS n FROM items WHERE id = ANY($1)', [ids]);
    if (Number(rows[0].n) >= ids.length) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the read side did not catch up with the items started');
}

interface Row {
  measure: string;
  floor: string;
  project: string;
  ratio: number;
  target: string;
  load: string;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  // each row as soon as it is measured (the table follows at the end), so a run cut short still says what it saw
  const push = (row: Row) => {
    rows.push(row);
    progress(`measured: ${JSON.stringify(row)}`);
  };
  const details: Record<string, unknown> = {};
  // the year first, on its own server: after the waves the machine is still busy settling them
  // (PostgreSQL's autovacuum, the dev server's SQLite), which is not the year's cost
  if (PHASES.has('year')) {
    progress('a simulated year');
    const year = await runYear();
    push({ measure: 'a simulated year of a 10-task item', floor: '—', project: `${year.wallSeconds} s, history ${year.historyMiB} MiB`,
      ratio: NaN, target: '< 3 s', load: load() });
    details.year = year;
  }
  const sys = await startSpeedSystem();
  try {
    for (const [code, name] of [[UNIT_A, '甲单位'], [UNIT_B, '乙单位']]) {
      await sys.call('POST', '/units', sys.tokens.admin, { code, name, kind: 'countyDepartment' });
    }
    // warm-up outside the figures: bundles, JIT, pools, the sticky cache
    await measureStarts(sys, { perBlock: 10, blocks: 1, concurrency: 4 });

    progress('starting items');
    const starts = await measureStarts(sys);
    const ratio = +(perSecond(starts.api) / perSecond(starts.raw)).toFixed(2);
    progress(`CPU ms per start: floor ${JSON.stringify(starts.cpuMsPerStart.raw)}, project ${JSON.stringify(starts.cpuMsPerStart.api)}`);
    push({ measure: 'starting items (8 at a time)', floor: `workflow.start (empty): ${perSecond(starts.raw)}/s`,
      project: `POST /items (10 tasks): ${perSecond(starts.api)}/s`, ratio, target: '≥ 0.7', load: load() });
    details.starts = { raw: summarize(starts.raw.latenciesMs), api: summarize(starts.api.latenciesMs), failures: starts.api.failures + starts.raw.failures, samples: starts.api.failureSamples };

    if (PHASES.has('reads')) await reads();
    async function reads() {
      // reads are of items on the read side (a row not there yet is waited for, which is another measure)
      await untilProjected(sys, starts.created);
      progress('reading items');
      const items = await measureItemReads(sys, starts.created);
      push({ measure: "one item's state (8 at a time)", floor: `indexed row read: p99 ${p99(items.raw)} ms`,
        project: `GET /items/:id: p99 ${p99(items.api)} ms`, ratio: +(p99(items.api) / p99(items.raw)).toFixed(2), target: '≤ 3', load: load() });
      // what HTTP alone costs on this machine, measured beside it: the part of the ratio no read path can remove
      push({ measure: "one item's state against a bare HTTP round trip", floor: `GET /healthz: p99 ${p99(items.bare)} ms`,
        project: `GET /items/:id: p99 ${p99(items.api)} ms`, ratio: +(p99(items.api) / p99(items.bare)).toFixed(2), target: '—', load: load() });
      details.itemReads = { raw: summarize(items.raw.latenciesMs), bareHttp: summarize(items.bare.latenciesMs), api: summarize(items.api.latenciesMs), failures: items.api.failures };

      progress('reading pages');
      const pages = await measurePageReads(sys);
      push({ measure: 'a page of 50 items (8 at a time)', floor: `the same SELECT: p99 ${p99(pages.raw)} ms`,
        project: `GET /items: p99 ${p99(pages.api)} ms`, ratio: +(p99(pages.api) / p99(pages.raw)).toFixed(2), target: '(1.35 before)', load: load() });
      details.pageReads = { raw: summarize(pages.raw.latenciesMs), bareHttp: summarize(pages.bare.latenciesMs), api: summarize(pages.api.latenciesMs), failures: pages.api.failures };
    }

    if (PHASES.has('waves')) await waves();
    async function waves() {
      // setup budgets from the creation rates just measured: every item started and saved before its window opens
      // (at half the rate measured, so the worker's backlog of first tasks is done; any started too late is left out and said)
      const budget = (items: number, rate: number) => Math.ceil((items / Math.max(1, rate / 2)) * 1000) + 30_000;
      progress('wave: raw timer + activity');
      const raw = await rawWave(sys, WAVE, budget(WAVE, perSecond(starts.raw)));
      progress('wave: one-task items');
      const one = await itemWave(sys, WAVE, 1, budget(WAVE, perSecond(starts.api)));
      progress(`CPU ms per escalation: floor ${JSON.stringify(raw.cpuMsPerEvent)}, project ${JSON.stringify(one.cpuMsPerEvent)}`);
      push({ measure: `${WAVE} one-task items due within 10 s`,
        floor: `timer + activity: ${raw.perSecond}/s, p99 ${(raw.landedLateness.p99Ms / 1000).toFixed(1)} s late${raw.events < WAVE ? ` (${raw.events} started in time)` : ""}`,
        project: `${one.perSecond} escalations/s, p99 ${(one.landedLateness.p99Ms / 1000).toFixed(1)} s late${one.events < WAVE ? ` (${one.events} started in time)` : ''}`,
        ratio: +(one.perSecond / raw.perSecond).toFixed(2), target: '≥ 1.5, p99 ≤ 10 s', load: load() });
      // the floor of the ten-task wave: as many timer + activity workflows as the items wake (each writes one row, not ten)
      progress('wave: raw timer + activity, as many as the ten-task items');
      const rawFew = await rawWave(sys, WAVE / 10, budget(WAVE / 10, perSecond(starts.raw)));
      progress('wave: ten-task items');
      const grouped = await itemWave(sys, WAVE / 10, 10, budget(WAVE / 10, perSecond(starts.api)));
      progress(`CPU ms per escalation: floor (one per workflow) ${JSON.stringify(rawFew.cpuMsPerEvent)}, project ${JSON.stringify(grouped.cpuMsPerEvent)}`);
      push({ measure: `${WAVE} tasks in ${WAVE / 10} items due within 10 s`,
        floor: `timer + activity, ${WAVE / 10} workflows: p99 ${rawFew.landedLateness.p99Ms} ms late`,
        project: `${grouped.perSecond} escalations/s, p99 ${grouped.landedLateness.p99Ms} ms late`,
        ratio: +(grouped.landedLateness.p99Ms / rawFew.landedLateness.p99Ms).toFixed(2), target: 'p99 ≤ 250 ms', load: load() });
      details.waves = { raw, oneTask: one, rawTenthAsMany: rawFew, tenTasks: grouped };
    }
  } finally {
    await sys.stop();
  }

  console.log(JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, server: sys.server, details }, null, 2));
  console.log(`\nTemporal dev server: ${sys.server === 'file' ? 'file-backed (as npm start)' : 'in-memory'}; workers' cache ${sys.cache}; escalation lateness = due → row in PostgreSQL\n`);
  console.log('| measure | raw floor (same run) | this project | ratio | target | load (1/5/15 min) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.measure} | ${r.floor} | ${r.project} | ${Number.isNaN(r.ratio) ? '—' : r.ratio} | ${r.target} | ${r.load} |`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
