/**
 * Operators find items in the Temporal UI and CLI by typed search attributes.
 * Against the real dev server (the time-skipping server cannot list): an item
 * started through the API is listed by status, plan and owner unit, and its
 * attributes follow its state when a task is cancelled. The clock's figures
 * (next deadline, overdue count, escalation level) are not attributes: a
 * deadline passing upserts nothing, and an item started with them (as the API
 * did before) has them cleared. The attributes an item keeps are upserted only
 * when they differ from what the run carries (an owner-unit list cut at its
 * byte budget, the run after continue-as-new), and follow the item when a
 * command ends it.
 */
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { ItemInputSchema, toItemInput } from '../../api/schemas/item-input';
import { initialSearchAttributes } from '../../api/search-attributes';
import { createItemState } from '../../domain/create-item';
import { withOfficeRules } from '../../domain/policy';
import { SA_ESCALATION_LEVEL, SA_NEXT_DEADLINE, SA_OVERDUE_COUNT, SA_OWNER_UNITS, SA_PLAN_ID, SA_STATUS, SA_SUPERVISION_LEVEL, WORKFLOW_TYPE, itemWorkflowId } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { startTestStack, type TestStack } from '../support/stack';
import { ACTORS, bearer, eventually, inDays, itemBody, startItem, tokensFor, UNIT_A, UNIT_B, type ActorName } from './api-support';

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

const leader = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };

function rectUpserts(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!))
    .filter((name) => name.startsWith('Rect'));
}

async function start(id: string, body: ReturnType<typeof itemBody>, options?: { maxHistoryEvents: number }) {
  const item = toItemInput(ItemInputSchema.parse(body), id);
  const args = newItemArgs(item, leader, Date.now(), options);
  const a = args[0] as Extract<(typeof args)[0], { kind: 'new' }>;
  const created = createItemState(item, leader, Date.parse(a.acceptedAt), a.calendar);
  return stack.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue, workflowId: itemWorkflowId(id), args,
    // as the API does (api/item-gateway.ts)
    typedSearchAttributes: initialSearchAttributes(created.state),
  });
}

async function progress(id: string, i: number) {
  const res = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).send({ text: `report ${i}`, percent: Math.min(95, 10 + i) });
  expect(res.status).toBe(200);
}

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
  expect(rectUpserts((await handle.fetchHistory()).events!)).toEqual([]);

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
    taskQueue: stack.taskQueue, workflowId: itemWorkflowId(id), args: newItemArgs(item, leader, Date.now()),
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
  const upserted = (from: number, to: number) => rectUpserts(events.slice(from, to));
  // cleared in the first task, before the deadline; nothing of ours upserted from the deadline on
  expect(upserted(0, fired).sort()).toEqual(['RectEscalationLevel', 'RectNextDeadline', 'RectOverdueCount']);
  expect(upserted(fired, events.length)).toEqual([]);
});

test('an owner-unit list cut at its budget is not upserted again on every command', async () => {
  const id = `brk-cut-${Date.now()}`;
  const many = Array.from({ length: 40 }, (_, i) => ({
    id: `t${i + 2}`, problemIds: ['p2'], description: 'Lights', ownerUnit: `unit-with-a-rather-long-name-${String(i).padStart(3, '0')}-xxxxxxxxxx`,
    ownerPerson: 'Chen Jie', deadline: { kind: 'instant', at: inDays(40) },
  }));
  const body = itemBody(id);
  body.tasks = [body.tasks[0], ...many] as never;
  const handle = await start(id, body);
  const cut = (await handle.describe()).typedSearchAttributes.get(SA_OWNER_UNITS)!;
  expect(cut[cut.length - 1]).toMatch(/^…\+\d+$/);
  for (let i = 0; i < 3; i++) await progress(id, i);
  const events = (await handle.fetchHistory()).events!;
  expect(rectUpserts(events)).toEqual([]);
});

test('after continue-as-new the new run keeps its attributes and upserts nothing it already carries', async () => {
  const id = `brk-can-${Date.now()}`;
  const handle = await start(id, itemBody(id), { maxHistoryEvents: 40 });
  const firstRun = handle.firstExecutionRunId;
  for (let i = 0; i < 40; i++) {
    if ((await handle.describe()).runId !== firstRun) break;
    await progress(id, i);
  }
  const newRun = await eventually(async () => {
    const d = await stack.client.workflow.getHandle(itemWorkflowId(id)).describe();
    return d.runId !== firstRun ? d.runId : undefined;
  }, 20_000);
  const h2 = stack.client.workflow.getHandle(itemWorkflowId(id), newRun);
  // a few commands in the new run
  for (let i = 0; i < 3; i++) await progress(id, 100 + i);
  const attrs = (await h2.describe()).typedSearchAttributes;
  expect(attrs.get(SA_STATUS)).toBe('active');
  expect(attrs.get(SA_OWNER_UNITS)).toEqual([UNIT_A, 'unit-b']);
  expect(rectUpserts((await h2.fetchHistory()).events!)).toEqual([]);
});

test('an item cancelled by a command ends with RectStatus = "cancelled", not "active"', async () => {
  const id = `brk-cancel-${Date.now()}`;
  await startItem(stack, tokens.leader, id);
  const handle = stack.client.workflow.getHandle(itemWorkflowId(id));
  const res = await request(stack.app).post(`/items/${id}/cancel`).set(bearer(tokens.leader)).send({ reason: 'Duplicate of another item' });
  expect(res.status).toBe(200);
  await handle.result();
  expect((await handle.describe()).status.name).toBe('COMPLETED');
  // Temporal's own visibility lists it as it ended
  expect((await handle.describe()).typedSearchAttributes.get(SA_STATUS)).toBe('cancelled');
});
