/**
 * One whole item lifecycle on the time-skipping server: months of item time in
 * seconds. Checks warning, overdue and every rung at their exact offsets, then
 * extension, rework and acceptance, and the final summary.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { itemWorkflowId, WORKFLOW_TYPE, itemStateQuery, requestExtensionUpdate, decideExtensionUpdate, submitTaskUpdate, sendBackTaskUpdate, acceptTaskUpdate } from '../../workflows/messages';
import type { ItemSnapshot, ItemSummary } from '../../domain/types';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createRecordingWorker, DAY, envelope, itemInput, LEADER, OWNER_A, RecordingStore } from './harness';
import { newItemArgs } from '../support/item-start';

let env: TestWorkflowEnvironment;
let worker: Worker;
let taskQueue: string;
const store = new RecordingStore();

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  ({ worker, taskQueue } = await createRecordingWorker(env, store));
});

afterAll(async () => {
  await env?.teardown();
});

/** Asserts a workflow-time instant landed on the expected one (timers fire at, never before, their time). */
function expectAt(actualIso: string | undefined, expectedMs: number): void {
  expect(actualIso).toBeDefined();
  const delta = Date.parse(actualIso!) - expectedMs;
  expect(delta).toBeGreaterThanOrEqual(0);
  expect(delta).toBeLessThan(2000);
}

test('create → warning → overdue → rungs 1-3 → extension → new warning → submit → send back → resubmit → accept → completed', async () => {
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    // A deadline 30 days away, observed without waiting 30 days.
    const due = t0 + 30 * DAY;
    const input = itemInput({ dueAt: new Date(due).toISOString() });
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: itemWorkflowId(input.id),
      args: newItemArgs(input, LEADER, t0),
    });

    // Default policy: warning 3 days before; rungs at +0, +3 days, +7 days.
    await env.sleep(37 * DAY + 3600_000);
    const dueIso = new Date(due).toISOString();
    expectAt(store.notificationsOf('warning', 'T1')[0]?.firedAt, due - 3 * DAY);
    expectAt(store.notificationsOf('overdue', 'T1')[0]?.firedAt, due);
    const escalations = store.all('escalations');
    expect(escalations.map((e) => [e.rung, e.level, e.dueAt])).toEqual([
      [1, 1, dueIso],
      [2, 2, dueIso],
      [3, 3, dueIso],
    ]);
    expectAt(escalations[0]!.firedAt, due);
    expectAt(escalations[1]!.firedAt, due + 3 * DAY);
    expectAt(escalations[2]!.firedAt, due + 7 * DAY);
    // Rung 3 goes to the item's leader and the city supervision office.
    const rung3 = store.notificationsOf('escalation').filter((n) => n.level === 3);
    expect(rung3.map((n) => `${n.recipientRole}:${n.recipient}`).sort()).toEqual(['itemLeader:leader-1', 'supervisionOffice:city']);

    let state: ItemSnapshot = await handle.query(itemStateQuery);
    expect(state.tasks[0]!.escalationLevel).toBe(3);

    // Extension: 10 more days from now, approved; the ladder re-arms on the new deadline.
    const now1 = await env.currentTimeMs();
    const newDue = now1 + 10 * DAY;
    await handle.executeUpdate(requestExtensionUpdate, {
      args: [envelope(OWNER_A, { type: 'requestExtension', taskId: 'T1', newDeadline: { kind: 'instant', at: new Date(newDue).toISOString() }, reason: 'Bank transfer window closed' })],
    });
    const decided = await handle.executeUpdate(decideExtensionUpdate, {
      args: [envelope(LEADER, { type: 'decideExtension', taskId: 'T1', approve: true, note: 'One last chance' })],
    });
    expect(decided.task!.deadline.dueAt).toBe(new Date(newDue).toISOString());
    expect(decided.task!.originalDueAt).toBe(dueIso);
    // the ladder starts again on the new deadline; the record of what was reached stays
    expect(decided.task!.escalationLevel).toBe(0);
    expect(decided.task!.maxEscalationLevel).toBe(3);

    await env.sleep(7 * DAY + 3600_000);
    const warnings = store.notificationsOf('warning', 'T1');
    expect(warnings).toHaveLength(2);
    expectAt(warnings.find((w) => w.dueAt === new Date(newDue).toISOString())?.firedAt, newDue - 3 * DAY);
    expect(store.all('escalations')).toHaveLength(3); // nothing new before the new deadline

    const submit = () =>
      handle.executeUpdate(submitTaskUpdate, { args: [envelope(OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['bank-statement-2026-12.pdf'] })] });
    await submit();
    const sentBack = await handle.executeUpdate(sendBackTaskUpdate, { args: [envelope(LEADER, { type: 'sendBackTask', taskId: 'T1', reason: 'Statement unsigned' })] });
    expect(sentBack.task!.status).toBe('inProgress');
    expect(sentBack.task!.reworkCount).toBe(1);
    await submit();
    const accepted = await handle.executeUpdate(acceptTaskUpdate, { args: [envelope(LEADER, { type: 'acceptTask', taskId: 'T1' })] });
    expect(accepted.status).toBe('completed');
    state = await handle.query(itemStateQuery);
    expect(state.problems[0]!.status).toBe('closed');

    const summary: ItemSummary = await handle.result();
    expect(summary).toMatchObject({
      itemId: input.id,
      status: 'completed',
      problems: 1,
      tasks: 1,
      acceptedTasks: 1,
      cancelledTasks: 0,
      acceptedLate: 1,
      reworks: 1,
      escalations: 3,
      extensionsApproved: 1,
    });
    // 44+ days passed: at least 6 weekly dispatches, each one recorded once.
    expect(summary.dispatches).toBe(store.all('dispatches').length);
    expect(summary.dispatches).toBeGreaterThanOrEqual(6);
    expect(store.duplicateNotificationWrites).toBe(0);

    const audit = store.all('auditEvents');
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    expect(audit.filter((e) => e.actor.role !== 'system').map((e) => e.action)).toEqual([
      'itemCreated', 'extensionRequested', 'extensionApproved', 'taskSubmitted', 'taskSentBack', 'taskSubmitted', 'taskAccepted',
    ]);

    if (process.env.RECORD_HISTORIES === '1') {
      const history = await handle.fetchHistory();
      const dir = join(__dirname, '..', 'histories');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'lifecycle-v10.history.bin'), temporal.api.history.v1.History.encode(history).finish());
    }
  });
});
