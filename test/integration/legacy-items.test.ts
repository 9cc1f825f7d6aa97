/**
 * Items started before bounded saves keep running. An item whose workflow was
 * started with the old input (no format) moves to the current format at its
 * first wake on this code: it continues as new, carrying its state, and goes
 * on taking commands and saving them.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import { itemStateQuery, itemWorkflowId, WORKFLOW_TYPE, type ItemWorkflowInput } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';
import { ACTORS, bearer, eventually, inDays, itemBody, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

test('a legacy item continues as new in the current format and goes on taking commands', async () => {
  const id = `legacy-${Date.now()}`;
  const body = itemBody(id);
  const leader = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };
  // the input the API sent before bounded saves
  const legacy: ItemWorkflowInput = { kind: 'new', item: { ...body, supervisionLevel: 'county' } as never, createdBy: leader, calendar: calendarForNewItem(Date.now()) };
  const handle = await stack.client.workflow.start(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: itemWorkflowId(id), args: [legacy] });

  const firstRun = handle.firstExecutionRunId;
  const current = await eventually(async () => {
    const d = await stack.client.workflow.getHandle(itemWorkflowId(id)).describe();
    return d.runId !== firstRun && d.status.name === 'RUNNING' ? d.runId : undefined;
  });
  const history = await stack.client.workflow.getHandle(itemWorkflowId(id), current).fetchHistory();
  const input = defaultPayloadConverter.fromPayload<ItemWorkflowInput>(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!);
  expect(input).toMatchObject({ kind: 'continued', format: 2 });
  const state = await stack.client.workflow.getHandle(itemWorkflowId(id)).query(itemStateQuery);
  expect(state.tasks.map((t) => t.id)).toEqual(['t1', 't2']);

  const res = await request(stack.app).post(`/items/${id}/tasks/t1/progress`).set(bearer(tokens.ownerA)).send({ text: 'on it', percent: 30 });
  expect(res.status).toBe(200);
  const read = await request(stack.app).get(`/items/${id}?minVersion=${res.body.version}`).set(bearer(tokens.leader));
  expect(read.status).toBe(200);
  expect(read.body.tasks[0]).toMatchObject({ id: 't1', percent: 30, description: body.tasks[0]!.description, lastReport: { text: 'on it' } });
  expect(read.body.problems.map((p: { description: string }) => p.description)).toEqual(body.problems.map((p) => p.description));
  expect(Date.parse(read.body.tasks[1].deadline.dueAt)).toBeGreaterThan(Date.parse(inDays(39)));
});
