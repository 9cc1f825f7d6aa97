/**
 * Everything the read side must say before a new item starts, in one round
 * trip: whether its plan exists and the caller answers for it, the names of
 * its units that are active in the directory, and whether its id is taken
 * (Temporal forgets ids whose history is gone; the read side does not).
 */
import type { Pool } from 'pg';
import { prepared } from '../prepared';

export interface AdmissionFacts {
  planExists: boolean;
  /** the caller is one of the plan's leaders */
  answersForPlan: boolean;
  /** names of the asked units that are active, by code */
  activeUnits: Map<string, string>;
  idTaken: boolean;
}

const ADMISSION_SQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1) AS plan_exists,
    EXISTS (SELECT 1 FROM plans WHERE id = $1 AND leader_ids @> ARRAY[$2]::text[]) AS answers,
    (SELECT coalesce(json_object_agg(code, name), '{}') FROM units WHERE code = ANY($3) AND active) AS units,
    EXISTS (SELECT 1 FROM items WHERE id = $4) AS id_taken`;

export async function admissionFacts(
  pool: Pool,
  q: { itemId: string; planId?: string; callerId: string; unitCodes: string[] },
): Promise<AdmissionFacts> {
  const { rows } = await pool.query(prepared(ADMISSION_SQL, [q.planId ?? null, q.callerId, [...new Set(q.unitCodes)], q.itemId]));
  const row = rows[0];
  return {
    planExists: row.plan_exists,
    answersForPlan: row.answers,
    activeUnits: new Map(Object.entries(row.units as Record<string, string>)),
    idTaken: row.id_taken,
  };
}
