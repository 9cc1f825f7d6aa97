/**
 * The accountability record of an item, from PostgreSQL: dispatches, reviews,
 * escalations, audit trail, notifications; and the escalation feed across items.
 * Owners see only the lines about their own unit's tasks; reviews are item-wide
 * figures for leaders and supervisors.
 */
import type { Pool } from 'pg';
import { getItemRow } from '../../db/repositories/items-read';
import {
  escalationFeed,
  listAuditEvents,
  listDispatches,
  listItemEscalations,
  listNotifications,
  listReviews,
} from '../../db/repositories/records';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/types';
import { defineRoute, type RouteSpec } from '../http/route';
import { visibleTaskIds } from '../owner-view';
import { ItemParamsSchema } from '../schemas/params';
import { EscalationFeedQuerySchema } from '../schemas/queries';
import {
  AuditListSchema,
  DispatchListSchema,
  EscalationFeedSchema,
  EscalationListSchema,
  NotificationListSchema,
  ReviewListSchema,
} from '../schemas/read-models';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;

/** Which task ids the caller may read about; undefined = all. 404 when the item is unknown or not theirs. */
async function readableTasks(pool: Pool, actor: Actor, itemId: string): Promise<Set<string> | undefined> {
  const row = await getItemRow(pool, itemId);
  if (!row) throw new DomainError('NOT_FOUND', `no item '${itemId}'`, { itemId });
  return actor.role === 'owner' ? visibleTaskIds(actor, row.state) : undefined;
}

const mine = (tasks: Set<string> | undefined, taskId: string | undefined) =>
  tasks === undefined || (taskId !== undefined && tasks.has(taskId));

interface RecordRead {
  segment: string;
  operationId: string;
  summary: string;
  roles: RouteSpec['roles'];
  response: RouteSpec['response'];
  /** reads the records; `tasks` limits them to the caller's tasks when defined */
  read: (pool: Pool, itemId: string, tasks: Set<string> | undefined) => Promise<unknown>;
}

function recordRoute(r: RecordRead): RouteSpec {
  return defineRoute({
    method: 'get',
    path: `/items/:id/${r.segment}`,
    operationId: r.operationId,
    summary: r.summary,
    tag: 'Records',
    roles: r.roles,
    params: ItemParamsSchema,
    response: r.response,
    errors: [404],
    handler: async ({ params, actor, deps }) =>
      r.read(deps.pool, params.id, await readableTasks(deps.pool, actor, params.id)),
  });
}

export const recordRoutes: RouteSpec[] = [
  recordRoute({
    segment: 'dispatches', operationId: 'listDispatches', summary: 'Weekly dispatch records of an item', roles: ALL_ROLES,
    response: { status: 200, description: 'oldest first', schema: DispatchListSchema },
    read: async (pool, id, tasks) => ({
      dispatches: (await listDispatches(pool, id)).map((d) => {
        if (tasks === undefined) return d;
        // an owner's view: their lines, and totals counted over those lines only
        const lines = d.lines.filter((l) => mine(tasks, l.taskId));
        const overdueTasks = lines.filter((l) => l.msToDeadline <= 0).length;
        return { ...d, lines, openTasks: lines.length, staleTasks: lines.filter((l) => l.stale).length, overdueTasks };
      }),
    }),
  }),
  recordRoute({
    segment: 'reviews', operationId: 'listReviews', summary: 'Monthly review records of an item',
    roles: ['leader', 'supervisor', 'admin'],
    response: { status: 200, description: 'oldest first', schema: ReviewListSchema },
    read: async (pool, id) => ({ reviews: await listReviews(pool, id) }),
  }),
  recordRoute({
    segment: 'escalations', operationId: 'listItemEscalations', summary: 'Escalations of an item', roles: ALL_ROLES,
    response: { status: 200, description: 'in firing order', schema: EscalationListSchema },
    read: async (pool, id, tasks) => ({ escalations: (await listItemEscalations(pool, id)).filter((e) => mine(tasks, e.taskId)) }),
  }),
  recordRoute({
    segment: 'audit', operationId: 'listAuditEvents', summary: 'Audit trail of an item: who did what, when', roles: ALL_ROLES,
    response: { status: 200, description: 'in sequence', schema: AuditListSchema },
    read: async (pool, id, tasks) => ({ events: (await listAuditEvents(pool, id)).filter((e) => mine(tasks, e.taskId)) }),
  }),
  recordRoute({
    segment: 'notifications', operationId: 'listNotifications', summary: 'Notifications written for an item (the outbox)',
    roles: ALL_ROLES,
    response: { status: 200, description: 'in firing order', schema: NotificationListSchema },
    read: async (pool, id, tasks) => ({ notifications: (await listNotifications(pool, id)).filter((n) => mine(tasks, n.taskId)) }),
  }),
  defineRoute({
    method: 'get',
    path: '/escalations',
    operationId: 'escalationFeed',
    summary: 'Escalations across all items',
    description: 'Newest first, for supervisors and leaders.',
    tag: 'Records',
    roles: ['leader', 'supervisor', 'admin'],
    query: EscalationFeedQuerySchema,
    response: { status: 200, description: 'one page of escalations', schema: EscalationFeedSchema },
    errors: [422],
    handler: async ({ query, deps }) => escalationFeed(deps.pool, query),
  }),
];
