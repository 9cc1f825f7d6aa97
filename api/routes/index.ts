/** Every route the app serves, in one list: mounted by api/app.ts and documented by api/openapi.ts. */
import type { RouteSpec } from '../http/route';
import { buildOpenApiDocument } from '../openapi';
import { itemRoutes } from './items';
import { opsRoutes } from './ops';
import { planAndUnitRoutes } from './plans-units';
import { recordRoutes } from './records';
import { taskActionRoutes } from './task-actions';

let document: unknown;

export const allRoutes: RouteSpec[] = [
  ...opsRoutes(() => (document ??= buildOpenApiDocument(allRoutes))),
  ...itemRoutes,
  ...taskActionRoutes,
  ...recordRoutes,
  ...planAndUnitRoutes,
];
