/**
 * Benchmark: the item's clock when n tasks share one deadline — what the
 * worker does in the one workflow task that wakes at that instant: fire every
 * warning, deadline and rung due (domain/timeline.ts), then take the save and
 * split it into batches (domain/item-changes.ts). Pure code, no server: the
 * time is the worker's CPU time for that workflow task. 5,000 tasks exceed an
 * item's limit (LIMITS.tasksPerItem); they are here to show the growth is
 * O(n log n), not quadratic.
 *
 *   npx tsx bench/clock.ts
 */
import { createItemState } from '../domain/create-item';
import { SaveTracker, splitIntoBatches } from '../domain/item-changes';
import { LIMITS } from '../domain/limits';
import { calendarForNewItem } from '../domain/statutory-calendar';
import { advanceClock } from '../domain/timeline';
import type { Actor, ItemInput } from '../domain/types';

const DAY = 86_400_000;
const leader: Actor = { id: 'leader', name: 'Leader', role: 'leader' };

function item(n: number, dueAt: string): ItemInput {
  return {
    id: `clock-${n}`,
    title: 'Clock benchmark',
    supervisionLevel: 'county',
    leader: { id: leader.id, name: leader.name },
    problems: [{ id: 'P1', description: 'p', severity: 'high' }],
    tasks: Array.from({ length: n }, (_, i) => ({
      id: `INSP2026-P01-T${String(i + 1).padStart(4, '0')}`, problemIds: ['P1'], description: 't',
      ownerUnit: `某某县交通运输局第${(i % 40) + 1}科`, ownerPerson: '张三', deadline: { kind: 'instant' as const, at: dueAt },
    })),
  };
}

function run(n: number): Record<string, number> {
  const now = Date.now();
  const due = now + 10 * DAY;
  const { state, records } = createItemState(item(n, new Date(due).toISOString()), leader, now, calendarForNewItem(now), { enforceLimits: false });
  const tracker = new SaveTracker();
  tracker.add(records);
  tracker.take(state, now);
  // the wake at the deadline: every overdue and the first rung of every task, all at one instant
  const started = process.hrtime.bigint();
  const clock = advanceClock(state, due);
  tracker.add(clock.records);
  const changes = tracker.take(clock.state, due)!;
  const batches = splitIntoBatches(changes, LIMITS.saveBatchBytes);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    tasks: n,
    eventsFired: clock.records.auditEvents.length,
    wakeMs: +ms.toFixed(1),
    saveBatches: batches.length,
    saveMiB: +(batches.reduce((b, x) => b + Buffer.byteLength(JSON.stringify(x)), 0) / 1048576).toFixed(2),
  };
}

run(200); // warm the JIT
const rows = [1_000, 5_000].map(run);
console.log(JSON.stringify({ benchmark: 'one wake of n tasks due together (advanceClock + save batches), worker CPU', rows }, null, 2));
