/**
 * The units directory at the API's edge: the unit schema (codes, kinds,
 * offices and their levels, leaders' contacts, quiet hours, channels and their
 * secrets' shapes), the CSV import (every bad row reported at once by line and
 * column) and the rules an import must keep across rows and the directory.
 */
import { ApiProblem } from '../../api/http/api-problem';
import { UnitImportSchema, UnitInputSchema } from '../../api/schemas/units';
import { UNIT_CSV_COLUMNS, unitsFromCsv } from '../../api/units-csv';
import { importProblems, type DirectoryEntry } from '../../api/units-import-check';

const HEADER = UNIT_CSV_COLUMNS.join(',');
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function csvRow(cells: Partial<Record<(typeof UNIT_CSV_COLUMNS)[number], string>>): string {
  return UNIT_CSV_COLUMNS.map((c) => {
    const v = cells[c] ?? '';
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');
}

function problemOf(fn: () => unknown): ApiProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error('expected an ApiProblem');
}

describe('the unit schema', () => {
  const valid = { code: 'jtj', name: '县交通运输局', kind: 'countyDepartment' };

  it('takes a minimal unit and fills its defaults (no leaders, active)', () => {
    expect(UnitInputSchema.parse(valid)).toEqual({ ...valid, leaders: [], active: true });
  });

  it('takes a full one: leaders with contacts, quiet hours (Shanghai by default), a channel of every kind', () => {
    const unit = UnitInputSchema.parse({
      ...valid, parentCode: 'county-gov',
      leaders: [
        { role: 'principal', personId: 'wang.jun', name: '王军', mobile: '13800000001', email: 'wangjun@jtj.gov.cn' },
        { role: 'deputy', name: '李娜', mobile: '+86-13800000002' },
      ],
      quietHours: { from: '22:00', to: '07:30' },
      channels: [
        { id: 'dt', config: { kind: 'dingtalk', accessToken: 'abc', secret: 'SEC123' } },
        { id: 'wc', config: { kind: 'wecom', key: 'k-1' } },
        { id: 'fs', config: { kind: 'feishu', hookId: 'h-1', secret: 's' } },
        { id: 'wh', config: { kind: 'webhook', url: 'https://hooks.example.cn/rect', secret: WEBHOOK_SECRET } },
        { id: 'mail', active: false, config: { kind: 'email', host: 'smtp.example.cn', from: '督办系统 <bot@example.cn>', to: ['office@jtj.gov.cn'] } },
      ],
    });
    expect(unit.quietHours).toEqual({ from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' });
    expect(unit.channels!.map((c) => [c.id, c.config.kind, c.active])).toEqual([
      ['dt', 'dingtalk', true], ['wc', 'wecom', true], ['fs', 'feishu', true], ['wh', 'webhook', true], ['mail', 'email', false],
    ]);
  });

  it.each([
    ['a code with a slash', { code: 'a/b' }, 'code'],
    ['a code starting with a dot', { code: '.a' }, 'code'],
    ['a code longer than 32', { code: 'x'.repeat(33) }, 'code'],
    ['the reserved code ranking', { code: 'ranking' }, 'code'],
    ['the reserved code import', { code: 'import' }, 'code'],
    ['an unknown kind', { kind: 'ministry' }, 'kind'],
    ['a supervision office without its level', { kind: 'supervisionOffice' }, 'level'],
    ['a level on a unit that is not an office', { level: 'county' }, 'level'],
    ['a unit that is its own parent', { parentCode: 'jtj' }, 'parentCode'],
    ['a leader whose role is not principal or deputy', { leaders: [{ role: 'boss', name: 'X' }] }, 'leaders.0.role'],
    ['a mobile that is not a phone number', { leaders: [{ role: 'principal', name: 'X', mobile: 'call me' }] }, 'leaders.0.mobile'],
    ['an e-mail that is not one', { leaders: [{ role: 'deputy', name: 'X', email: 'x@' }] }, 'leaders.0.email'],
    ['quiet hours at 24:00', { quietHours: { from: '22:00', to: '24:00' } }, 'quietHours.to'],
    ['quiet hours in an unknown zone', { quietHours: { from: '22:00', to: '07:00', timezone: 'Mars/Olympus' } }, 'quietHours.timezone'],
    ['two channels with one id', { channels: [
      { id: 'a', config: { kind: 'wecom', key: 'k' } }, { id: 'a', config: { kind: 'wecom', key: 'k2' } },
    ] }, 'channels'],
    ['a webhook secret that is not whsec_ and 24 bytes', { channels: [
      { id: 'w', config: { kind: 'webhook', url: 'https://x.example.cn', secret: 'whsec_c2hvcnQ=' } },
    ] }, 'channels.0.config.secret'],
    ['a webhook that is not http(s)', { channels: [
      { id: 'w', config: { kind: 'webhook', url: 'ftp://x.example.cn', secret: WEBHOOK_SECRET } },
    ] }, 'channels.0.config.url'],
    ['an e-mail channel writing to nobody', { channels: [
      { id: 'm', config: { kind: 'email', host: 'smtp.example.cn', from: 'bot@example.cn', to: [] } },
    ] }, 'channels.0.config.to'],
    ['a sender that is not an address, even with a display name', { channels: [
      { id: 'm', config: { kind: 'email', host: 'smtp.example.cn', from: '督办系统 <not an address>', to: ['a@example.cn'] } },
    ] }, 'channels.0.config.from'],
    ['a channel of an unknown kind', { channels: [{ id: 'x', config: { kind: 'pager', number: '1' } }] }, 'channels.0.config.kind'],
  ])('refuses %s, naming the field', (_, over, path) => {
    const result = UnitInputSchema.safeParse({ ...valid, ...over });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('an import reports every bad unit at once', () => {
    const result = UnitImportSchema.safeParse({ units: [
      valid, { ...valid, code: 'bad code' }, valid, { ...valid, kind: 'nope' }, { ...valid, name: '' },
    ] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['units.1.code', 'units.3.kind', 'units.4.name']);
  });
});

describe('the CSV import', () => {
  it('reads a spreadsheet export: BOM, Chinese, quoted commas, leaders, quiet hours, active flags', () => {
    const csv = `\uFEFF${HEADER}\r\n${[
      csvRow({ code: 'county-gov', name: '某县人民政府', kind: 'other', principalName: '张县长', principalPersonId: 'zhang', principalMobile: '13900000000' }),
      csvRow({
        code: 'jtj', name: '县交通运输局, 公路段', parentCode: 'county-gov', kind: 'countyDepartment',
        principalName: '王军', principalMobile: '13800000001', principalEmail: 'wangjun@jtj.gov.cn',
        deputyName: '李娜', deputyPersonId: 'li.na', deputyMobile: '13800000002', quietFrom: '22:00', quietTo: '07:30',
      }),
      csvRow({ code: 'office-county', name: '县委督查室', kind: 'supervisionOffice', level: 'county', active: '否' }),
      '',
      csvRow({ code: 'old-unit', name: 'Old', kind: 'other', active: 'false' }),
    ].join('\r\n')}\r\n`;
    const { units } = unitsFromCsv(csv);
    const parsed = UnitImportSchema.parse({ units }).units;
    expect(parsed.map((u) => [u.code, u.active])).toEqual([['county-gov', true], ['jtj', true], ['office-county', false], ['old-unit', false]]);
    expect(parsed[1]).toEqual({
      code: 'jtj', name: '县交通运输局, 公路段', parentCode: 'county-gov', kind: 'countyDepartment', active: true,
      leaders: [
        { role: 'principal', name: '王军', mobile: '13800000001', email: 'wangjun@jtj.gov.cn' },
        { role: 'deputy', name: '李娜', personId: 'li.na', mobile: '13800000002' },
      ],
      quietHours: { from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' },
    });
    expect(parsed[2]).toMatchObject({ kind: 'supervisionOffice', level: 'county', leaders: [] });
  });

  it('reports every bad row at once, by its line in the file and its column', () => {
    const csv = [
      HEADER,
      csvRow({ code: 'ok-1', name: 'Fine', kind: 'other' }),
      csvRow({ code: 'bad code', name: 'Spaces', kind: 'other' }),
      csvRow({ code: 'ok-2', name: 'Fine', kind: 'ministry' }),
      csvRow({ code: 'ok-3', name: 'Fine', kind: 'other', deputyName: 'Li', deputyMobile: 'none' }),
      csvRow({ code: 'ok-4', name: 'Fine', kind: 'other', quietFrom: '22:00' }),
      csvRow({ code: 'ok-5', name: 'Fine', kind: 'township', level: 'city' }),
    ].join('\n');
    const problem = problemOf(() => unitsFromCsv(csv));
    expect(problem.status).toBe(400);
    expect(problem.extra.errors!.map((e) => e.path)).toEqual([
      'line 3.code', 'line 4.kind', 'line 5.deputyMobile', 'line 6.quietTo', 'line 7.level',
    ]);
    expect(problem.message).toContain('line 4.kind');
  });

  it('refuses unknown columns, naming them and the ones it knows', () => {
    const problem = problemOf(() => unitsFromCsv(`code,name,kind,fax\njtj,Transport,other,123`));
    expect(problem.status).toBe(400);
    expect(problem.message).toMatch(/unknown CSV columns: fax; the columns are code, name/);
  });

  it.each([
    ['a row with too many cells', `${HEADER}\n${csvRow({ code: 'a', name: 'A', kind: 'other' })},extra`],
    ['an unclosed quote', `${HEADER}\n"a,A,other`],
  ])('refuses a file it cannot read: %s', (_, csv) => {
    const problem = problemOf(() => unitsFromCsv(csv));
    expect(problem.status).toBe(400);
    expect(problem.message).toMatch(/^the CSV could not be read/);
  });

  it('a file with a header and no rows is an empty import, refused', () => {
    const problem = problemOf(() => unitsFromCsv(`${HEADER}\n`));
    expect(problem.extra.errors).toEqual([expect.objectContaining({ path: 'csv' })]);
  });
});

describe('the rules across an import and the directory', () => {
  const existing: DirectoryEntry[] = [
    { code: 'county-gov', kind: 'other', active: true },
    { code: 'office-county', kind: 'supervisionOffice', level: 'county', active: true },
  ];
  const u = (code: string, over: Partial<DirectoryEntry> = {}): DirectoryEntry => ({ code, kind: 'countyDepartment', active: true, ...over });

  it('a clean import: parents in the directory or later in the import, offices replacing themselves', () => {
    expect(importProblems([
      u('jtj', { parentCode: 'county-gov' }), u('road', { parentCode: 'water' }), u('water', { parentCode: 'county-gov' }),
      u('office-county', { kind: 'supervisionOffice', level: 'county', active: true }),
    ], existing)).toEqual([]);
  });

  it('reports every problem at once, each at its row', () => {
    const errors = importProblems([
      u('jtj'),
      u('jtj'),
      u('road', { parentCode: 'nowhere' }),
      u('loop-a', { parentCode: 'loop-b' }),
      u('loop-b', { parentCode: 'loop-a' }),
      u('office-2', { kind: 'supervisionOffice', level: 'county' }),
      u('jtj'),
    ], existing);
    expect(errors.map((e) => e.path)).toEqual([
      'units.1.code', 'units.2.parentCode', 'units.3.parentCode', 'units.4.parentCode', 'units.5.level', 'units.6.code',
    ]);
    expect(errors[1]!.message).toContain("no parent unit 'nowhere'");
    expect(errors[2]!.message).toContain('its own ancestor');
    expect(errors[4]!.message).toContain("'office-county', 'office-2'");
  });

  it('an office may take over its level when the old one is deactivated in the same import', () => {
    expect(importProblems([
      u('office-county', { kind: 'supervisionOffice', level: 'county', active: false }),
      u('office-2', { kind: 'supervisionOffice', level: 'county' }),
    ], existing)).toEqual([]);
  });

  it('re-parenting an existing unit under its own child is a cycle', () => {
    const tree: DirectoryEntry[] = [...existing, u('jtj', { parentCode: 'county-gov' }), u('road', { parentCode: 'jtj' })];
    expect(importProblems([u('jtj', { parentCode: 'road' })], tree).map((e) => e.path)).toEqual(['units.0.parentCode']);
  });
});
