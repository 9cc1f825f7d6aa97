/** The one Express error handler: maps any error through api/errors.ts and answers problem+json. */
import type express from 'express';
import { mapError } from '../errors';
import { requestContext } from './request-context';

export function errorHandler(): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const { requestId, log } = requestContext(res);
    const { problem, headers, unexpected } = mapError(err, requestId ?? 'unknown');
    if (unexpected) log.error({ err }, 'unexpected error');
    else if (problem.status >= 500) log.warn({ code: problem.code, cause: (err as Error)?.message }, problem.detail);
    else log.debug({ code: problem.code, status: problem.status }, problem.detail);
    res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
  };
}

/** Unknown paths get the same problem shape as everything else. */
export function notFoundHandler(): express.RequestHandler {
  return (req, res) => {
    const { requestId } = requestContext(res);
    const problem = {
      type: 'urn:rectification:problem:not_found',
      title: 'Not found',
      status: 404,
      detail: `no route for ${req.method} ${req.path}`,
      code: 'NOT_FOUND',
      requestId,
    };
    res.status(404).type('application/problem+json').send(JSON.stringify(problem));
  };
}
