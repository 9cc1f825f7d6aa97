/**
 * A regression from the adversarial review of office time, on the time-skipping
 * server: the real workflow, its clock and its notification outbox (the rule is
 * in test/unit/office-regressions.test.ts).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import { withOfficeRules } from '../../domain/policy';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import { cancelItemUpdate, itemWorkflowId, pauseTaskUpdate, resumeTaskUpdate, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { createScenarioWorker, DAY, envelope, itemInput, LEADER, sleepUntil, waitFor } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const at = (date: string, time: string) => Date.parse(`${date}T${time}+08:00`);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** Monday to Friday and no holiday in the package's data (the dates chosen lie within weeks of the server's clock) */
const plainWorkday = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()) && !(date in chineseDays.holidays);

/** Ends the item without awaiting its result: awaiting a result on this server can skip years. */
async function end(handle: WorkflowHandle): Promise<void> {
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  await handle.executeUpdate(cancelItemUpdate, { args: [envelope(LEADER, { type: 'cancelItem', reason: 'scenario over' })] });
  for (let i = 0; i < 200 && (await handle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
}

test('a missed deadline is announced once: a pause that evening and a resume the next morning do not make the owner miss it again', async () => {
  const { worker, taskQueue, store } = await createScenarioWorker(env);
  await worker.runUntil(async () => {
    const t0 = await env.currentTimeMs();
    // D and D+1 two plain working days, D at least two days ahead
    let d = new Date(t0 + 2 * DAY + 8 * 3600_000).toISOString().slice(0, 10);
    while (!plainWorkday(d) || !plainWorkday(addDays(d, 1))) d = addDays(d, 1);
    const due = at(d, '18:00:00');
    const input = { ...itemInput({ dueAt: new Date(due).toISOString() }), policy: withOfficeRules(undefined) };
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(input.id), args: newItemArgs(input, LEADER, t0, undefined, calendarForNewItem(t0)),
    });
    try {
      await sleepUntil(env, at(d, '20:00:00'));
      await waitFor(() => store.notificationsOf('overdue', 'T1')[0]);
      await handle.executeUpdate(pauseTaskUpdate, { args: [envelope(LEADER, { type: 'pauseTask', taskId: 'T1', reason: 'waiting for the province' })] });
      await sleepUntil(env, at(addDays(d, 1), '09:00:00'));
      await handle.executeUpdate(resumeTaskUpdate, { args: [envelope(LEADER, { type: 'resumeTask', taskId: 'T1', note: 'ruling in' })] });
      await sleepUntil(env, at(addDays(d, 1), '20:00:00'));
      expect(store.notificationsOf('overdue', 'T1').map((n) => n.firedAt)).toHaveLength(1);
      expect(store.all('auditEvents').filter((e) => e.action === 'deadlineMissed')).toHaveLength(1);
    } finally {
      await end(handle);
    }
  });
});
