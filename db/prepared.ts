/**
 * Names for statements a hot path runs all day (an item's save, a new item's
 * admission). Each pooled connection prepares a named statement once and
 * afterwards only binds and runs it, which spares PostgreSQL parsing and
 * planning a 40-column upsert on every save (bench/save-cost.ts: PostgreSQL's
 * CPU per escalation save fell from 2.4 to 1.0 ms with the save's round trips
 * merged and its statements prepared).
 *
 * Only for statements whose result columns cannot change with the schema (a
 * prepared `SELECT *` would fail after a migration added a column). The name
 * follows the text, so two statements never share one.
 */
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

export function preparedName(sql: string): string {
  let name = names.get(sql);
  if (!name) names.set(sql, (name = `hot-${names.size + 1}`));
  return name;
}

/** The query config that runs `text` as its named statement. */
export function prepared(text: string, values: unknown[]): QueryConfig {
  return { name: preparedName(text), text, values };
}
