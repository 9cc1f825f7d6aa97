/**
 * Operations: liveness, readiness (Temporal and PostgreSQL reachable), the
 * OpenAPI document and the interactive docs page (swagger-ui served from
 * node_modules: the docs work offline).
 */
import { pingDatabase } from '../../db/pool';
import { RETRY_AFTER_SECONDS } from '../errors';
import { defineRoute, type RouteDeps, type RouteSpec } from '../http/route';
import { stuckItems, workerPolling } from '../item-health';
import { HealthSchema, StuckReportSchema } from '../schemas/read-models';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(fn: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

/** Temporal and PostgreSQL answer, and a worker polls the item task queue (else no item's clock moves). */
export async function readiness(deps: Pick<RouteDeps, 'temporal' | 'pool' | 'config'>) {
  const withDeadline = <T>(fn: () => Promise<T>) => deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, fn);
  const [temporal, database, worker] = await Promise.all([
    check(() => withDeadline(() => deps.temporal.workflowService.getSystemInfo({}))),
    check(() => pingDatabase(deps.pool)),
    check(async () => {
      const polling = await withDeadline(() => workerPolling(deps.temporal, deps.config.TEMPORAL_NAMESPACE, deps.config.TEMPORAL_TASK_QUEUE));
      if (!polling) throw new Error('no worker polls the task queue');
    }),
  ]);
  const ok = temporal === 'ok' && database === 'ok' && worker === 'ok';
  return { status: ok ? ('ok' as const) : ('unavailable' as const), checks: { temporal, database, worker } };
}

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Rectification engine API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>
`;

/** `document` is built lazily from the routes mounted with this configuration (which include these). */
export function opsRoutes(document: (config: RouteDeps['config']) => unknown): RouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/healthz', operationId: 'healthz', summary: 'Liveness', tag: 'Operations', roles: 'public',
      response: { status: 200, description: 'the process is alive', schema: HealthSchema },
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'get', path: '/readyz', operationId: 'readyz', summary: 'Readiness', tag: 'Operations', roles: 'public',
      description: 'Temporal and PostgreSQL reachable and a worker polling the item task queue; 503 with Retry-After naming what failed otherwise.',
      response: { status: 200, description: 'ready', schema: HealthSchema },
      handler: async ({ deps, res }) => {
        const result = await readiness(deps);
        if (result.status === 'ok') return result;
        res.status(503).set('Retry-After', RETRY_AFTER_SECONDS).json(result);
        return undefined;
      },
    }),
    defineRoute({
      method: 'get', path: '/ops/stuck', operationId: 'stuckItems', summary: 'Items that stopped without saying so',
      description: 'Items whose save keeps failing, whose workflow task keeps failing, or that the read side shows active while their workflow is not running.',
      tag: 'Operations', roles: ['admin'],
      response: { status: 200, description: 'the three lists; empty when all is well', schema: StuckReportSchema },
      handler: async ({ deps }) => stuckItems(deps),
    }),
    defineRoute({
      method: 'get', path: '/openapi.json', operationId: 'openapi', summary: 'OpenAPI 3.1 document', tag: 'Operations',
      roles: 'public',
      response: { status: 200, description: 'this API, generated from the schemas that validate it' },
      handler: async ({ deps }) => document(deps.config),
    }),
    defineRoute({
      method: 'get', path: '/docs', operationId: 'docs', summary: 'Interactive API docs', tag: 'Operations', roles: 'public',
      response: { status: 200, description: 'Swagger UI', contentType: 'text/html' },
      handler: async ({ res }) => {
        res.type('html').send(DOCS_HTML);
        return undefined;
      },
    }),
  ];
}
