/**
 * The units directory in PostgreSQL: units, their channels (with secrets, which
 * only the delivery code reads; nothing here returns them to a caller), and the
 * look-ups the API and delivery make.
 */
import type { Pool, PoolClient } from 'pg';
import type { ChannelConfig, EndpointConfig } from '../../domain/channel-config';
import { DomainError } from '../../domain/errors';
import type { UnitEntry } from '../../domain/units';
import { parentsFirst, unitsInLoops } from '../../domain/units-order';
import { withTransaction } from '../pool';
import { holdUnitNamesExclusive } from './unit-name-locks';

export interface ChannelInput {
  id: string;
  config: ChannelConfig;
  active?: boolean;
}

/** A channel as it may be shown: what it is and where it goes, never its secrets. */
export interface ChannelView {
  id: string;
  kind: EndpointConfig['kind'];
  active: boolean;
  target: string;
}

export interface UnitView extends UnitEntry {
  channels: ChannelView[];
  createdAt: string;
  updatedAt: string;
}

type Queryable = Pool | PoolClient;

function last4(secret: string | undefined): string {
  return secret ? `…${secret.slice(-4)}` : '';
}

function isTokenLike(part: string): boolean {
  let s = part;
  try {
    s = decodeURIComponent(part);
  } catch {
    // a malformed escape is judged as written
  }
  return s.length >= 8 && /[0-9]/.test(s) && /[A-Za-z]/.test(s);
}

/** Where a channel goes, with its secrets cut to their last four characters at most. */
export function describeChannel(config: ChannelConfig): string {
  switch (config.kind) {
    case 'dingtalk':
      return `DingTalk robot ${last4(config.accessToken)}${config.secret ? ' (signed)' : ''}`;
    case 'wecom':
      return `WeCom robot ${last4(config.key)}`;
    case 'feishu':
      return `Feishu bot ${last4(config.hookId)}${config.secret ? ' (signed)' : ''}`;
    case 'webhook': {
      // many webhook URLs carry their credential in the path (…/services/T…/B…/X…): such parts show their last four only
      const url = new URL(config.url);
      const path = url.pathname.split('/').map((p) => (isTokenLike(p) ? last4(p) : p)).join('/');
      return `webhook ${url.origin}${path}`;
    }
    case 'email':
      return `e-mail to ${config.to.join(', ')} via ${config.host}`;
  }
}

function toUnit(r: Record<string, any>, channels: ChannelView[]): UnitView {
  const unit: UnitView = {
    code: r.code, name: r.name, kind: r.kind, leaders: r.leaders, active: r.active, channels,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
  if (r.parent_code) unit.parentCode = r.parent_code;
  if (r.level) unit.level = r.level;
  if (r.quiet_hours) unit.quietHours = r.quiet_hours;
  return unit;
}

async function channelViews(db: Queryable, codes: string[]): Promise<Map<string, ChannelView[]>> {
  const { rows } = await db.query('SELECT unit_code, id, kind, config, active FROM unit_channels WHERE unit_code = ANY($1) ORDER BY unit_code, id', [codes]);
  const out = new Map<string, ChannelView[]>();
  for (const r of rows) {
    out.set(r.unit_code, [...(out.get(r.unit_code) ?? []), { id: r.id, kind: r.kind, active: r.active, target: describeChannel(r.config) }]);
  }
  return out;
}

export async function getUnit(db: Queryable, code: string): Promise<UnitView | null> {
  const { rows } = await db.query('SELECT * FROM units WHERE code = $1', [code]);
  if (!rows[0]) return null;
  return toUnit(rows[0], (await channelViews(db, [code])).get(code) ?? []);
}

export async function listUnits(pool: Pool, q: { kind?: string; active?: boolean } = {}): Promise<UnitView[]> {
  const { rows } = await pool.query(
    `SELECT * FROM units WHERE ($1::text IS NULL OR kind = $1) AND ($2::boolean IS NULL OR active = $2) ORDER BY code`,
    [q.kind ?? null, q.active ?? null],
  );
  const channels = await channelViews(pool, rows.map((r) => r.code));
  return rows.map((r) => toUnit(r, channels.get(r.code) ?? []));
}

/** Names of units by code, for lists and records (a code the directory lacks names itself). */
export async function unitNames(db: Queryable, codes: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query('SELECT code, name FROM units WHERE code = ANY($1)', [[...new Set(codes)]]);
  return new Map(rows.map((r) => [r.code as string, r.name as string]));
}

/** The active units among `codes` (code → name), and the codes that are not active units, in order. */
export async function activeUnits(db: Queryable, codes: string[]): Promise<{ names: Map<string, string>; unknown: string[] }> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return { names: new Map(), unknown: [] };
  const { rows } = await db.query('SELECT code, name FROM units WHERE code = ANY($1) AND active', [unique]);
  const names = new Map(rows.map((r) => [r.code as string, r.name as string]));
  return { names, unknown: unique.filter((c) => !names.has(c)) };
}

