/**
 * Builds the Express app from its dependencies; never listens (api/main.ts does,
 * and tests start it in-process on port 0).
 */
import express from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import { createAuthenticator } from './auth';
import { countErrorLog, createApiMetrics } from '../metrics/api-metrics';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { metricsEndpoint } from './http/metrics-endpoint';
import { mountConsole } from './http/console';
import { mountRoute } from './http/mount';
import { writeRateLimit } from './http/rate-limit';
import { requestIdMiddleware } from './http/request-context';
import { markRoute, requestMetrics } from './http/request-metrics';
import type { AppDeps, RouteDeps } from './http/route';
import { loadHolidaySupplement } from '../config/holiday-supplement';
import { createCalendarSource } from './calendar-source';
import { createItemGatewayOn } from './item-gateway';
import { createItemReads } from './item-reads';
import { createItemSavedFeed } from '../db/item-saved-feed';
import { allRoutes } from './routes';
import { evidenceStoreFrom } from './evidence/from-config';

export type { AppDeps } from './http/route';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // behind a proxy the client address and protocol come from X-Forwarded-*; off by default
  app.set('trust proxy', false);
  app.use(requestIdMiddleware(deps.logger));
  const metrics = deps.metrics ?? createApiMetrics({
    pool: deps.pool,
    itemCountTtlMs: deps.config.METRICS_ITEM_COUNT_INTERVAL_SECONDS * 1000,
    onCountError: countErrorLog(deps.logger),
  });
  app.use(requestMetrics(metrics));
  if (deps.config.METRICS_TOKEN) app.get('/metrics', metricsEndpoint(metrics, deps.config.METRICS_TOKEN));

  const calendars = createCalendarSource(
    deps.pool, deps.config.HOLIDAY_CALENDAR_FILE ? loadHolidaySupplement(deps.config.HOLIDAY_CALENDAR_FILE) : undefined,
  );
  const items = createItemGatewayOn(deps.pool, { temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, calendars });
  const routeDeps: RouteDeps = { ...deps, metrics, items, calendars, reads: createItemReads({ pool: deps.pool, items, saved: deps.savedFeed ?? createItemSavedFeed(deps.pool, deps.logger) }),
    evidence: evidenceStoreFrom(deps.config),
  };
  const authenticate = createAuthenticator(deps.config);
  const router = express.Router();
  const limitWrites = writeRateLimit(deps.config.RATE_LIMIT_WRITES_PER_MINUTE);
  for (const route of allRoutes) {
    // a route switched off for this configuration does not exist: 404 like any unknown path
    if (route.enabled && !route.enabled(deps.config)) continue;
    mountRoute(router, route, routeDeps, authenticate, limitWrites);
  }
  app.use(router);
  app.use('/docs/assets', (_req, res, next) => {
    markRoute(res, '/docs/assets/*');
    next();
  }, express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false, maxAge: '1d' }));

  mountConsole(app, deps.config.CONSOLE_DIST_DIR);

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
