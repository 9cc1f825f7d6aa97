/**
 * Refused commands through real updates: the validator rejects them with the
 * domain code, the state is unchanged and the history gains no update event.
 * Also: a repeated request id is applied once, and a cancelled item ends the
 * workflow with a 'cancelled' summary.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Command } from '../../domain/commands';
import type { DomainErrorCode } from '../../domain/errors';
import type { Actor } from '../../domain/types';
import type { rectificationItemWorkflow } from '../../workflows/item-workflow';
import { cancelItemUpdate, cancelTaskUpdate, itemStateQuery, reportProgressUpdate, submitTaskUpdate, updateForCommand, acceptTaskUpdate } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, endScenario, DAY, envelope, itemInput, LEADER, OWNER_A, OWNER_B, startItem, SUPERVISOR, waitFor, instantTask } from './harness';

type Handle = WorkflowHandle<typeof rectificationItemWorkflow>;
const EventType = temporal.api.enums.v1.EventType;
const UPDATE_EVENTS = new Set<temporal.api.enums.v1.EventType>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
]);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function updateEvents(handle: Handle) {
  const { events } = await handle.fetchHistory();
  return (events ?? []).filter((e) => UPDATE_EVENTS.has(e.eventType!)).map((e) => e.eventType);
}

/** Sends a command through its own update (any command, any actor). */
function send(handle: Handle, actor: Actor, command: Command, requestId?: string, fingerprint?: string) {
  const update = updateForCommand[command.type] as typeof reportProgressUpdate;
  const env1 = { ...envelope(actor, command, requestId), ...(fingerprint ? { fingerprint } : {}) };
  return handle.executeUpdate(update, { args: [env1 as never], updateId: `${env1.requestId}.${fingerprint ?? ''}` });
}

async function expectRefusedWith(handle: Handle, attempt: () => Promise<unknown>, code: DomainErrorCode, label = ''): Promise<void> {
  const stateBefore = await handle.query(itemStateQuery);
  const eventsBefore = await updateEvents(handle);
  const err: unknown = await attempt().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect({ label, type: (cause as ApplicationFailure).type }).toEqual({ label, type: code });
  expect(await handle.query(itemStateQuery)).toEqual(stateBefore);
  expect(await updateEvents(handle)).toEqual(eventsBefore);
}

function expectRefused(handle: Handle, actor: Actor, command: Command, code: DomainErrorCode): Promise<void> {
  return expectRefusedWith(handle, () => send(handle, actor, command), code, `${actor.id} ${command.type}`);
}

/** T1 and T3 in Unit A (problem P1), T2 in Unit B (problem P2); deadlines far away. */
function threeTaskItem(t0: number) {
  const due = new Date(t0 + 60 * DAY).toISOString();
  const task = (id: string, unit: string, person: string, problem: string) => instantTask(id, unit, person, problem, due);
  return itemInput({
    dueAt: due,
    problems: [
      { id: 'P1', description: 'Late subsidies', severity: 'high' },
      { id: 'P2', description: 'Unsigned ledgers', severity: 'medium' },
    ],
    tasks: [task('T1', 'Unit A', 'Owner Zhang', 'P1'), task('T2', 'Unit B', 'Owner Li', 'P2'), task('T3', 'Unit A', 'Owner Zhang', 'P1')],
  });
}

