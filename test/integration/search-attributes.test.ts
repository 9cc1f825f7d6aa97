/**
 * Operators find items in the Temporal UI and CLI by typed search attributes.
 * Against the real dev server (the time-skipping server cannot list): an item
 * started through the API is listed by status, plan and owner unit, and its
 * attributes follow its state when a task is cancelled.
 */
import request from 'supertest';
import { SA_ESCALATION_LEVEL, SA_NEXT_DEADLINE, SA_OVERDUE_COUNT, SA_OWNER_UNITS, SA_PLAN_ID, SA_STATUS, SA_SUPERVISION_LEVEL, itemWorkflowId } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, eventually, startItem, tokensFor, UNIT_A, UNIT_B, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});

afterAll(async () => {
  await stack?.stop();
});

test('items are listed by their search attributes, which follow the item', async () => {
  const plan = `plan-sa-${Date.now()}`;
  const id = `sa-${Date.now()}`;
  const created = await startItem(stack, tokens.leader, id, { planId: plan });

  const query = `RectPlanId = "${plan}" AND RectStatus = "active" AND RectOwnerUnits = "${UNIT_B}" AND RectSupervisionLevel = "county"`;
  const listed = await eventually(async () => {
    const found: string[] = [];
    for await (const wf of stack.client.workflow.list({ query })) found.push(wf.workflowId);
    return found.length > 0 ? found : undefined;
  });
  expect(listed).toEqual([itemWorkflowId(id)]);

  const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
  let attrs = (await handle.describe()).typedSearchAttributes;
  expect(attrs.get(SA_STATUS)).toBe('active');
  expect(attrs.get(SA_PLAN_ID)).toBe(plan);
  expect(attrs.get(SA_SUPERVISION_LEVEL)).toBe('county');
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_A, UNIT_B]);
  expect(attrs.get(SA_NEXT_DEADLINE)?.toISOString()).toBe(created.tasks[0].deadline.dueAt);
  expect(attrs.get(SA_OVERDUE_COUNT)).toBe(0);
  expect(attrs.get(SA_ESCALATION_LEVEL)).toBe(0);

  // Unit A's task is cancelled: the item no longer waits on Unit A, and its next deadline is Unit B's.
  const res = await request(stack.app).post(`/items/${id}/tasks/t1/cancel`).set(bearer(tokens.leader)).send({ reason: 'Merged into t2' });
  expect(res.status).toBe(200);
  attrs = await eventually(async () => {
    const a = (await handle.describe()).typedSearchAttributes;
    return a.get(SA_OWNER_UNITS)?.length === 1 ? a : undefined;
  });
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_B]);
  expect(attrs.get(SA_NEXT_DEADLINE)?.toISOString()).toBe(created.tasks[1].deadline.dueAt);
});
