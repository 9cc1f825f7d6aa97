/**
 * Names for statements a hot path runs all day (an item's save). Each pooled
 * connection prepares a named statement once and afterwards only binds and
 * runs it, which spares PostgreSQL parsing and planning a 40-column upsert on
 * every save (about a fifth of its CPU per save, bench/save-cost.ts).
 *
 * Only for statements whose result columns cannot change with the schema (a
 * prepared `SELECT *` would fail after a migration added a column). The name
 * follows the text, so two statements never share one.
 */
const names = new Map<string, string>();

export function preparedName(sql: string): string {
  let name = names.get(sql);
  if (!name) names.set(sql, (name = `hot-${names.size + 1}`));
  return name;
}
