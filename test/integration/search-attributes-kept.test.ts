/**
 * The attributes an item keeps are upserted only when they differ from what
 * the run carries (an owner-unit list cut at its byte budget, the run after
 * continue-as-new), and follow the item when a command ends it.
 */
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { ItemInputSchema, toItemInput } from '../../api/schemas/item-input';
import { initialSearchAttributes } from '../../api/search-attributes';
import { createItemState } from '../../domain/create-item';
import { SA_OWNER_UNITS, SA_STATUS, WORKFLOW_TYPE, itemWorkflowId } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';
import { startTestStack, type TestStack } from '../support/stack';
import { ACTORS, bearer, eventually, inDays, itemBody, startItem, tokensFor, UNIT_A, type ActorName } from './api-support';

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
