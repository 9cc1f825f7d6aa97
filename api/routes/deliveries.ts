/**
 * Where every notification went: deliveries per item and per unit (attempts,
 * last error, delivery time), the dead letters, and their resending.
 */
import { z } from 'zod';
import { listDeliveries, resendDelivery, type DeliveryRow } from '../../db/repositories/deliveries';
import { DomainError } from '../../domain/errors';
import { redact } from '../../activities/delivery/redact';
import { createWaker } from '../../activities/delivery/wake';
import { defineRoute, type RouteSpec } from '../http/route';
import { IdSchema, IsoDateTimeSchema, NameSchema } from '../schemas/common';
import { ItemParamsSchema } from '../schemas/params';
import { viewerOf } from './run-command';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
const STATUSES = ['pending', 'delivered', 'dead', 'unroutable'] as const;
const nullableTime = IsoDateTimeSchema.nullable();

const DeliverySchema = z
  .object({
    id: z.string(), itemId: z.string(), taskId: z.string().nullable(), unitCode: z.string(), channelId: z.string(),
    level: z.number().int().nullable(), status: z.enum(STATUSES), attempts: z.number().int(), notBefore: IsoDateTimeSchema,
    messageId: z.string().nullable(), lastError: z.string().nullable(), createdAt: IsoDateTimeSchema,
    lastAttemptAt: nullableTime, deliveredAt: nullableTime,
    resentAt: nullableTime.describe('when an admin last resent it'), resentBy: z.string().nullable().describe('who resent it'),
  })
  .meta({ id: 'Delivery', description: 'One notification to one channel; `messageId` is the id the receiver saw (a digest\'s when merged)' });
const DeliveryListSchema = z.object({ deliveries: z.array(DeliverySchema) }).meta({ id: 'DeliveryList' });
const ListQuery = z.object({ status: z.enum(STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

/**
 * Contacts (who was @-mentioned or written to) are not part of what a reader
 * gets; the last error is redacted again on the way out (e-mail addresses,
 * tokens), so that rows stored before a rule existed show nothing either.
 */
function shown({ mentions: _m, ...row }: DeliveryRow) {
  return { ...row, lastError: row.lastError === null ? null : redact(row.lastError) };
}

export const deliveryRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get', path: '/items/:id/deliveries', operationId: 'listItemDeliveries', summary: 'Deliveries of an item\'s notifications',
    description: 'Newest first. Owners see the deliveries to their own unit.', tag: 'Deliveries', roles: ALL_ROLES,
    params: ItemParamsSchema, query: ListQuery,
    response: { status: 200, description: 'newest first', schema: DeliveryListSchema },
    errors: [404],
    handler: async ({ params, query, actor, deps }) => {
      await deps.reads.requireVisible(params.id, viewerOf(actor));
      const rows = await listDeliveries(deps.pool, { itemId: params.id, unitCode: actor.role === 'owner' ? actor.unit : undefined, ...query });
      return { deliveries: rows.map(shown) };
    },
  }),
  defineRoute({
    method: 'get', path: '/units/:code/deliveries', operationId: 'listUnitDeliveries', summary: 'Deliveries to a unit\'s channels',
    description: 'Newest first. Owners may read only their own unit\'s.', tag: 'Deliveries', roles: ALL_ROLES,
    params: z.object({ code: NameSchema }), query: ListQuery,
    response: { status: 200, description: 'newest first', schema: DeliveryListSchema },
    handler: async ({ params, query, actor, deps }) => {
      if (actor.role === 'owner' && actor.unit !== params.code) {
        throw new DomainError('FORBIDDEN', 'an owner reads the deliveries of their own unit only');
      }
      return { deliveries: (await listDeliveries(deps.pool, { unitCode: params.code, ...query })).map(shown) };
    },
  }),
  defineRoute({
    method: 'get', path: '/deliveries', operationId: 'listDeliveries', summary: 'Deliveries across items (dead letters: status=dead)',
    tag: 'Deliveries', roles: ['admin'], query: ListQuery,
    response: { status: 200, description: 'newest first', schema: DeliveryListSchema },
    handler: async ({ query, deps }) => ({ deliveries: (await listDeliveries(deps.pool, query)).map(shown) }),
  }),
  defineRoute({
    method: 'post', path: '/deliveries/:id/resend', operationId: 'resendDelivery', summary: 'Send a dead delivery again',
    description: 'It goes again from now with the unit\'s channel as it is configured now. The row queued again in the database is what counts: '
      + 'the endpoint\'s sender is woken at once when Temporal answers (`woken: true`), otherwise by the workers\' sweep within about two minutes (`woken: false`).',
    tag: 'Deliveries', roles: ['admin'],
    params: z.object({ id: IdSchema }),
    response: {
      status: 202, description: 'queued again',
      schema: z.object({
        id: z.string(), status: z.literal('pending'),
        woken: z.boolean().describe('whether its sender was woken now; if not, the sweep wakes it within about two minutes'),
      }),
    },
    errors: [404],
    handler: async ({ params, actor, deps, log }) => {
      const endpoint = await resendDelivery(deps.pool, params.id, { nowMs: Date.now(), by: actor.id });
      if (!endpoint) throw new DomainError('NOT_FOUND', `no dead delivery '${params.id}'`);
      // queued is queued: a wake that fails loses nothing, the sweep finds the row; say which it was
      let woken = true;
      try {
        await createWaker(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE)([endpoint]);
      } catch (err) {
        woken = false;
        log.warn({ err, deliveryId: params.id }, 'resend: the sender could not be woken now; the sweep will');
      }
      return { id: params.id, status: 'pending' as const, woken };
    },
  }),
];
