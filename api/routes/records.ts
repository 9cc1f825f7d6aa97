/**
 * The accountability record of an item, from PostgreSQL: dispatches, reviews,
 * escalations, audit trail, notifications; and the escalation feed across items.
 * Owners see the records about their own unit (db/repositories/visibility.ts);
 * reviews are item-wide figures for leaders and supervisors.
 */
import {
  escalationFeed,
  listAuditEvents,
  listDispatches,
  listItemEscalations,
  listNotifications,
  listReviews,
} from '../../db/repositories/records';
import type { Viewer } from '../../db/repositories/visibility';
import type { Pool } from 'pg';
import { defineRoute, type RouteSpec } from '../http/route';
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
import { viewerOf } from './run-command';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;

interface RecordRead {
  segment: string;
  operationId: string;
  summary: string;
  roles: RouteSpec['roles'];
  response: RouteSpec['response'];
  read: (pool: Pool, itemId: string, viewer: Viewer) => Promise<unknown>;
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
    handler: async ({ params, actor, deps }) => {
      const viewer = viewerOf(actor);
      await deps.reads.requireVisible(params.id, viewer);
      return r.read(deps.pool, params.id, viewer);
    },
  });
}

export const recordRoutes: RouteSpec[] = [
  recordRoute({
    segment: 'dispatches', operationId: 'listDispatches', summary: 'Weekly dispatch records of an item', roles: ALL_ROLES,
    response: { status: 200, description: 'oldest first; an owner sees the lines of their unit and totals over those', schema: DispatchListSchema },
    read: async (pool, id, viewer) => ({ dispatches: await listDispatches(pool, id, viewer) }),
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
    read: async (pool, id, viewer) => ({ escalations: await listItemEscalations(pool, id, viewer) }),
  }),
  recordRoute({
    segment: 'audit', operationId: 'listAuditEvents', summary: 'Audit trail of an item: who did what, when', roles: ALL_ROLES,
    response: { status: 200, description: 'in sequence', schema: AuditListSchema },
    read: async (pool, id, viewer) => ({ events: await listAuditEvents(pool, id, viewer) }),
  }),
  recordRoute({
    segment: 'notifications', operationId: 'listNotifications', summary: 'Notifications written for an item (the outbox)',
    roles: ALL_ROLES,
    response: { status: 200, description: 'in firing order', schema: NotificationListSchema },
    read: async (pool, id, viewer) => ({ notifications: await listNotifications(pool, id, viewer) }),
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
