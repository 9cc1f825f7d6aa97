/** Items: start, list and read (the read side), the four lists, and the item-level commands. */
import { randomUUID } from 'node:crypto';
import { fourListsOf } from '../../db/repositories/item-view';
import { listItems } from '../../db/repositories/items-read';
import { JsonText } from '../http/json-text';
import { defineRoute, type RouteSpec } from '../http/route';
import { newItemView } from '../new-item-view';
import { NoteBodySchema, ReasonBodySchema, ReopenProblemBodySchema } from '../schemas/commands';
import { ItemInputSchema, ProblemInputSchema, TaskInputSchema, toItemInput } from '../schemas/item-input';
import { CommandResultSchema, FourListsSchema, ItemViewSchema } from '../schemas/item-state';
import { ItemParamsSchema, ProblemParamsSchema } from '../schemas/params';
import { ItemReadQuerySchema, ListItemsQuerySchema } from '../schemas/queries';
import { ItemPageSchema } from '../schemas/read-models';
import { assertKnownUnits, unitsOfTask } from '../unit-check';
import { startNewItem } from '../start-item';
import { commandRoles, runCommand, viewerOf } from './run-command';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
const commandResult = { status: 200, description: 'what the command did, and the version it produced', schema: CommandResultSchema };

export const itemRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/items',
    operationId: 'startItem',
    summary: 'Start an item',
    description: 'Starts the item\'s workflow and answers with the item as it starts. The same id twice is refused with 409.',
    tag: 'Items',
    roles: ['leader', 'admin'],
    body: ItemInputSchema,
    bodyLimit: 'item',
    response: { status: 201, description: 'the new item', schema: ItemViewSchema },
    errors: [409, 413, 422],
    handler: async ({ body, deps, res, log, actor }) => {
      const item = toItemInput(body, body.id ?? randomUUID());
      const started = await startNewItem(deps, actor, item);
      log.info({ itemId: item.id }, 'item started');
      res.location(`/items/${encodeURIComponent(item.id)}`);
      return newItemView(started.state, started.records, Date.parse(started.state.createdAt), started.unitNames);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/items',
    operationId: 'listItems',
    summary: 'List items',
    description: 'From the read side, a moment behind the workflows. Owners see only items their unit is or was concerned by.',
    tag: 'Items',
    roles: ALL_ROLES,
    query: ListItemsQuerySchema,
    response: { status: 200, description: 'one page of items', schema: ItemPageSchema },
    errors: [422],
    handler: async ({ query, actor, deps }) => {
      const { plan, ...rest } = query;
      return listItems(deps.pool, { ...rest, planId: plan }, viewerOf(actor));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/items/:id',
    operationId: 'getItem',
    summary: 'Read an item',
    description:
      'From the read side, with the version it holds. `minVersion` waits (briefly) for a version a command answered; ' +
      '`consistency=live` waits for the version the workflow has now.',
    tag: 'Items',
    roles: ALL_ROLES,
    params: ItemParamsSchema,
    query: ItemReadQuerySchema,
    response: { status: 200, description: 'the item', schema: ItemViewSchema },
    errors: [404, 422],
    handler: async ({ params, query, actor, deps }) =>
      new JsonText(await deps.reads.viewJson(params.id, viewerOf(actor), { minVersion: query.minVersion, live: query.consistency === 'live' })),
  }),
  defineRoute({
    method: 'get',
    path: '/items/:id/four-lists',
    operationId: 'getFourLists',
    summary: 'Read an item\'s four lists',
    tag: 'Items',
    roles: ALL_ROLES,
    params: ItemParamsSchema,
    response: { status: 200, description: 'problems, tasks, responsibilities and time limits', schema: FourListsSchema },
    errors: [404],
    handler: async ({ params, actor, deps }) => fourListsOf(await deps.reads.view(params.id, viewerOf(actor))),
  }),
  defineRoute({
    method: 'post',
    path: '/items/:id/problems',
    operationId: 'addProblem',
    summary: 'Add a problem to an item',
    tag: 'Items',
    roles: commandRoles('addProblem'),
    params: ItemParamsSchema,
    body: ProblemInputSchema,
    idempotent: true,
    response: commandResult,
    errors: [404, 409, 422],
    handler: (ctx) => runCommand(ctx, ctx.params.id, { type: 'addProblem', problem: ctx.body }),
  }),
  defineRoute({
    method: 'post',
    path: '/items/:id/tasks',
    operationId: 'addTask',
    summary: 'Add a task to an item',
    tag: 'Items',
    roles: commandRoles('addTask'),
    params: ItemParamsSchema,
    body: TaskInputSchema,
    idempotent: true,
    response: commandResult,
    errors: [404, 409, 422],
    handler: async (ctx) => {
      await assertKnownUnits(ctx.deps.pool, unitsOfTask(ctx.body, 'body'));
      return runCommand(ctx, ctx.params.id, { type: 'addTask', task: ctx.body });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/items/:id/follow-up/confirm',
    operationId: 'confirmFollowUp',
    summary: 'Confirm the follow-up check (回头看): nothing came back, and the item completes',
    tag: 'Items',
    roles: commandRoles('confirmFollowUp'),
    params: ItemParamsSchema,
    body: NoteBodySchema,
    idempotent: true,
    response: commandResult,
    errors: [404, 409, 422],
    handler: (ctx) => runCommand(ctx, ctx.params.id, { type: 'confirmFollowUp', ...ctx.body }),
  }),
  defineRoute({
    method: 'post',
    path: '/items/:id/problems/:problemId/reopen',
    operationId: 'reopenProblem',
    summary: 'Reopen a closed problem that came back, with new tasks',
    tag: 'Items',
    roles: commandRoles('reopenProblem'),
    params: ProblemParamsSchema,
    body: ReopenProblemBodySchema,
    idempotent: true,
    response: commandResult,
    errors: [404, 409, 422],
    handler: async (ctx) => {
      await assertKnownUnits(ctx.deps.pool, ctx.body.tasks.flatMap((task, i) => unitsOfTask(task, `body.tasks.${i}`)));
      return runCommand(ctx, ctx.params.id, { type: 'reopenProblem', problemId: ctx.params.problemId, ...ctx.body });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/items/:id/cancel',
    operationId: 'cancelItem',
    summary: 'Cancel an item',
    tag: 'Items',
    roles: commandRoles('cancelItem'),
    params: ItemParamsSchema,
    body: ReasonBodySchema,
    idempotent: true,
    response: commandResult,
    errors: [404, 409, 422],
    handler: (ctx) => runCommand(ctx, ctx.params.id, { type: 'cancelItem', reason: ctx.body.reason }),
  }),
];
