/**
 * Units' names travel inside the views saves keep with their items (items.view).
 * A rename clears the views naming the unit, but a save that read the old name
 * before the rename committed, and commits after the rename cleared, would keep
 * the old name for good (a new item's first save is never seen by the clearing).
 * So a save holds its units' names shared, from its start to its commit, and a
 * write of a unit holds that unit's exclusively: one of them waits for the other.
 * Advisory locks rather than row locks: saves of many items share a unit all day,
 * and shared advisory locks write nothing.
 */
import { escapeLiteral, type PoolClient } from 'pg';

/** advisory lock class of units' names (the other half: one of BUCKETS, by the code's hash) */
const UNIT_NAME_LOCK = 7302;
/**
 * Units share BUCKETS locks: an item may name hundreds of units (400 tasks, 5 co-owners each),
 * and a lock each would crowd PostgreSQL's lock table; a rename holds up a sixteenth of the saves.
 */
const BUCKETS = 16;

/**
 * Held by a save until it commits: the units of its tasks and every unit the item ever
 * had. Taken before the save touches any row, so a rename waiting on a row never waits on it.
 * One statement without parameters, its literals escaped: a save sends it with its BEGIN
 * (db/pool.ts withTransaction), one round trip for both.
 */
export function holdUnitNamesSharedSql(itemId: string, units: string[]): string {
  // in one order (sorted buckets) for saves and writers of several units alike: no deadlock
  return `SELECT count(pg_advisory_xact_lock_shared(${UNIT_NAME_LOCK}, b)) FROM (SELECT DISTINCT hashtext(u) & ${BUCKETS - 1} AS b FROM (
       SELECT unnest(${textArray(units)}) AS u UNION ALL SELECT unit FROM item_units WHERE item_id = ${escapeLiteral(itemId)}) x ORDER BY 1) s`;
}

/**
 * Held by a write of units until it commits: saves composing views with their names wait for it.
 * A write of several units takes them all at once, in the order saves take theirs (no deadlock).
 */
export async function holdUnitNamesExclusive(client: PoolClient, codes: string[]): Promise<void> {
  await client.query(
    `SELECT count(pg_advisory_xact_lock($1::int, b)) FROM (SELECT DISTINCT hashtext(u) & ${BUCKETS - 1} AS b FROM unnest($2::text[]) AS u ORDER BY 1) s`,
    [UNIT_NAME_LOCK, codes],
  );
}

/** A text[] literal of escaped strings, for statements sent without parameters. */
export function textArray(values: string[]): string {
  return values.length ? `ARRAY[${values.map(escapeLiteral).join(', ')}]::text[]` : `'{}'::text[]`;
}
