/**
 * The route registry's vocabulary. Every route is declared once, as data: its
 * method, path, who may call it and the zod schemas of its inputs and output.
 * The same declaration mounts the Express handler (api/http/mount.ts) and emits
 * the OpenAPI document (api/openapi.ts), so the two cannot drift.
 */
import type express from 'express';
import type pino from 'pino';
import type { Pool } from 'pg';
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Actor } from '../../domain/types';
import type { TokenRole } from '../auth';
import type { ApiMetrics } from '../../metrics/api-metrics';
import type { ApiConfig } from '../config';
import type { CalendarSource } from '../calendar-source';
import type { ItemGateway } from '../item-gateway';
import type { ItemReads } from '../item-reads';
import type { ItemSavedFeed } from '../../db/item-saved-feed';
import type { EvidenceStore } from '../evidence/store';

export interface AppDeps {
  config: ApiConfig;
  temporal: Client;
  pool: Pool;
  logger: pino.Logger;
  /** where requests are timed and /metrics reads from; built by createApp when absent */
  metrics?: ApiMetrics;
  /** wakes readers waiting for a save to reach the read side; built by createApp when absent */
  savedFeed?: ItemSavedFeed;
}

/** What handlers get: the app's dependencies plus the services built from them once. */
export interface RouteDeps extends AppDeps {
  items: ItemGateway;
  calendars: CalendarSource;
  reads: ItemReads;
  /** where evidence files' bytes are kept */
  evidence: EvidenceStore;
}

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** the authenticated caller; reading it on a public route is a programming error */
  actor: Actor;
  /** the Idempotency-Key header, or a fresh uuid (documented only on routes with `idempotent`) */
  idempotencyKey: string;
  requestId: string;
  deps: RouteDeps;
  log: pino.Logger;
  req: express.Request;
  res: express.Response;
}

export type Method = 'get' | 'post';

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax: /items/:id */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** roles allowed past the door (403 otherwise); 'public' needs no token */
  roles: readonly TokenRole[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** accepts an Idempotency-Key header that becomes the update's request id */
  idempotent?: boolean;
  /** the JSON body limit: 'item' for a whole item (POST /items), else the limit of a command */
  bodyLimit?: 'item' | 'command';
  /** also takes `text/csv`, turned by this into what the body schema then checks */
  fromCsv?: (text: string) => unknown;
  /**
   * The body is a file, not JSON: read as bytes up to `limit` (413 past it) and
   * handed to the handler as `req.body` (a Buffer); the handler checks its type.
   */
  fileBody?: { contentTypes: readonly string[]; limit: number | ((config: ApiConfig) => number) };
  /** mounted only when this says so for the running configuration (documented always) */
  enabled?: (config: ApiConfig) => boolean;
  /** request headers the route reads, for the OpenAPI document */
  headers?: Array<{ name: string; required: boolean; description: string }>;
  response: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** other successful answers, e.g. 200 beside a 202 */
  alsoAnswers?: Array<{ status: number; description: string; schema?: z.ZodType }>;
  /** statuses this route answers besides the common ones (400, 401, 403, 500, 503) */
  errors?: number[];
  /** returns the JSON body; returns undefined when it wrote the response itself */
  handler: (ctx: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas, then erases the types for the registry list. */
export function defineRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}
