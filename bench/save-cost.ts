/**
 * `npx tsx bench/save-cost.ts`: what one save costs the read side, alone. N
 * one-task items are created and saved, then each fires its first escalation
 * and that save is timed: wall time per save, and CPU per save of this
 * process (the pg driver and the save's own code) and of PostgreSQL. The
 * wave benchmark (bench/speed.ts) measures a save among everything else a
 * wake costs; this one isolates it, so a change to the save path shows.
 *
 *   SAVE_ITEMS=2000 SAVE_CONCURRENCY=4 npx tsx bench/save-cost.ts
 *   SAVE_NOTIFY=off …   without the item_saved notification (what it costs)
 */
import { createActivities } from '../activities';
import { SaveTracker, type ItemChanges } from '../domain/item-changes';
import { createItemState } from '../domain/create-item';
import { statutoryCalendar } from '../domain/statutory-calendar';
import { advanceClock } from '../domain/timeline';
import { createTestDatabase } from '../test/support/test-database';
import { itemInput, LEADER, taskInput } from '../test/unit/item-builders';
import { cpuPerEvent, cpuSnapshot } from './speed/cpu';
import { summarize } from './percentiles';

const ITEMS = Number(process.env.SAVE_ITEMS ?? 2000);
const CONCURRENCY = Number(process.env.SAVE_CONCURRENCY ?? 4);
const CREATED_MS = Date.parse('2026-03-02T09:00:00+08:00');
/** a second past the one task's deadline (10:00): its first escalation fires */
const DUE_PASSED_MS = Date.parse('2026-03-02T10:00:01+08:00');

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  try {
    if (process.env.SAVE_NOTIFY === 'off') await db.pool.query('DROP TRIGGER items_notify_saved ON items');
    const { saveItemChanges } = createActivities({ pool: db.pool });
    const calendar = statutoryCalendar();
    const creations: ItemChanges[] = [];
    const escalations: ItemChanges[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const input = itemInput({
        id: `save-${i}`, planId: undefined, problems: [{ id: 'p1', description: 'problem p1', severity: 'high' }],
        tasks: [taskInput('t1', { deadline: { kind: 'instant', at: '2026-03-02T10:00:00+08:00' } })],
      });
      const created = createItemState(input, LEADER, CREATED_MS, calendar);
      const tracker = new SaveTracker();
      tracker.add(created.records);
      creations.push(tracker.take(created.state, CREATED_MS)!);
      const due = advanceClock(created.state, DUE_PASSED_MS);
      tracker.add(due.records);
      escalations.push(tracker.take(due.state, DUE_PASSED_MS)!);
    }
    await inParallel(creations, async (c) => void (await saveItemChanges(c)));
    const before = cpuSnapshot({ server: process.pid });
    const started = performance.now();
    const latencies: number[] = [];
    await inParallel(escalations, async (c) => {
      const t0 = performance.now();
      await saveItemChanges(c);
      latencies.push(performance.now() - t0);
    });
    const wallMs = performance.now() - started;
    const cpu = cpuPerEvent(before, cpuSnapshot({ server: process.pid }), ITEMS);
    const { rows } = await db.pool.query('SELECT count(*) AS n FROM escalations');
    if (rows[0].n !== ITEMS) throw new Error(`expected ${ITEMS} escalations on the read side, found ${rows[0].n}`);
    const lat = summarize(latencies);
    console.log(JSON.stringify({
      saves: ITEMS, concurrency: CONCURRENCY, perSecond: +((ITEMS / wallMs) * 1000).toFixed(1),
      p50Ms: lat.p50Ms, p99Ms: lat.p99Ms, cpuMsPerSave: { process: cpu.worker, postgres: cpu.postgres },
    }));
  } finally {
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
