/** Every route the app serves, in one list: mounted by api/app.ts and documented by api/openapi.ts. */
import type { ApiConfig } from '../config';
import type { RouteSpec } from '../http/route';
import { buildOpenApiDocument } from '../openapi';
import { calendarRoutes } from './calendar';
import { itemRoutes } from './items';
import { ledgerRoutes } from './ledger';
import { opsRoutes } from './ops';
import { planAndUnitRoutes } from './plans-units';
import { recordRoutes } from './records';
import { deliveryRoutes } from './deliveries';
import { devRoutes } from './dev';
import { evidenceRoutes } from './evidence';
import { taskActionRoutes } from './task-actions';
import { unitDirectoryRoutes } from './units';

/** One document per set of mounted routes (a route switched off by the configuration is not in it), built once. */
const documents = new Map<string, unknown>();
function documentFor(config: ApiConfig): unknown {
  const mounted = allRoutes.filter((route) => !route.enabled || route.enabled(config));
  const key = mounted.map((route) => route.operationId).join(',');
  if (!documents.has(key)) documents.set(key, buildOpenApiDocument(mounted));
  return documents.get(key);
}

export const allRoutes: RouteSpec[] = [
  ...opsRoutes(documentFor),
  ...itemRoutes,
  ...taskActionRoutes,
  ...evidenceRoutes,
  ...recordRoutes,
  // /units/ranking and /units/:unit/tasks before /units/:code
  ...planAndUnitRoutes,
  ...ledgerRoutes,
  ...deliveryRoutes,
  ...unitDirectoryRoutes,
  ...calendarRoutes,
  ...devRoutes,
];
