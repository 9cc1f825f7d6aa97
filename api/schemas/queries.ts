/** Query strings of the list routes. Values arrive as strings, so numbers and booleans are coerced here. */
import { z } from 'zod';
import { ITEM_SORTS, MAX_PAGE_SIZE, type ItemSort } from '../../db/repositories/items-read';
import { IdSchema, InstantSchema, ItemStatusSchema, LightSchema, NameSchema, SupervisionLevelSchema } from './common';

const LimitSchema = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50);
const CursorSchema = z.string().min(1).max(2000).regex(/^[A-Za-z0-9_-]+$/, 'not a page cursor').describe('opaque; the nextCursor of the previous page');
const BooleanFlagSchema = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListItemsQuerySchema = z.object({
  plan: IdSchema.optional().describe('plan id'),
  status: ItemStatusSchema.optional(),
  ownerUnit: NameSchema.optional().describe('items where this unit has a task; owners always see only their own unit'),
  supervisionLevel: SupervisionLevelSchema.optional(),
  light: LightSchema.optional(),
  overdue: BooleanFlagSchema.optional(),
  dueFrom: InstantSchema.optional().describe('next deadline on or after'),
  dueTo: InstantSchema.optional().describe('next deadline on or before'),
  sort: z.enum(ITEM_SORTS as [ItemSort, ...ItemSort[]]).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

export const PageQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });

export const EscalationFeedQuerySchema = z.object({
  since: InstantSchema.optional().describe('fired at or after'),
  ownerUnit: NameSchema.optional(),
  minLevel: z.coerce.number().int().min(1).max(10).optional(),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

export const RankingQuerySchema = z.object({ planId: IdSchema.optional() });

export const ItemReadQuerySchema = z.object({
  minVersion: z.coerce.number().int().min(0).max(2_000_000_000).optional().describe('wait until the read side holds this version'),
  consistency: z.enum(['projection', 'live']).default('projection').describe('live: wait for the version the workflow has now'),
});
