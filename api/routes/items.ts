/** Items: start, list (PostgreSQL), read live (workflow query), four lists, and the item-level commands. */
import { randomUUID } from 'node:crypto';
import { listItems } from '../../db/repositories/items-read';
import { fourLists } from '../../domain/item-views';
import { defineRoute, type RouteSpec } from '../http/route';
import { itemViewFor } from '../owner-view';
import { ReasonBodySchema } from '../schemas/commands';
import { ItemInputSchema, ProblemInputSchema, TaskInputSchema, toItemInput } from '../schemas/item-input';
import { FourListsSchema, ItemStateSchema } from '../schemas/item-state';
import { ItemParamsSchema } from '../schemas/params';
import { ListItemsQuerySchema } from '../schemas/queries';
import { ItemPageSchema } from '../schemas/read-models';
import { commandRoles, runCommand } from './run-command';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
const itemState = { status: 200, description: 'the item after the change', schema: ItemStateSchema };

export const itemRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/items',
    operationId: 'startItem',
    summary: 'Start an item',
    description: 'Starts the item\'s workflow and answers with its live state. The same id twice is refused with 409.',
    tag: 'Items',
    roles: ['leader', 'admin'],
    body: ItemInputSchema,
    response: { status: 201, description: 'the new item', schema: ItemStateSchema },
    errors: [409, 422],
    handler: async ({ body, actor, deps, res, log }) => {
      const item = toItemInput(body, body.id ?? randomUUID());
      const state = await deps.items.start(item, actor);
      log.info({ itemId: item.id }, 'item started');
      res.location(`/items/${encodeURIComponent(item.id)}`);
      return state;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/items',
    operationId: 'listItems',
    summary: 'List items',
    description: 'From the PostgreSQL projection, a moment behind the workflows. Owners see only items where their unit has a task.',
    tag: 'Items',
    roles: ALL_ROLES,
    query: ListItemsQuerySchema,
    response: { status: 200, description: 'one page of items', schema: ItemPageSchema },
    errors: [422],
    handler: async ({ query, actor, deps }) => {
      const { plan, ...rest } = query;
      const ownerUnit = actor.role === 'owner' ? actor.unit : rest.ownerUnit;
      const page = await listItems(deps.pool, { ...rest, planId: plan, ownerUnit });
      if (actor.role !== 'owner') return page;
      // an owner is not told which other units share the item
      return { ...page, items: page.items.map((i) => ({ ...i, ownerUnits: i.ownerUnits.filter((u) => u === actor.unit) })) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/items/:id',
    operationId: 'getItem',
    summary: 'Read an item\'s live state',
    tag: 'Items',
    roles: ALL_ROLES,
    params: ItemParamsSchema,
    response: { status: 200, description: 'live state from the workflow', schema: ItemStateSchema },
    errors: [404],
    handler: async ({ params, actor, deps }) => itemViewFor(actor, await deps.items.state(params.id)),
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
    handler: async ({ params, actor, deps }) => fourLists(itemViewFor(actor, await deps.items.state(params.id))),
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
    response: itemState,
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
    response: itemState,
    errors: [404, 409, 422],
    handler: (ctx) => runCommand(ctx, ctx.params.id, { type: 'addTask', task: ctx.body }),
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
    response: itemState,
    errors: [404, 409, 422],
    handler: (ctx) => runCommand(ctx, ctx.params.id, { type: 'cancelItem', reason: ctx.body.reason }),
  }),
];
