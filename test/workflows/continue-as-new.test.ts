/**
 * Long life: with the history threshold lowered, hundreds of updates and weeks
 * of timers push the item through several continue-as-new boundaries. The
 * state on both sides of each boundary is identical, and no audit event or
 * notification is written twice or lost.
 */
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ItemChanges } from '../../domain/item-changes';
import { snapshotOf } from '../../domain/item-views';
import { LIMITS } from '../../domain/limits';
import type { ItemSnapshot } from '../../domain/types';
import { itemStateQuery, itemWorkflowId, reportProgressUpdate, WORKFLOW_TYPE, type ItemWorkflowInput } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createRecordingWorker, DAY, envelope, itemInput, LEADER, OWNER_A, OWNER_B, RecordingStore } from './harness';

/** Also remembers which run persisted each batch. */
class RunAwareStore extends RecordingStore {
  readonly runIds: string[] = [];
  constructor() {
    super();
    const record = this.activities.saveItemChanges;
    this.activities.saveItemChanges = async (changes: ItemChanges) => {
      this.runIds.push(Context.current().info.workflowExecution!.runId);
      await record(changes);
    };
  }
}

let env: TestWorkflowEnvironment;
let worker: Worker;
let taskQueue: string;
const store = new RunAwareStore();

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  ({ worker, taskQueue } = await createRecordingWorker(env, store));
});

afterAll(async () => {
  await env?.teardown();
});

test('300 updates over 30 days across continue-as-new boundaries: nothing duplicated, nothing lost', async () => {
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    const due = (days: number) => ({ kind: 'instant' as const, at: new Date(t0 + days * DAY).toISOString() });
    const base = itemInput({ dueAt: new Date(t0 + 5 * DAY).toISOString() });
    const input = {
      ...base,
      tasks: [
        { ...base.tasks[0]!, id: 'T1', deadline: due(5) },
        { ...base.tasks[0]!, id: 'T2', deadline: due(8) },
        { ...base.tasks[0]!, id: 'T3', ownerUnit: 'Unit B', ownerPerson: 'Owner Li', deadline: due(20) },
      ],
    };
    const workflowId = itemWorkflowId(input.id);
    await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: newItemArgs(input, LEADER, t0, { maxHistoryEvents: 120 }),
    });
    const handle = env.client.workflow.getHandle(workflowId);

    const sent = new Map<string, number>([['T1', 0], ['T2', 0], ['T3', 0]]);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 10; i++) {
        const taskId = ['T1', 'T2', 'T3'][i % 3]!;
        const actor = taskId === 'T3' ? OWNER_B : OWNER_A;
        await handle.executeUpdate(reportProgressUpdate, {
          args: [envelope(actor, { type: 'reportProgress', taskId, text: `round ${round} report ${i}`, percent: (round * 3) % 100 })],
        });
        sent.set(taskId, sent.get(taskId)! + 1);
      }
      await env.sleep(DAY);
    }
    const final: ItemSnapshot = await handle.query(itemStateQuery);

    // Several runs happened, and the item went on in the latest.
    const runs = [...new Set(store.runIds)];
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // the current run is a continuation too (it may have had nothing new to save yet)
    const currentStart = (await handle.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
    expect(defaultPayloadConverter.fromPayload<ItemWorkflowInput>(currentStart.input!.payloads![0]!).kind).toBe('continued');

    // Every update applied exactly once across the boundaries.
    for (const task of final.tasks) expect(task.reportCount).toBe(sent.get(task.id));

    // The state a run ended with (its query, replayed from its history) is the state the next run started from.
    for (let r = 1; r < runs.length; r++) {
      const endOfPrevious = await env.client.workflow.getHandle(workflowId, runs[r - 1]).query(itemStateQuery);
      const history = await env.client.workflow.getHandle(workflowId, runs[r]).fetchHistory();
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
      const carried = defaultPayloadConverter.fromPayload<ItemWorkflowInput>(started.input!.payloads![0]!);
      expect(carried).toMatchObject({ kind: 'continued', format: 2 });
      expect(carried.kind === 'continued' && snapshotOf(carried.state)).toEqual(endOfPrevious);
      // what the run carried is bounded: its state plus at most the carry budget of unsaved changes
      expect(started.input!.payloads![0]!.data!.length).toBeLessThan(LIMITS.itemStateBytes + LIMITS.unsavedCarryBytes);
    }

    // Audit trail: contiguous, no gaps, no repeats: 1 creation + 300 reports + the system's alarms.
    const seqs = store.all('auditEvents').map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBe(final.counters.auditSeq);

    // Each deadline alarm exactly once: T1 (day 5) and T2 (day 8) through all 3 rungs, T3 (day 20) to rung 3 at day 27.
    expect(store.duplicateNotificationWrites).toBe(0);
    for (const taskId of ['T1', 'T2', 'T3']) {
      expect(store.notificationsOf('warning', taskId)).toHaveLength(1);
      expect(store.notificationsOf('overdue', taskId)).toHaveLength(1);
      expect(store.all('escalations').filter((e) => e.taskId === taskId).map((e) => e.rung)).toEqual([1, 2, 3]);
    }
    expect(final.counters.escalations).toBe(9);
    // 30 days contain 4 or 5 Monday dispatches and at least one monthly review, each recorded once.
    const dispatchSeqs = store.all('dispatches').map((d) => d.seq);
    expect(dispatchSeqs).toEqual(dispatchSeqs.map((_, i) => i + 1));
    expect(dispatchSeqs.length).toBe(final.schedule.dispatchCount);
    expect([4, 5]).toContain(dispatchSeqs.length);
    expect(store.all('reviews').map((r) => r.seq)).toEqual([...Array(final.schedule.reviewCount)].map((_, i) => i + 1));
  });
});
