/**
 * Deliveries in PostgreSQL: the outbox of messages to channels. Rows are
 * planned in the item's save transaction (with the notifications they come
 * from), claimed with a lease by the one sender of their endpoint, and end
 * delivered, dead (to be resent by an admin) or unroutable (no channel).
 */
import type { Pool, PoolClient } from 'pg';
import { prepared } from '../prepared';
import type { Notification } from '../../domain/types';
import type { QuietHours, UnitLeader } from '../../domain/units';

export interface RoutingUnit {
  code: string;
  name: string;
  active: boolean;
  leaders: UnitLeader[];
  quietHours?: QuietHours;
  channels: Array<{ id: string; active: boolean }>;
}

export interface Routing {
  units: Map<string, RoutingUnit>;
  /** the active supervision office of each level */
  offices: Map<string, RoutingUnit>;
  /** the units a person leads, by their person id (token subject) */
  ledBy: Map<string, RoutingUnit[]>;
}

export interface Mention {
  name: string;
  mobile?: string;
  email?: string;
}

export interface PlannedDelivery {
  id: string;
  notificationKey: string;
  itemId: string;
  taskId?: string;
  unitCode: string;
  channelId: string;
  level?: number;
  mentions: Mention[];
  status: 'pending' | 'unroutable';
  notBefore: string;
}

type Queryable = Pool | PoolClient;

export interface Endpoint {
  unitCode: string;
  channelId: string;
}

export interface DeliveryRow {
  id: string;
  notificationKey: string;
  itemId: string;
  taskId: string | null;
  unitCode: string;
  channelId: string;
  level: number | null;
  mentions: Mention[];
  status: 'pending' | 'delivered' | 'dead' | 'unroutable';
  attempts: number;
  notBefore: string;
  messageId: string | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  /** when an admin last resent it (dead letters), and who */
  resentAt: string | null;
  resentBy: string | null;
}

function toRow(r: Record<string, any>): DeliveryRow {
  return {
    id: r.id, notificationKey: r.notification_key, itemId: r.item_id, taskId: r.task_id, unitCode: r.unit_code,
    channelId: r.channel_id, level: r.level, mentions: r.mentions, status: r.status, attempts: r.attempts,
    notBefore: r.not_before, messageId: r.message_id, lastError: r.last_error, createdAt: r.created_at,
    lastAttemptAt: r.last_attempt_at, deliveredAt: r.delivered_at, resentAt: r.resent_at, resentBy: r.resent_by,
  };
}

function routingUnit(r: Record<string, any>): RoutingUnit {
  return {
    code: r.code, name: r.name, active: r.active, leaders: r.leaders as UnitLeader[],
    ...(r.quiet_hours ? { quietHours: r.quiet_hours } : {}), channels: r.channel_list as Array<{ id: string; active: boolean }>,
  };
}

// named columns, not *: a prepared statement's result cannot change shape after a migration
const ROUTING_SQL = `SELECT code, name, active, leaders, quiet_hours, level,
    (kind = 'supervisionOffice' AND active AND level = ANY($2)) AS office,
    (SELECT array_agg(l->>'personId') FROM jsonb_array_elements(leaders) l WHERE l->>'personId' = ANY($3)) AS led_by,
    (SELECT coalesce(json_agg(json_build_object('id', c.id, 'active', c.active) ORDER BY c.id), '[]')
     FROM unit_channels c WHERE c.unit_code = units.code) AS channel_list
  FROM units
  WHERE code = ANY($1)
     OR (kind = 'supervisionOffice' AND active AND level = ANY($2))
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(leaders) l WHERE l->>'personId' = ANY($3))
  ORDER BY updated_at, code`;

/** What the directory says about the recipients of these notifications (one round trip: a save waits for it). */
export async function routingFor(db: Queryable, notifications: Notification[]): Promise<Routing> {
  const codes = notifications.filter((n) => n.recipientRole === 'ownerUnit' || n.recipientRole === 'unitLeader').map((n) => n.recipient);
  const levels = notifications.filter((n) => n.recipientRole === 'supervisionOffice').map((n) => n.recipient);
  const people = notifications.filter((n) => n.recipientRole === 'itemLeader').map((n) => n.recipient);
  const { rows } = await db.query(prepared(ROUTING_SQL, [[...new Set(codes)], [...new Set(levels)], [...new Set(people)]]));
  const routing: Routing = { units: new Map(), offices: new Map(), ledBy: new Map() };
  for (const r of rows) {
    const unit = routingUnit(r);
    routing.units.set(unit.code, unit);
    // one active office per level (the database refuses a second); were there ever two, the newest designation wins
    if (r.office) routing.offices.set(r.level, unit);
    for (const person of (r.led_by as string[] | null) ?? []) routing.ledBy.set(person, [...(routing.ledBy.get(person) ?? []), unit]);
  }
  return routing;
}