async function writeUnit(client: PoolClient, unit: UnitEntry, channels: ChannelInput[] | undefined, mode: 'create' | 'update'): Promise<void> {
  const values = [
    unit.code, unit.name, unit.parentCode ?? null, unit.kind, unit.level ?? null, JSON.stringify(unit.leaders),
    unit.quietHours ? JSON.stringify(unit.quietHours) : null, unit.active,
  ];
  // before anything else: saves keeping views with this unit's name finish first, or start after the commit
  await holdUnitNamesExclusive(client, [unit.code]);
  try {
    if (mode === 'create') {
      await client.query(
        `INSERT INTO units (code, name, parent_code, kind, level, leaders, quiet_hours, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        values,
      );
    } else {
      const { rowCount } = await client.query(
        `UPDATE units SET name = $2, parent_code = $3, kind = $4, level = $5, leaders = $6, quiet_hours = $7, active = $8,
           updated_at = now() WHERE code = $1`,
        values,
      );
      if (rowCount === 0) throw new DomainError('NOT_FOUND', `no unit '${unit.code}'`, { unitCode: unit.code });
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '23505' && /units_pkey/.test(String((err as Error).message))) {
      throw new DomainError('ALREADY_EXISTS', `unit '${unit.code}' already exists`, { unitCode: unit.code });
    }
    if (code === '23505') {
      throw new DomainError('VALIDATION_FAILED', `an active supervision office of level '${unit.level}' exists already`, { path: 'level' });
    }
    if (code === '23503') throw new DomainError('VALIDATION_FAILED', `no parent unit '${unit.parentCode}'`, { path: 'parentCode' });
    throw err;
  }
  // items kept whole with their units' names (items.view): those naming this unit compose afresh until their next save
  await client.query('UPDATE items SET view = NULL WHERE view IS NOT NULL AND id IN (SELECT item_id FROM item_units WHERE unit = $1)', [unit.code]);
  if (channels === undefined) return;
  await client.query('DELETE FROM unit_channels WHERE unit_code = $1', [unit.code]);
  for (const ch of channels) {
    await client.query('INSERT INTO unit_channels (unit_code, id, kind, config, active) VALUES ($1, $2, $3, $4, $5)', [
      unit.code, ch.id, ch.config.kind, JSON.stringify(ch.config), ch.active ?? true,
    ]);
  }
}

export async function createUnit(pool: Pool, unit: UnitEntry, channels: ChannelInput[] = []): Promise<UnitView> {
  return withTransaction(pool, async (client) => {
    await writeUnit(client, unit, channels, 'create');
    return (await getUnit(client, unit.code))!;
  });
}

/** Replaces a unit's fields (its code stays: history, rankings and tokens keep working); channels only when given. */
export async function updateUnit(pool: Pool, unit: UnitEntry, channels?: ChannelInput[]): Promise<UnitView> {
  return withTransaction(pool, async (client) => {
    await writeUnit(client, unit, channels, 'update');
    if (unit.parentCode) await refuseCycle(client, unit.code);
    return (await getUnit(client, unit.code))!;
  });
}

/** Every unit's place in the directory (code, parent, kind, level, active), for the checks of an import. */
export async function directoryEntries(db: Queryable): Promise<Array<{ code: string; parentCode: string | null; kind: string; level: string | null; active: boolean }>> {
  const { rows } = await db.query('SELECT code, parent_code AS "parentCode", kind, level, active FROM units');
  return rows;
}

/** Refuses a parent chain that leads back to the unit itself (the API checks first; this is the last word). */
async function refuseCycle(client: PoolClient, code: string): Promise<void> {
  const { rowCount } = await client.query(
    `WITH RECURSIVE up(code) AS (SELECT parent_code FROM units WHERE code = $1
       UNION SELECT u.parent_code FROM units u JOIN up ON u.code = up.code)
     SELECT 1 FROM up WHERE code = $1`,
    [code],
  );
  if (rowCount) throw new DomainError('VALIDATION_FAILED', `unit '${code}' would be its own ancestor`, { path: 'parentCode' });
}

/** Creates or replaces many units in one transaction: all of them, or none (parents may come after children). */
export async function importUnits(pool: Pool, entries: Array<{ unit: UnitEntry; channels?: ChannelInput[] }>): Promise<{ created: number; updated: number }> {
  return withTransaction(pool, async (client) => {
    await client.query('SET CONSTRAINTS ALL DEFERRED');
    // every unit's name at once, in the saves' order: taken one by one, a save holding some would deadlock with the import
    await holdUnitNamesExclusive(client, entries.map((e) => e.unit.code));
    let created = 0;
    let updated = 0;
    const { rows } = await client.query('SELECT code FROM units WHERE code = ANY($1)', [entries.map((e) => e.unit.code)]);
    const existing = new Set(rows.map((r) => r.code as string));
    // An import may hand a level's office from one unit to another, in any row order; one active
    // office per level is checked row by row, so the offices it rewrites step down first and each
    // takes its imported state below (the import was checked to leave one active office per level).
    await client.query(`UPDATE units SET active = false WHERE code = ANY($1) AND kind = 'supervisionOffice' AND active`, [[...existing]]);
    // parents first, so a child never points at a unit not inserted yet (linear: see domain/units-order.ts)
    const order = parentsFirst(entries, (e) => e.unit);
    for (const { unit, channels } of order) {
      const mode = existing.has(unit.code) ? 'update' : 'create';
      await writeUnit(client, unit, channels, mode);
      if (mode === 'create') created += 1;
      else updated += 1;
    }
    // the last word on loops (the API checked before reading and writing): the whole directory, one query, one pass
    const looped = unitsInLoops(await directoryEntries(client));
    const bad = entries.find((e) => looped.has(e.unit.code));
    if (bad) throw new DomainError('VALIDATION_FAILED', `unit '${bad.unit.code}' would be its own ancestor`, { path: 'parentCode' });
    return { created, updated };
  });
}

/** A channel with its secrets, for the delivery code only, and whether its unit is still active. */
export async function channelConfig(
  db: Queryable, unitCode: string, channelId: string,
): Promise<{ config: EndpointConfig; active: boolean; unitActive: boolean } | null> {
  const { rows } = await db.query(
    `SELECT c.config, c.active, u.active AS unit_active FROM unit_channels c JOIN units u ON u.code = c.unit_code
     WHERE c.unit_code = $1 AND c.id = $2`,
    [unitCode, channelId],
  );
  if (!rows[0]) return null;
  return { config: { ...rows[0].config, id: `${unitCode}/${channelId}` }, active: rows[0].active, unitActive: rows[0].unit_active };
}
