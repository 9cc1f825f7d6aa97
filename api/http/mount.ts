/**
 * Turns route declarations into Express handlers: refuse what no route can read
 * (an undecodable path, an encoded body), authenticate, check the role, validate
 * params / query / body with the declared zod schemas, run the handler, send its
 * result. Errors go to the one error handler (api/http/error-handler.ts).
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { LIMITS } from '../../domain/limits';
import type { Actor } from '../../domain/types';
import type { Authenticator } from '../auth';
import { zodFieldErrors } from '../errors';
import { IdempotencyKeySchema } from '../schemas/commands';
import { ApiProblem } from './api-problem';
import { JsonText } from './json-text';
import type { HandlerContext, RouteDeps, RouteSpec } from './route';
import { requestContext } from './request-context';
import { markRoute } from './request-metrics';

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, location: string): z.output<S> | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = zodFieldErrors(result.error, location);
  const detail = `invalid ${location}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
  throw new ApiProblem(400, 'BAD_REQUEST', detail, { errors });
}

function publicActor(): Actor {
  throw new Error('a public route has no actor');
}

async function authorizeCaller(route: RouteSpec, req: express.Request, authenticate: Authenticator): Promise<Actor | undefined> {
  if (route.roles === 'public') return undefined;
  const actor = await authenticate(req.headers.authorization);
  if (!(route.roles as readonly string[]).includes(actor.role)) {
    throw new DomainError('FORBIDDEN', `a ${actor.role} may not ${route.summary.toLowerCase()}`);
  }
  return actor;
}

/**
 * Bodies are plain JSON: an encoded body (gzip, deflate, br…) is refused with 415 before any
 * work, rather than inflated (a decompression bomb) or half-read.
 */
function refuseEncodedBody(req: express.Request): void {
  const encoding = req.get('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Encoding '${encoding.slice(0, 40)}' is not accepted: send the body unencoded`, {
      headers: { 'Accept-Encoding': 'identity' },
    });
  }
}

/** Express decodes path parameters lazily and throws URIError on a bad %-escape: decode them here, as a 400. */
function refuseUndecodablePath(req: express.Request): void {
  try {
    decodeURIComponent(req.path);
  } catch {
    throw new ApiProblem(400, 'BAD_REQUEST', 'the path holds an invalid %-escape');
  }
}

const BODY_LIMITS = {
  // the item's JSON budget, with room for the whitespace a client may send
  item: LIMITS.itemInputBytes + 64 * 1024,
  command: 96 * 1024,
};
const jsonBodies = {
  item: express.json({ limit: BODY_LIMITS.item, inflate: false }),
  command: express.json({ limit: BODY_LIMITS.command, inflate: false }),
};
const csvBody = express.text({ type: 'text/csv', limit: BODY_LIMITS.item, inflate: false });

export function mountRoute(
  router: express.Router,
  route: RouteSpec,
  deps: RouteDeps,
  authenticate: Authenticator,
  limitWrites: express.RequestHandler,
): void {
  // the door first: an anonymous caller learns nothing about what a valid request looks like, not even its JSON
  const door: express.RequestHandler = async (req, res, next) => {
    markRoute(res, route.path);
    refuseUndecodablePath(req);
    refuseEncodedBody(req);
    res.locals.actor = await authorizeCaller(route, req, authenticate);
    next();
  };
  const handle: express.RequestHandler = async (req, res) => {
    const { requestId, log } = requestContext(res);
    const actor = res.locals.actor as Actor | undefined;
    const params = parse(route.params, req.params, 'params');
    const query = parse(route.query, req.query, 'query');
    // Express leaves req.body undefined when no JSON was sent; actions with optional fields accept that
    const raw = route.fromCsv && typeof req.body === 'string' ? route.fromCsv(req.body) : req.body;
    const body = parse(route.body, raw ?? {}, 'body');
    const key = route.idempotent ? parse(IdempotencyKeySchema, req.get('idempotency-key'), 'header.Idempotency-Key') : undefined;
    const ctx: HandlerContext<unknown, unknown, unknown> = {
      params,
      query,
      body,
      get actor() {
        return actor ?? publicActor();
      },
      idempotencyKey: key ?? randomUUID(),
      requestId,
      deps,
      log: actor ? log.child({ actor: actor.id, role: actor.role }) : log,
      req,
      res,
    };
    const result = await route.handler(ctx);
    if (result === undefined && res.headersSent) return;
    if (result instanceof JsonText) {
      res.status(route.response.status).type('application/json').send(result.text);
      return;
    }
    res.status(route.response.status).json(result);
  };
  // a file route reads any body as bytes (its handler answers 415 for the wrong kind); others read JSON
  const fileLimit = typeof route.fileBody?.limit === 'function' ? route.fileBody.limit(deps.config) : route.fileBody?.limit;
  const bodies = route.fileBody
    ? [express.raw({ type: () => true, limit: fileLimit, inflate: false })]
    : [jsonBodies[route.bodyLimit ?? 'command'], ...(route.fromCsv ? [csvBody] : [])];
  // a read has no body and uses up no caller's budget: it skips both (the limiter would only skip it anyway)
  const writing = route.method === 'get' ? [] : [limitWrites, ...bodies];
  router[route.method](route.path, door, ...writing, handle);
}
