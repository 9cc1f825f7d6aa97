/**
 * `GET /metrics` on the API's own port, for deployments that cannot give the
 * scraper a port of its own: only with `Authorization: Bearer <METRICS_TOKEN>`.
 * Without METRICS_TOKEN the route does not exist here (404 like any unknown
 * path); the metrics port (API_METRICS_PORT) serves the same registry without
 * a token on a network only the scraper reaches.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { ApiProblem } from './api-problem';
import { markRoute } from './request-metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsEndpoint(metrics: ApiMetrics, token: string): express.RequestHandler {
  const expected = digest(token);
  return async (req, res) => {
    markRoute(res, '/metrics');
    const given = /^Bearer +(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    // digests of equal length: the comparison takes the same time whatever the guess
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new ApiProblem(401, 'UNAUTHENTICATED', 'the metrics token is missing or wrong', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
