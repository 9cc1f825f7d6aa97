/**
 * A request id for every request (the caller's X-Request-Id when it is sane,
 * else a new uuid), echoed back and bound to a child logger, so one id ties
 * the response, the log lines and the problem details together.
 */
import { randomUUID } from 'node:crypto';
import type express from 'express';
import type pino from 'pino';

const SANE_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Probes come every few seconds from orchestrators (and `npm start` while it waits): their lines are debug. */
const PROBES = new Set(['/healthz', '/readyz']);

interface RequestLocals {
  requestId: string;
  log: pino.Logger;
}

export function requestContext(res: express.Response): RequestLocals {
  return res.locals as RequestLocals;
}

export function requestIdMiddleware(logger: pino.Logger): express.RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const log = logger.child({ requestId });
    Object.assign(res.locals, { requestId, log } satisfies RequestLocals);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // method, path and status only: headers (and so tokens) never reach the log
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = PROBES.has(req.path) ? 'debug' : 'info';
      log[level]({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
