/**
 * The units directory as a CSV file (a spreadsheet export of the organisation
 * chart), turned into the JSON import's shape. Its rows are checked here, so
 * that every bad row is reported at once by its line and column, as the
 * spreadsheet shows them; the route then checks it like any import.
 * Channels carry secrets and are set through the JSON API only.
 */
import { parse } from 'csv-parse/sync';
import { ApiProblem, type FieldError } from './http/api-problem';
import { UnitImportSchema } from './schemas/units';

export const UNIT_CSV_COLUMNS = [
  'code', 'name', 'parentCode', 'kind', 'level',
  'principalName', 'principalPersonId', 'principalMobile', 'principalEmail',
  'deputyName', 'deputyPersonId', 'deputyMobile', 'deputyEmail',
  'quietFrom', 'quietTo', 'active',
] as const;

type Row = Partial<Record<(typeof UNIT_CSV_COLUMNS)[number], string>>;
type Role = 'principal' | 'deputy';

function leader(role: Role, r: Row) {
  const name = r[`${role}Name`];
  if (!name) return [];
  const pick = (k: 'PersonId' | 'Mobile' | 'Email') => r[`${role}${k}`] || undefined;
  return [{ role, name, personId: pick('PersonId'), mobile: pick('Mobile'), email: pick('Email') }];
}

function unitOf(r: Row) {
  return {
    code: r.code, name: r.name, kind: r.kind,
    ...(r.parentCode ? { parentCode: r.parentCode } : {}),
    ...(r.level ? { level: r.level } : {}),
    leaders: [...leader('principal', r), ...leader('deputy', r)],
    ...(r.quietFrom || r.quietTo ? { quietHours: { from: r.quietFrom ?? '', to: r.quietTo ?? '' } } : {}),
    active: r.active === undefined || r.active === '' ? true : !/^(false|no|0|否)$/i.test(r.active),
  };
}

/** The CSV column a field of the JSON shape came from. */
function columnOf(path: PropertyKey[], unit: ReturnType<typeof unitOf>): string {
  const [field, index, sub] = path;
  if (field === 'leaders' && typeof index === 'number' && typeof sub === 'string') {
    const role = unit.leaders[index]?.role ?? 'principal';
    return `${role}${sub === 'personId' ? 'PersonId' : sub.charAt(0).toUpperCase() + sub.slice(1)}`;
  }
  if (field === 'quietHours') return index === 'to' ? 'quietTo' : 'quietFrom';
  return typeof field === 'string' ? field : 'row';
}

export function unitsFromCsv(text: string): { units: unknown[] } {
  let records: Array<{ record: Row; info: { lines: number } }>;
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false, info: true,
    }) as unknown as Array<{ record: Row; info: { lines: number } }>;
  } catch (err) {
    throw new ApiProblem(400, 'BAD_REQUEST', `the CSV could not be read: ${(err as Error).message.slice(0, 200)}`);
  }
  const unknown = Object.keys(records[0]?.record ?? {}).filter((c) => !(UNIT_CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new ApiProblem(400, 'BAD_REQUEST', `unknown CSV columns: ${unknown.join(', ')}; the columns are ${UNIT_CSV_COLUMNS.join(', ')}`);
  const units = records.map((r) => unitOf(r.record));
  const checked = UnitImportSchema.safeParse({ units });
  if (!checked.success) {
    const errors: FieldError[] = checked.error.issues.map((issue) => {
      const [, i, ...rest] = issue.path;
      if (typeof i !== 'number') return { path: 'csv', message: issue.message };
      return { path: `line ${records[i]!.info.lines}.${columnOf(rest, units[i]!)}`, message: issue.message };
    });
    throw new ApiProblem(400, 'BAD_REQUEST', `invalid CSV: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
  return { units };
}
