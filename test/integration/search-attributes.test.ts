/**
 * Operators find items in the Temporal UI and CLI by typed search attributes.
 * Against the real dev server (the time-skipping server cannot list): an item
 * started through the API is listed by status, plan and owner unit, and its
 * attributes follow its state when a task is cancelled. The clock's figures
 * (next deadline, overdue count, escalation level) are not attributes: a
 * deadline passing upserts nothing, and an item started with them (as the API
 * did before) has them cleared.
 */
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { withOfficeRules } from '../../domain/policy';
import { SA_ESCALATION_LEVEL, SA_NEXT_DEADLINE, SA_OVERDUE_COUNT, SA_OWNER_UNITS, SA_PLAN_ID, SA_STATUS, SA_SUPERVISION_LEVEL, WORKFLOW_TYPE, itemWorkflowId } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { startTestStack, type TestStack } from '../support/stack';
import { ACTORS, bearer, eventually, startItem, tokensFor, UNIT_A, UNIT_B, type ActorName } from './api-support';

const { EventType } = temporal.api.enums.v1;

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
  // after the item's first workflow task (its first save and whatever it upserts)
  await eventually(async () => ((await handle.fetchHistory()).events!
    .some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? true : undefined));
  let attrs = (await handle.describe()).typedSearchAttributes;
  expect(attrs.get(SA_STATUS)).toBe('active');
  expect(attrs.get(SA_PLAN_ID)).toBe(plan);
  expect(attrs.get(SA_SUPERVISION_LEVEL)).toBe('county');
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_A, UNIT_B]);
  for (const clockFigure of [SA_NEXT_DEADLINE, SA_OVERDUE_COUNT, SA_ESCALATION_LEVEL]) expect(attrs.get(clockFigure)).toBeUndefined();
  // the API set them at start: the item's first task had nothing to upsert
  const firstUpserts = (await handle.fetchHistory()).events!.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  expect(firstUpserts.map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!))
    .flat().filter((name) => name.startsWith('Rect'))).toEqual([]);

  // Unit A's task is cancelled: the item no longer waits on Unit A, and its next deadline is Unit B's.
  const res = await request(stack.app).post(`/items/${id}/tasks/t1/cancel`).set(bearer(tokens.leader)).send({ reason: 'Merged into t2' });
  expect(res.status).toBe(200);
  attrs = await eventually(async () => {
    const a = (await handle.describe()).typedSearchAttributes;
    return a.get(SA_OWNER_UNITS)?.length === 1 ? a : undefined;
  });
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_B]);
  expect(attrs.get(SA_STATUS)).toBe('active');
  expect(created.tasks[1].deadline.dueAt).toBeDefined();
});

test("an item started with the clock's figures has them cleared, and a deadline passing upserts nothing", async () => {
  const id = `sa-clock-${Date.now()}`;
  const due = Date.now() + 4_000;
  const item = {
    id, title: `Item ${id}`, supervisionLevel: 'county' as const, leader: { id: ACTORS.leader.sub, name: ACTORS.leader.name },
    problems: [{ id: 'p1', description: 'A problem', severity: 'high' as const }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'A task', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang',
      deadline: { kind: 'instant' as const, at: new Date(due).toISOString() } }],
    policy: withOfficeRules(undefined),
  };
  // as the API started items before: every figure set at start
  const handle = await stack.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(item, { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' }, Date.now()),
    typedSearchAttributes: [
      { key: SA_STATUS, value: 'active' }, { key: SA_SUPERVISION_LEVEL, value: 'county' }, { key: SA_OWNER_UNITS, value: [UNIT_A] },
      { key: SA_NEXT_DEADLINE, value: new Date(due) }, { key: SA_OVERDUE_COUNT, value: 0 }, { key: SA_ESCALATION_LEVEL, value: 0 },
    ],
  });
  // the deadline passes: level 1 lands on the read side
  await eventually(async () => {
    const { rows } = await stack.pool.query('SELECT 1 FROM escalations WHERE item_id = $1', [id]);
    return rows.length ? true : undefined;
  }, 30_000);
  const attrs = (await handle.describe()).typedSearchAttributes;
  for (const clockFigure of [SA_NEXT_DEADLINE, SA_OVERDUE_COUNT, SA_ESCALATION_LEVEL]) expect(attrs.get(clockFigure)).toBeUndefined();
  expect(attrs.get(SA_STATUS)).toBe('active');
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_A]);

  const events = (await handle.fetchHistory()).events!;
  const fired = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
  expect(fired).toBeGreaterThan(0);
  const upserted = (from: number, to: number) => events.slice(from, to)
    .filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!))
    .filter((name) => name.startsWith('Rect'));
  // cleared in the first task, before the deadline; nothing of ours upserted from the deadline on
  expect(upserted(0, fired).sort()).toEqual(['RectEscalationLevel', 'RectNextDeadline', 'RectOverdueCount']);
  expect(upserted(fired, events.length)).toEqual([]);
});