const INSERT_DELIVERIES_SQL = `INSERT INTO deliveries (id, notification_key, item_id, task_id, unit_code, channel_id, level, mentions, status, not_before)
  SELECT id, notification_key, item_id, task_id, unit_code, channel_id, level, mentions, status, not_before
  FROM jsonb_to_recordset($1::jsonb) AS r(id text, notification_key text, item_id text, task_id text, unit_code text,
    channel_id text, level integer, mentions jsonb, status text, not_before timestamptz)
  ON CONFLICT (id) DO NOTHING`;

/** Inserts planned deliveries (a retried save inserts none twice); returns the endpoints with work pending. */
export async function insertDeliveries(db: Queryable, planned: PlannedDelivery[]): Promise<Endpoint[]> {
  if (planned.length === 0) return [];
  const rows = planned.map((p) => ({
    id: p.id, notification_key: p.notificationKey, item_id: p.itemId, task_id: p.taskId, unit_code: p.unitCode,
    channel_id: p.channelId, level: p.level, mentions: p.mentions, status: p.status, not_before: p.notBefore,
  }));
  await db.query(prepared(INSERT_DELIVERIES_SQL, [JSON.stringify(rows)]));
  const seen = new Set<string>();
  return planned
    .filter((p) => p.status === 'pending')
    .map((p) => ({ unitCode: p.unitCode, channelId: p.channelId }))
    .filter((e) => !seen.has(`${e.unitCode}/${e.channelId}`) && seen.add(`${e.unitCode}/${e.channelId}`));
}

/**
 * Takes the endpoint's deliveries that may go now, under a lease so that no
 * other sender takes them meanwhile: those due, and fresh ones whose digest
 * window has not closed yet when a digest leaves anyway (they join it); never
 * ones held back by quiet hours or a retry's backoff. An urgent delivery
 * leaves alone, so it does not release the others' digest early.
 */
export async function claimDeliveries(
  pool: Pool, e: Endpoint, o: { nowMs: number; digestWindowMs: number; limit: number; leaseMs: number; urgentLevel: number },
): Promise<DeliveryRow[]> {
  const { rows } = await pool.query(
    `WITH due AS (
       SELECT id FROM deliveries
       WHERE unit_code = $1 AND channel_id = $2 AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3)
         AND (not_before <= $3 OR (attempts = 0 AND not_before <= $3::timestamptz + make_interval(secs => $4 / 1000.0)
              AND EXISTS (SELECT 1 FROM deliveries d WHERE d.unit_code = $1 AND d.channel_id = $2 AND d.status = 'pending' AND d.not_before <= $3
                          AND coalesce(d.level, 0) < $7)))
       ORDER BY level DESC NULLS LAST, created_at, id
       LIMIT $5
       FOR UPDATE SKIP LOCKED),
     -- a message already tried goes again whole: every delivery it carried, however the limit cut the list above
     whole AS (
       SELECT d.id FROM deliveries d
       WHERE d.unit_code = $1 AND d.channel_id = $2 AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < $3)
         AND d.message_id IN (SELECT message_id FROM deliveries WHERE id IN (SELECT id FROM due) AND message_id IS NOT NULL)),
     picked AS (SELECT id FROM due UNION SELECT id FROM whole)
     UPDATE deliveries SET lease_until = $3::timestamptz + make_interval(secs => $6 / 1000.0)
     FROM picked WHERE deliveries.id = picked.id
     RETURNING deliveries.*`,
    [e.unitCode, e.channelId, new Date(o.nowMs).toISOString(), o.digestWindowMs, o.limit, o.leaseMs, o.urgentLevel],
  );
  return rows.map(toRow);
}

/** A message as it was first sent: a retry sends exactly this, under the same id. */
export interface StoredMessage {
  id: string;
  title: string;
  markdown: string;
  text: string;
  level: number | null;
  /** every delivery it carries */
  deliveries: string[];
}

/**
 * Names and keeps the message a group of deliveries leaves in, before it is
 * sent: a retry sends the same words under the same id, with the same
 * deliveries (a fresh grouping that hashes to an id seen before, e.g. a
 * resent dead letter, replaces the old words).
 */
export async function assignMessage(pool: Pool, e: Endpoint, m: StoredMessage): Promise<void> {
  await pool.query(
    `WITH kept AS (
       INSERT INTO delivery_messages (id, unit_code, channel_id, title, markdown, body_text, level, deliveries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET title = $4, markdown = $5, body_text = $6, level = $7, deliveries = $8, created_at = now()
       RETURNING id)
     UPDATE deliveries SET message_id = (SELECT id FROM kept) WHERE id = ANY($8)`,
    [m.id, e.unitCode, e.channelId, m.title, m.markdown, m.text, m.level, m.deliveries],
  );
}

