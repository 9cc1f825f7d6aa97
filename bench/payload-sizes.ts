/**
 * The worst case of every payload an item produces, against its budget: the
 * largest item the limits allow (test/support/worst-case-item.ts), every task
 * due at once through the whole ladder, the largest command, the largest
 * update result and search attribute. Pure computation with the workflow's own
 * code; test/integration/poison.test.ts measures the same payloads in a real
 * history.
 *
 *   npx tsx bench/payload-sizes.ts
 */
import { createItemState } from '../domain/create-item';
import { boundedUnitList } from '../domain/item-figures';
import { SaveTracker, splitIntoBatches } from '../domain/item-changes';
import { LIMITS } from '../domain/limits';
import { calendarForNewItem } from '../domain/statutory-calendar';
import { jsonBytes } from '../domain/text';
import { advanceClock } from '../domain/timeline';
import { applyCommand } from '../domain/transitions';
import type { Actor } from '../domain/types';
import { unitCode, worstCaseItem } from '../test/support/worst-case-item';
import { PATCH_LEVEL } from '../workflows/patches';

const KiB = 1024;
const DAY = 86_400_000;
const leader: Actor = { id: 'leader-1', name: '李雷', role: 'leader' };
const owner: Actor = { id: 'owner-0', name: '单位负责人', role: 'owner', unit: unitCode(0) };
const now = Date.now();
const dueAt = now + 10 * DAY;

const input = worstCaseItem({ id: 'INSP2026-WORST-CASE', dueAt: new Date(dueAt).toISOString(), leader, units: 40 }, now);
const calendar = calendarForNewItem(now);
const { state, records } = createItemState(input, leader, now, calendar);
const tracker = new SaveTracker();
tracker.add(records);
const firstSave = splitIntoBatches(tracker.take(state, now)!, LIMITS.saveBatchBytes);
// the whole ladder at once for every task: the largest wake there is
const wave = advanceClock(state, dueAt + 30 * DAY);
tracker.add(wave.records);
const waveSave = splitIntoBatches(tracker.take(wave.state, dueAt + 30 * DAY)!, LIMITS.saveBatchBytes);

const report = {
  requestId: 'x'.repeat(22), fingerprint: 'y'.repeat(22), actor: owner,
  command: {
    type: 'reportProgress' as const, taskId: input.tasks[0]!.id, percent: 50,
    text: '整'.repeat(LIMITS.textLength), evidence: Array.from({ length: LIMITS.evidencePerCommand }, () => '证'.repeat(LIMITS.evidenceLength)),
  },
};
const outcome = applyCommand(wave.state, report, dueAt + 30 * DAY);
const workflowInput = { kind: 'new', format: 2, patchLevel: PATCH_LEVEL, item: input, createdBy: leader, acceptedAt: new Date(now).toISOString(), calendar };
const continueAsNew = { kind: 'continued', format: 2, patchLevel: PATCH_LEVEL, state: outcome.state };
// legacy items may name units by long names (up to the name limit): the attribute must hold even those
const allUnits = Array.from({ length: 200 }, (_, i) => `某某县交通运输局第${i + 1}科${'某'.repeat(40)}`.slice(0, LIMITS.nameLength));

// the answer that carries the largest task: every field at its limit, an extension pending, dates set
const task = outcome.result.task!;
const widest = `${'某'.repeat(LIMITS.nameLength)}`;
const largestResult = {
  ...outcome.result,
  itemId: 'i'.repeat(LIMITS.idLength),
  task: {
    ...task, id: 't'.repeat(LIMITS.idLength),
    problemIds: Array.from({ length: LIMITS.problemIdsPerTask }, (_, i) => `${i}`.padEnd(LIMITS.idLength, 'p')),
    ownerUnit: widest, ownerPerson: widest, coOwners: Array.from({ length: LIMITS.coOwnersPerTask }, () => widest),
    lastProgressAt: task.assignedAt, submittedAt: task.assignedAt, acceptedAt: task.assignedAt,
    pendingExtension: { requestedAt: task.assignedAt, newDeadline: { kind: 'instant', at: task.deadline.dueAt }, proposedDueAt: task.deadline.dueAt },
  },
};

const kib = (bytes: number) => +(bytes / KiB).toFixed(1);
const row = (payload: string, bytes: number, budget: number) => ({ payload, KiB: kib(bytes), budgetKiB: kib(budget), ok: bytes <= budget });
const rows = [
  row('workflow input (new item)', jsonBytes(workflowInput), 512 * KiB),
  row('continue-as-new input (state + carried changes)', jsonBytes(continueAsNew) + LIMITS.unsavedCarryBytes, 512 * KiB),
  row('largest save batch (first save)', Math.max(...firstSave.map(jsonBytes)), LIMITS.saveBatchBytes),
  row('largest save batch (every task through the ladder)', Math.max(...waveSave.map(jsonBytes)), LIMITS.saveBatchBytes),
  row('largest update argument (progress at the maxima)', jsonBytes(report), 64 * KiB),
  row('largest update result (a task at every limit)', jsonBytes(largestResult), 4 * KiB),
  row('state query result', jsonBytes(outcome.state), LIMITS.itemStateBytes),
  row('owner-units search attribute (200 long names)', jsonBytes(boundedUnitList(allUnits)), LIMITS.ownerUnitsAttributeBytes),
];
console.log(JSON.stringify({
  benchmark: 'worst-case payload sizes', tasks: input.tasks.length, problems: input.problems.length,
  saves: { firstSaveBatches: firstSave.length, waveSaveBatches: waveSave.length, waveRecords: wave.records.auditEvents.length + wave.records.notifications.length },
  rows,
}, null, 2));
if (rows.some((r) => !r.ok)) process.exitCode = 1;
