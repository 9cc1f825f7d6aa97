/**
 * Every command once through real updates, in the order a real item might see
 * them, ending with the leader cancelling the item. Its history is recorded in
 * test/histories/ for the replay test (RECORD_HISTORIES=1), so replay covers
 * every update handler, working-day deadlines and a cancelled ending.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Command } from '../../domain/commands';
import type { CommandResult } from '../../domain/transitions';
import type { Actor, ItemSummary } from '../../domain/types';
import { itemStateQuery, updateForCommand } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, DAY, envelope, itemInput, LEADER, OWNER_A, OWNER_B, startItem } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('each of the 11 commands applies, and the item cancelled at the end returns its summary', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const input = itemInput({ dueAt: new Date(t0 + 20 * DAY).toISOString() });
    const handle = await startItem(env, taskQueue, input);
    const send = async (actor: Actor, command: Command): Promise<CommandResult> => {
      const update = updateForCommand[command.type] as unknown as typeof updateForCommand.cancelItem;
      return handle.executeUpdate(update, { args: [envelope(actor, command) as never] });
    };
    const state = () => handle.query(itemStateQuery);

    let s = await send(LEADER, { type: 'addProblem', problem: { id: 'P2', description: 'Ledger not public', severity: 'medium' } });
    expect(s.problem).toEqual({ id: 'P2', severity: 'medium', status: 'open' });
    expect((await state()).problems.map((p) => [p.id, p.status])).toEqual([['P1', 'open'], ['P2', 'open']]);
    s = await send(LEADER, {
      type: 'addTask',
      task: { id: 'T2', problemIds: ['P2'], description: 'Publish the ledger', ownerUnit: 'Unit B', ownerPerson: 'Owner Li', deadline: { kind: 'workingDays', days: 5 } },
    });
    expect(s.task).toMatchObject({ id: 'T2', deadline: { spec: { kind: 'workingDays', days: 5 } } });
    s = await send(OWNER_A, { type: 'reportProgress', taskId: 'T1', text: 'Lists checked', percent: 40, evidence: ['list.xlsx'] });
    expect(s.task).toMatchObject({ status: 'inProgress', percent: 40, reportCount: 1 });
    s = await send(OWNER_B, { type: 'requestExtension', taskId: 'T2', newDeadline: { kind: 'workingDays', days: 15 }, reason: 'Board meets monthly' });
    expect(s.task!.pendingExtension).toMatchObject({ newDeadline: { kind: 'workingDays', days: 15 } });
    s = await send(LEADER, { type: 'decideExtension', taskId: 'T2', approve: false, note: 'Use a written resolution' });
    expect(s.task).toMatchObject({ extensionsDenied: 1, extensionsApproved: 0 });
    expect(s.task!.pendingExtension).toBeUndefined();
    s = await send(LEADER, { type: 'reassignTask', taskId: 'T2', ownerUnit: 'Unit C', ownerPerson: 'Owner Sun' });
    expect(s.task).toMatchObject({ ownerUnit: 'Unit C', ownerPerson: 'Owner Sun' });
    await env.sleep(8 * DAY); // T2's deadline passes: overdue and its first rungs
    s = await send(OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['receipts.pdf'] });
    s = await send(LEADER, { type: 'sendBackTask', taskId: 'T1', reason: 'Two receipts missing' });
    s = await send(OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['receipts.pdf', 'receipts-2.pdf'] });
    s = await send(LEADER, { type: 'acceptTask', taskId: 'T1' });
    expect((await state()).problems.map((p) => [p.id, p.status])).toEqual([['P1', 'closed'], ['P2', 'open']]);
    s = await send(LEADER, {
      type: 'addTask',
      task: { id: 'T3', problemIds: ['P2'], description: 'Post the ledger in the village', ownerUnit: 'Unit C', ownerPerson: 'Owner Sun', deadline: { kind: 'workingDays', days: 3 } },
    });
    s = await send(LEADER, { type: 'cancelTask', taskId: 'T3', reason: 'Covered by T2' });
    expect((await state()).tasks.map((t) => [t.id, t.status])).toEqual([['T1', 'accepted'], ['T2', 'assigned'], ['T3', 'cancelled']]);
    s = await send(LEADER, { type: 'cancelItem', reason: 'Replaced by a county-wide item' });
    expect(s.status).toBe('cancelled');

    const summary: ItemSummary = await handle.result();
    expect(summary).toMatchObject({ status: 'cancelled', problems: 2, tasks: 3, acceptedTasks: 1, cancelledTasks: 2, reworks: 1, extensionsApproved: 0 });
    expect(summary.escalations).toBeGreaterThanOrEqual(1);
    expect(store.all('escalations').every((e) => e.taskId === 'T2' && e.ownerUnit === 'Unit C')).toBe(true);
    const actions = store.all('auditEvents').filter((e) => e.actor.role !== 'system').map((e) => e.action);
    expect(actions).toEqual([
      'itemCreated', 'problemAdded', 'taskAdded', 'progressReported', 'extensionRequested', 'extensionDenied', 'taskReassigned',
      'taskSubmitted', 'taskSentBack', 'taskSubmitted', 'taskAccepted', 'taskAdded', 'taskCancelled', 'itemCancelled',
    ]);

    if (process.env.RECORD_HISTORIES === '1') {
      const dir = join(__dirname, '..', 'histories');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'every-command-v10.history.bin'), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    }
  });
});
