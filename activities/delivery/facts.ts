/**
 * What a message says about each delivery, read from the read side: the item's
 * title and time zone, the task's description and deadline, the unit's name,
 * who else is told (named as render-wording.ts says), and the note a person gave.
 */
import type { Pool } from 'pg';
import type { DeliveryRow } from '../../db/repositories/deliveries';
import type { RecipientRole } from '../../domain/types';
import type { NotificationFacts } from './render';
import { RECIPIENT } from './render-wording';

const DAY = 86_400_000;

function recipientName(r: Record<string, any>): string {
  switch (r.recipient_role as RecipientRole) {
    case 'ownerUnit':
      return RECIPIENT.ownerUnit(r.unit_name ?? r.recipient);
    case 'unitLeader':
      return RECIPIENT.unitLeader(r.unit_name ?? r.recipient);
    case 'itemLeader':
      return RECIPIENT.itemLeader(r.leader_name ?? r.recipient);
    case 'supervisionOffice':
      return RECIPIENT.supervisionOffice(r.office_name ?? undefined, r.recipient);
  }
}

/** The same occurrence told to other recipients shares every part of the key but the last two (role, recipient). */
function occurrenceOf(key: string): string {
  return key.split('|').slice(0, 4).join('|');
}

export async function loadFacts(pool: Pool, rows: DeliveryRow[], nowMs: number): Promise<Map<string, NotificationFacts>> {
  const keys = [...new Set(rows.map((r) => r.notificationKey))];
  const { rows: ns } = await pool.query(
    `SELECT n.*, i.title AS item_title, coalesce(i.state->'policy'->>'timezone', 'Asia/Shanghai') AS timezone,
            t.description AS task_description, t.owner_unit, u.name AS unit_name
     FROM notifications n
     LEFT JOIN items i ON i.id = n.item_id
     LEFT JOIN tasks t ON t.item_id = n.item_id AND t.id = n.task_id
     LEFT JOIN units u ON u.code = t.owner_unit
     WHERE n.key = ANY($1)`,
    [keys],
  );
  const prefixes = [...new Set(ns.map((n) => occurrenceOf(n.key)))];
  const { rows: siblingRows } = await pool.query(
    `SELECT n.key, n.recipient_role, n.recipient, u.name AS unit_name, i.leader_name, o.name AS office_name
     FROM notifications n
     LEFT JOIN units u ON u.code = n.recipient AND n.recipient_role IN ('ownerUnit', 'unitLeader')
     LEFT JOIN items i ON i.id = n.item_id
     LEFT JOIN LATERAL (SELECT name FROM units WHERE kind = 'supervisionOffice' AND active AND level = n.recipient
                        AND n.recipient_role = 'supervisionOffice' ORDER BY updated_at DESC, code DESC LIMIT 1) o ON true
     WHERE n.item_id = ANY($1) AND split_part(n.key, '|', 1) || '|' || split_part(n.key, '|', 2) || '|' || split_part(n.key, '|', 3) || '|' || split_part(n.key, '|', 4) = ANY($2)
     ORDER BY n.key`,
    [[...new Set(ns.map((n) => n.item_id))], prefixes],
  );
  const siblings = siblingRows.map((s) => ({ key: s.key as string, name: recipientName(s) }));
  const facts = new Map<string, NotificationFacts>();
  for (const n of ns) {
    const others = siblings.filter((s) => occurrenceOf(s.key) === occurrenceOf(n.key) && s.key !== n.key).map((s) => s.name);
    const f: NotificationFacts = {
      kind: n.kind, itemId: n.item_id, itemTitle: n.item_title ?? n.item_id, timezone: n.timezone,
      ...(n.task_id ? { taskId: n.task_id } : {}),
      ...(n.task_description ? { taskDescription: n.task_description } : {}),
      ...(n.unit_name || n.owner_unit ? { unitName: n.unit_name ?? n.owner_unit } : {}),
      ...(n.due_at ? { dueAt: n.due_at } : {}),
      ...(n.due_at && Date.parse(n.due_at) < nowMs ? { daysOverdue: Math.floor((nowMs - Date.parse(n.due_at)) / DAY) } : {}),
      ...(n.level !== null ? { level: n.level } : {}),
      ...(others.length ? { alsoNotified: others } : {}),
      ...(n.note ? { reason: n.note } : {}),
      ...(n.new_due_at ? { newDueAt: n.new_due_at } : {}),
      ...(n.kind === 'extensionDecided' ? { approved: n.new_due_at !== null } : {}),
    };
    facts.set(n.key, f);
  }
  return facts;
}
