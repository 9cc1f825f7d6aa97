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

/**
 * The status a request is counted under when its client went away before the
 * response was complete (nginx's "client closed request"): the time it was
 * given is counted too, whatever the handler's status would have been.
 */
export const CLIENT_CLOSED_REQUEST = 499;

export function requestMetrics(metrics: ApiMetrics): express.RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // 'close' comes once for every request, after 'finish' when the response was sent whole,
    // alone when the client left first ('finish' never comes then)
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
      metrics.observeRequest(req.method, (res.locals as RouteLocals).route, status, seconds);
    });
    next();
  };
}