test('invalid transitions are refused with their domain code and change neither state nor history', async () => {
  const { worker, taskQueue } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const handle = await startItem(env, taskQueue, threeTaskItem(await env.currentTimeMs()));
    try {
      // accepting before submission
      await expectRefused(handle, LEADER, { type: 'acceptTask', taskId: 'T2' }, 'INVALID_TRANSITION');
      await expectRefused(handle, LEADER, { type: 'sendBackTask', taskId: 'T2', reason: 'not yet' }, 'INVALID_TRANSITION');

      // an owner accepting a submitted task, even their own unit's
      await handle.executeUpdate(submitTaskUpdate, { args: [envelope(OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['receipts.pdf'] })] });
      await expectRefused(handle, OWNER_A, { type: 'acceptTask', taskId: 'T1' }, 'FORBIDDEN');
      await expectRefused(handle, OWNER_A, { type: 'submitTask', taskId: 'T1', evidence: ['again.pdf'] }, 'INVALID_TRANSITION');

      // an extension (or anything else) after acceptance
      await handle.executeUpdate(acceptTaskUpdate, { args: [envelope(LEADER, { type: 'acceptTask', taskId: 'T1' })] });
      const later = new Date((await env.currentTimeMs()) + 90 * DAY).toISOString();
      await expectRefused(handle, OWNER_A, { type: 'requestExtension', taskId: 'T1', newDeadline: { kind: 'instant', at: later }, reason: 'more time' }, 'INVALID_TRANSITION');
      await expectRefused(handle, LEADER, { type: 'sendBackTask', taskId: 'T1', reason: 'second thoughts' }, 'INVALID_TRANSITION');

      // acting on a cancelled task
      await handle.executeUpdate(cancelTaskUpdate, { args: [envelope(LEADER, { type: 'cancelTask', taskId: 'T3', reason: 'Merged into T1' })] });
      await expectRefused(handle, OWNER_A, { type: 'reportProgress', taskId: 'T3', text: 'still working', percent: 10 }, 'INVALID_TRANSITION');
      await expectRefused(handle, OWNER_A, { type: 'requestExtension', taskId: 'T3', newDeadline: { kind: 'instant', at: later }, reason: 'x' }, 'INVALID_TRANSITION');
      await expectRefused(handle, LEADER, { type: 'cancelTask', taskId: 'T3', reason: 'twice' }, 'INVALID_TRANSITION');

      // a supervisor acting: supervisors watch, they do not command
      await expectRefused(handle, SUPERVISOR, { type: 'reportProgress', taskId: 'T2', text: 'done', percent: 100 }, 'FORBIDDEN');
      await expectRefused(handle, SUPERVISOR, { type: 'cancelItem', reason: 'overreach' }, 'FORBIDDEN');

      // another unit's owner acting on Unit B's task: to them it is no task at all
      await expectRefused(handle, OWNER_A, { type: 'reportProgress', taskId: 'T2', text: 'not mine', percent: 30 }, 'NOT_FOUND');
      await expectRefused(handle, OWNER_A, { type: 'submitTask', taskId: 'T2', evidence: ['x.pdf'] }, 'NOT_FOUND');
      // a unit with no task in the item: to it the item is not there
      await expectRefused(handle, { ...OWNER_A, id: 'owner-z', unit: 'Unit Z' }, { type: 'reportProgress', taskId: 'T2', text: 'x', percent: 1 }, 'NOT_FOUND');
      // a leader who neither leads the item nor answers for its plan
      await expectRefused(handle, { ...LEADER, id: 'leader-9' }, { type: 'acceptTask', taskId: 'T2' }, 'FORBIDDEN');

      // malformed or unknown
      await expectRefused(handle, OWNER_B, { type: 'submitTask', taskId: 'T2', evidence: [] }, 'VALIDATION_FAILED');
      await expectRefused(handle, OWNER_B, { type: 'reportProgress', taskId: 'T9', text: 'which task?', percent: 5 }, 'NOT_FOUND');

      const state = await handle.query(itemStateQuery);
      expect(state.tasks.map((t) => t.status)).toEqual(['accepted', 'assigned', 'cancelled']);
      expect(state.problems.map((p) => p.status)).toEqual(['closed', 'open']);
      expect(state.status).toBe('active');
      // 3 accepted updates (submit, accept, cancel), each accepted and completed once
      const accepted = (await updateEvents(handle)).filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
      expect(accepted).toHaveLength(3);
    } finally {
      await endScenario(handle);
    }
  });
});

test('the same request id sent twice applies once; with another request it is refused', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const handle = await startItem(env, taskQueue, threeTaskItem(await env.currentTimeMs()));
    try {
      const progress: Command = { type: 'reportProgress', taskId: 'T2', text: 'Ledgers half signed', percent: 50 };
      const first = await send(handle, OWNER_B, progress, 'req-42', 'fp-1');
      expect(first).toMatchObject({ duplicate: false, version: 2, task: { id: 'T2', percent: 50 } });
      // the same update id: the server answers the first outcome again
      const again = await send(handle, OWNER_B, progress, 'req-42', 'fp-1');
      expect(again).toEqual(first);
      // the same request under another update id (after a continue-as-new, say): the workflow remembers it and changes nothing
      const viaOtherUpdate = await handle.executeUpdate(reportProgressUpdate, {
        args: [{ ...envelope(OWNER_B, { type: 'reportProgress', taskId: 'T2', text: 'Ledgers half signed', percent: 50 }, 'req-42'), fingerprint: 'fp-1' }],
        updateId: 'another-update-id',
      });
      expect(viaOtherUpdate).toEqual({ ...first, duplicate: true });
      // the same request id for a different request: refused, nothing changes
      await expectRefusedWith(handle, () => send(handle, OWNER_B, { ...progress, percent: 90 }, 'req-42', 'fp-2'), 'IDEMPOTENCY_KEY_REUSED');

      const task = (await handle.query(itemStateQuery)).tasks.find((t) => t.id === 'T2')!;
      expect(task.reportCount).toBe(1);
      expect(task.percent).toBe(50);
      await waitFor(() => store.all('auditEvents').find((e) => e.action === 'progressReported'));
      expect(store.all('auditEvents').filter((e) => e.requestId === 'req-42')).toHaveLength(1);
    } finally {
      await endScenario(handle);
    }
  });
});

test('an item cancelled by the leader ends the workflow with a cancelled summary', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const handle = await startItem(env, taskQueue, threeTaskItem(await env.currentTimeMs()));
    await expectRefused(handle, LEADER, { type: 'cancelItem', reason: '   ' }, 'VALIDATION_FAILED');
    const result = await handle.executeUpdate(cancelItemUpdate, { args: [envelope(LEADER, { type: 'cancelItem', reason: 'Superseded by plan 2027-03' })] });
    expect(result).toMatchObject({ status: 'cancelled', duplicate: false });
    const state = await handle.query(itemStateQuery);

    const summary = await handle.result();
    expect(summary).toMatchObject({
      itemId: state.id, status: 'cancelled', endedAt: state.cancelledAt, problems: 2, tasks: 3, acceptedTasks: 0, cancelledTasks: 3, // its open tasks end with it
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(store.batches.at(-1)?.header?.status).toBe('cancelled');
    expect(store.all('auditEvents').map((e) => e.action)).toEqual(['itemCreated', 'itemCancelled']);
    expect(store.all('auditEvents').at(-1)?.details).toEqual({ reason: 'Superseded by plan 2027-03' });
  });
});
