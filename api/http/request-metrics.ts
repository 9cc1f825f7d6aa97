/**
 * Times every request into the API's metrics, labelled with the route
 * template the request matched (set by the route's first handler, see
 * mount.ts), so `/items/road-7` and `/items/road-8` are one series.
 */
import type express from 'express';
import type { ApiMetrics } from '../../metrics/api-metrics';

interface RouteLocals {
  route?: string;
}

/** Marks the response with the template of the route that took the request. */
export function markRoute(res: express.Response, template: string): void {
  (res.locals as RouteLocals).route = template;
}

export function requestMetrics(metrics: ApiMetrics): express.RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeRequest(req.method, (res.locals as RouteLocals).route, res.statusCode, seconds);
    });
    next();
  };
}
