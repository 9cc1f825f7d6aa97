/**
 * Writes are limited per caller (the token's subject, not the address: many
 * clerks share an office's NAT). A caller past the limit gets 429 with
 * Retry-After in the API's problem shape and nothing is applied. The count is
 * kept in each API process's memory: behind N replicas a caller gets up to N
 * times the limit, which still stops a runaway client.
 */
import type express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Actor } from '../../domain/types';
import { ApiProblem } from './api-problem';

export function writeRateLimit(perMinute: number): express.RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // the door authenticated the caller first; public routes are never limited here
    keyGenerator: (_req, res) => `actor:${(res.locals.actor as Actor | undefined)?.id ?? 'anonymous'}`,
    // only what changes something counts: reads (GET, HEAD, OPTIONS) never use up a caller's budget
    skip: (req, res) => !['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) || res.locals.actor === undefined,
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('Retry-After') ?? '60';
      next(new ApiProblem(429, 'TOO_MANY_REQUESTS', `more than ${perMinute} changes a minute from one caller; retry later`, {
        headers: { 'Retry-After': String(retryAfter) },
      }));
    },
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false },
  });
}
