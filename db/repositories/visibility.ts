/**
 * Who may see what, decided once and in SQL. Leaders, supervisors and admins
 * see every item and record. An owner sees the items their unit is or was
 * concerned by (item_units), the tasks their unit acts for now (as owner or
 * 双包保 co-owner), and the records about their unit (each record names the
 * units it is about), so a reassignment moves the task, not the history.
 * An item an owner may not see is answered exactly like one that does not exist.
 */
import type { Actor } from '../../domain/types';

export interface Viewer {
  role: Actor['role'];
  /** an owner's unit */
  unit?: string;
}

export type Bind = (value: unknown) => string;

/** undefined: the viewer sees everything. */
export function ownerUnit(viewer: Viewer): string | undefined {
  // owner tokens always carry a unit; an empty one matches nothing
  return viewer.role === 'owner' ? (viewer.unit ?? '') : undefined;
}

/** A predicate on `items` (aliased `alias`) limiting it to what the viewer may see, or 'true'. */
export function visibleItemsSql(viewer: Viewer, bind: Bind, alias = 'items'): string {
  const unit = ownerUnit(viewer);
  if (unit === undefined) return 'true';
  return `EXISTS (SELECT 1 FROM item_units iu WHERE iu.item_id = ${alias}.id AND iu.unit = ${bind(unit)})`;
}

/** A predicate on `tasks` (aliased `alias`): the tasks the viewer's unit acts for now. */
export function visibleTasksSql(viewer: Viewer, bind: Bind, alias = 't'): string {
  const unit = ownerUnit(viewer);
  if (unit === undefined) return 'true';
  const u = bind(unit);
  return `(${alias}.owner_unit = ${u} OR ${alias}.co_owners @> ARRAY[${u}]::text[])`;
}

/** A predicate on a record table with a `units` array: the records about the viewer's unit. */
export function visibleRecordsSql(viewer: Viewer, bind: Bind, unitsColumn = 'units'): string {
  const unit = ownerUnit(viewer);
  if (unit === undefined) return 'true';
  return `${unitsColumn} @> ARRAY[${bind(unit)}]::text[]`;
}

/** A fresh parameter list and its binder. */
export function parameters(): { params: unknown[]; bind: Bind } {
  const params: unknown[] = [];
  return { params, bind: (value: unknown) => `$${params.push(value)}` };
}
