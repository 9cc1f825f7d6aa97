/**
 * The units directory: admins create, update (a rename keeps the code),
 * deactivate and bulk-import units; everyone reads it, contacts and channels
 * for admins only (channel secrets for no one).
 */
import {
  createUnit, directoryEntries, getUnit, importUnits, listUnits, updateUnit, type ChannelInput, type UnitView,
} from '../../db/repositories/directory';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/types';
import type { UnitEntry } from '../../domain/units';
import { defineRoute, type RouteSpec } from '../http/route';
import { UnitCodeParamsSchema, UnitImportSchema, UnitInputSchema, UnitListSchema, UnitUpdateSchema, UnitViewSchema } from '../schemas/units';
import { unitsFromCsv } from '../units-csv';
import { importProblems } from '../units-import-check';
import { z } from 'zod';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
const UnitImportResultSchema = z.object({ created: z.number().int(), updated: z.number().int() }).meta({ id: 'UnitImportResult' });
type UnitBody = z.output<typeof UnitUpdateSchema>;

function entryOf(body: UnitBody): { unit: UnitEntry; channels?: ChannelInput[] } {
  const { channels, ...unit } = body;
  return { unit: unit as UnitEntry, ...(channels ? { channels: channels as ChannelInput[] } : {}) };
}

/** Contacts are personal data and channels are configuration: admins see them, everyone else the organisation chart. */
function visibleTo(actor: Actor, unit: UnitView): Partial<UnitView> {
  if (actor.role === 'admin') return unit;
  const { channels: _c, leaders, ...rest } = unit;
  return { ...rest, leaders: leaders.map(({ role, name }) => ({ role, name })) };
}

export const unitDirectoryRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get', path: '/units', operationId: 'listUnits', summary: 'The units directory', tag: 'Units', roles: ALL_ROLES,
    response: { status: 200, description: 'every unit, by code', schema: UnitListSchema },
    handler: async ({ actor, deps }) => ({ units: (await listUnits(deps.pool)).map((u) => visibleTo(actor, u)) }),
  }),
  defineRoute({
    method: 'post', path: '/units', operationId: 'createUnit', summary: 'Create a unit', tag: 'Units', roles: ['admin'],
    body: UnitInputSchema,
    response: { status: 201, description: 'the unit', schema: UnitViewSchema },
    errors: [409, 422],
    handler: async ({ body, deps, res }) => {
      const { unit, channels } = entryOf(body);
      const created = await createUnit(deps.pool, unit, channels ?? []);
      res.location(`/units/${encodeURIComponent(unit.code)}`);
      return created;
    },
  }),
  defineRoute({
    method: 'post', path: '/units/import', operationId: 'importUnits', summary: 'Create or replace many units at once',
    description: 'JSON `{units: [...]}` or CSV (`Content-Type: text/csv`, columns code, name, parentCode, kind, level, principalName, principalPersonId, principalMobile, principalEmail, deputyName, deputyPersonId, deputyMobile, deputyEmail, quietFrom, quietTo, active). All or nothing.',
    tag: 'Units', roles: ['admin'],
    body: UnitImportSchema, fromCsv: unitsFromCsv, bodyLimit: 'item',
    response: { status: 200, description: 'how many were created and updated', schema: UnitImportResultSchema },
    errors: [422],
    handler: async ({ body, deps }) => {
      const errors = importProblems(body.units, await directoryEntries(deps.pool));
      if (errors.length) {
        const detail = `the import breaks the directory's rules in ${errors.length} place${errors.length > 1 ? 's' : ''}; nothing was imported`;
        throw new DomainError('VALIDATION_FAILED', detail, { errors });
      }
      return importUnits(deps.pool, body.units.map(entryOf));
    },
  }),
  defineRoute({
    method: 'get', path: '/units/:code', operationId: 'getUnit', summary: 'Read a unit', tag: 'Units', roles: ALL_ROLES,
    params: UnitCodeParamsSchema,
    response: { status: 200, description: 'the unit', schema: UnitViewSchema },
    errors: [404],
    handler: async ({ params, actor, deps }) => {
      const unit = await getUnit(deps.pool, params.code);
      if (!unit) throw new DomainError('NOT_FOUND', `no unit '${params.code}'`);
      return visibleTo(actor, unit);
    },
  }),
  defineRoute({
    method: 'post', path: '/units/:code', operationId: 'updateUnit', summary: 'Update or rename a unit',
    description: 'Replaces its fields; the code stays, so tasks, tokens, history and rankings keep working. Channels are replaced only when given.',
    tag: 'Units', roles: ['admin'],
    params: UnitCodeParamsSchema, body: UnitUpdateSchema,
    response: { status: 200, description: 'the unit', schema: UnitViewSchema },
    errors: [404, 422],
    handler: async ({ params, body, deps }) => {
      if (body.code !== params.code) {
        throw new DomainError('VALIDATION_FAILED', 'a unit\'s code never changes: rename it by changing its name', { path: 'code' });
      }
      const { unit, channels } = entryOf(body);
      return updateUnit(deps.pool, unit, channels);
    },
  }),
  defineRoute({
    method: 'post', path: '/units/:code/deactivate', operationId: 'deactivateUnit', summary: 'Deactivate a unit',
    description: 'It takes no new tasks and receives no new messages; its history stays.',
    tag: 'Units', roles: ['admin'],
    params: UnitCodeParamsSchema,
    response: { status: 200, description: 'the unit', schema: UnitViewSchema },
    errors: [404],
    handler: async ({ params, deps }) => {
      const unit = await getUnit(deps.pool, params.code);
      if (!unit) throw new DomainError('NOT_FOUND', `no unit '${params.code}'`);
      const { channels: _channels, createdAt: _c, updatedAt: _u, ...entry } = unit;
      return updateUnit(deps.pool, { ...entry, active: false });
    },
  }),
];
