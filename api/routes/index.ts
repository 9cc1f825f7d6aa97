/** Every route the app serves, in one list: mounted by api/app.ts and documented by api/openapi.ts. */
import type { RouteSpec } from '../http/route';
import { buildOpenApiDocument } from '../openapi';
import { calendarRoutes } from './calendar';
import { itemRoutes } from './items';
import { ledgerRoutes } from './ledger';
import { opsRoutes } from './ops';
import { planAndUnitRoutes } from './plans-units';
import { recordRoutes } from './records';
import { deliveryRoutes } from './deliveries';
import { evidenceRoutes } from './evidence';
import { taskActionRoutes } from './task-actions';
import { unitDirectoryRoutes } from './units';

let document: unknown;

export const allRoutes: RouteSpec[] = [
  ...opsRoutes(() => (document ??= buildOpenApiDocument(allRoutes))),
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
];
