/**
 * The units directory as a CSV file (a spreadsheet export of the organisation
 * chart), turned into the JSON import's shape; zod then checks it like any
 * import. Channels carry secrets and are set through the JSON API only.
 */
import { parse } from 'csv-parse/sync';
import { ApiProblem } from './http/api-problem';

export const UNIT_CSV_COLUMNS = [
  'code', 'name', 'parentCode', 'kind', 'level',
  'principalName', 'principalPersonId', 'principalMobile', 'principalEmail',
  'deputyName', 'deputyPersonId', 'deputyMobile', 'deputyEmail',
  'quietFrom', 'quietTo', 'active',
] as const;

type Row = Partial<Record<(typeof UNIT_CSV_COLUMNS)[number], string>>;

function leader(role: 'principal' | 'deputy', r: Row) {
  const name = r[`${role}Name`];
  if (!name) return [];
  const pick = (k: 'PersonId' | 'Mobile' | 'Email') => r[`${role}${k}`] || undefined;
  return [{ role, name, personId: pick('PersonId'), mobile: pick('Mobile'), email: pick('Email') }];
}

export function unitsFromCsv(text: string): { units: unknown[] } {
  let rows: Row[];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (err) {
    throw new ApiProblem(400, 'BAD_REQUEST', `the CSV could not be read: ${(err as Error).message.slice(0, 200)}`);
  }
  const unknown = Object.keys(rows[0] ?? {}).filter((c) => !(UNIT_CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new ApiProblem(400, 'BAD_REQUEST', `unknown CSV columns: ${unknown.join(', ')}; the columns are ${UNIT_CSV_COLUMNS.join(', ')}`);
  return {
    units: rows.map((r) => ({
      code: r.code, name: r.name, kind: r.kind,
      ...(r.parentCode ? { parentCode: r.parentCode } : {}),
      ...(r.level ? { level: r.level } : {}),
      leaders: [...leader('principal', r), ...leader('deputy', r)],
      ...(r.quietFrom && r.quietTo ? { quietHours: { from: r.quietFrom, to: r.quietTo } } : {}),
      active: r.active === undefined || r.active === '' ? true : !/^(false|no|0|否)$/i.test(r.active),
    })),
  };
}