/** The messages already sent once among `ids`, by id. */
export async function storedMessages(pool: Pool, ids: string[]): Promise<Map<string, StoredMessage>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query('SELECT * FROM delivery_messages WHERE id = ANY($1)', [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id as string, {
    id: r.id, title: r.title, markdown: r.markdown, text: r.body_text, level: r.level, deliveries: r.deliveries,
  }]));
}

/** Records a sent message's deliveries as delivered, and their notifications as delivered (to a first channel) if not yet. */
export async function markDelivered(pool: Pool, ids: string[], atMs: number): Promise<void> {
  await pool.query(
    `WITH done AS (
       UPDATE deliveries SET status = 'delivered', delivered_at = $2, last_attempt_at = $2, attempts = attempts + 1, lease_until = NULL, last_error = NULL
       WHERE id = ANY($1) AND status = 'pending' RETURNING notification_key)
     UPDATE notifications SET delivered_at = $2 WHERE key IN (SELECT notification_key FROM done) AND delivered_at IS NULL`,
    [ids, new Date(atMs).toISOString()],
  );
}

export async function markFailed(pool: Pool, ids: string[], o: { atMs: number; error: string; retryAtMs?: number }): Promise<void> {
  await pool.query(
    `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = $2, last_error = left($3, 500), lease_until = NULL,
       status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE status END,
       not_before = COALESCE($4::timestamptz, not_before)
     WHERE id = ANY($1) AND status = 'pending'`,
    [ids, new Date(o.atMs).toISOString(), o.error, o.retryAtMs === undefined ? null : new Date(o.retryAtMs).toISOString()],
  );
}

/** Puts back what a sender took but could not even try (e.g. its channel vanished). */
export async function release(pool: Pool, ids: string[]): Promise<void> {
  await pool.query('UPDATE deliveries SET lease_until = NULL WHERE id = ANY($1)', [ids]);
}

/** When the endpoint next has something to send, or null when nothing is pending. */
export async function nextDue(pool: Pool, e: Endpoint): Promise<string | null> {
  const { rows } = await pool.query(
    `SELECT min(greatest(not_before, coalesce(lease_until, not_before))) AS at FROM deliveries
     WHERE unit_code = $1 AND channel_id = $2 AND status = 'pending'`,
    [e.unitCode, e.channelId],
  );
  return rows[0]?.at ?? null;
}

/** Endpoints with a delivery due for longer than `graceMs` that no sender holds: their wake went missing. */
export async function overdueEndpoints(pool: Pool, o: { nowMs: number; graceMs: number; limit?: number }): Promise<Endpoint[]> {
  const { rows } = await pool.query(
    `SELECT DISTINCT unit_code, channel_id FROM deliveries
     WHERE status = 'pending' AND not_before < $1::timestamptz - make_interval(secs => $2 / 1000.0)
       AND (lease_until IS NULL OR lease_until < $1)
     ORDER BY unit_code, channel_id LIMIT $3`,
    [new Date(o.nowMs).toISOString(), o.graceMs, o.limit ?? 1000],
  );
  return rows.map((r) => ({ unitCode: r.unit_code, channelId: r.channel_id }));
}

export async function listDeliveries(
  pool: Pool, q: { itemId?: string; unitCode?: string; status?: string; limit: number },
): Promise<DeliveryRow[]> {
  const { rows } = await pool.query(
    `SELECT * FROM deliveries
     WHERE ($1::text IS NULL OR item_id = $1) AND ($2::text IS NULL OR unit_code = $2) AND ($3::text IS NULL OR status = $3)
     ORDER BY created_at DESC, id LIMIT $4`,
    [q.itemId ?? null, q.unitCode ?? null, q.status ?? null, q.limit],
  );
  return rows.map(toRow);
}

/**
 * A dead delivery goes again from now, as if new (its retries and give-up time
 * start again from the resend, which is on record with who asked); null when
 * there is no such dead delivery.
 */
export async function resendDelivery(pool: Pool, id: string, o: { nowMs: number; by: string }): Promise<Endpoint | null> {
  const { rows } = await pool.query(
    `UPDATE deliveries SET status = 'pending', attempts = 0, not_before = $2, lease_until = NULL, message_id = NULL,
       resent_at = $2, resent_by = $3
     WHERE id = $1 AND status = 'dead' RETURNING unit_code, channel_id`,
    [id, new Date(o.nowMs).toISOString(), o.by],
  );
  return rows[0] ? { unitCode: rows[0].unit_code, channelId: rows[0].channel_id } : null;
}
