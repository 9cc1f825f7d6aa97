/**
 * Creation is judged once, at the instant the API accepted the item: the
 * workflow's first task, however late it runs (a busy worker, a retried task),
 * never fails the item for reasons of time. A deadline that passed in between
 * simply fires at once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { itemStateQuery, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, endScenario, expectInstant, itemInput, LEADER, waitFor } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('a deadline that passed between acceptance and the first workflow task fires at once; the item runs on', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const acceptedAt = now - 10_000;
    const input = itemInput({ dueAt: new Date(now - 5_000).toISOString() });
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(input.id), args: newItemArgs(input, LEADER, acceptedAt),
    });
    try {
      const state = await handle.query(itemStateQuery);
      expect(state.status).toBe('active');
      expect(state.createdAt).toBe(new Date(acceptedAt).toISOString());
      expect(state.tasks[0]!.alarms).toMatchObject({ warned: true, overdue: true });
      const overdue = await waitFor(() => store.notificationsOf('overdue', 'T1')[0]);
      expectInstant(overdue.firedAt, now, 5_000);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await endScenario(handle);
    }
  });
});

test('an input that breaks the rules (only a caller bypassing the API could send one) fails the run visibly', async () => {
  const { worker, taskQueue } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const input = itemInput({ dueAt: new Date(now + 86_400_000).toISOString(), title: 'bad\u0000title' });
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(input.id), args: newItemArgs(input, LEADER, now),
    });
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('FAILED');
  });
});
