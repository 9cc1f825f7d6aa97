/**
 * The ledger's workbooks over HTTP against the real stack, read back with
 * exceljs: the import template (and a filled copy of it imported again), the
 * plan ledger after real commands, the weekly dispatch notice, the monthly
 * review report and the unit ranking notice, each with the read rights of the
 * API. The clock of the real stack cannot be moved, so what only time brings
 * (a dispatch, a monthly review, an escalation) is written into the read side
 * as the item's saves would write it, and said so where it is done.
 */
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { LEDGER_COLUMNS } from '../../api/ledger/export-ledger';
import { IMPORT_COLUMNS } from '../../api/ledger/import-columns';
import { readZipDirectory } from '../../api/ledger/zip-directory';
import { localDateString } from '../../domain/local-time';
import { sheetWith, type SheetRow } from '../support/ledger-fixtures';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, ensurePlan, eventually, projected, tokensFor, type ActorName } from './api-support';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const suffix = randomUUID().slice(0, 6);
const plan = `exp-${suffix}`;
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const due = (monthDay: string) => `${NEXT_YEAR}-${monthDay}`;
let firedAt: number;
const FORMULA_TASK = '=HYPERLINK("http://evil.example","点我")';

const ROWS: SheetRow[] = [
  {
    事项编号: 'SX-001', 事项名称: '农村道路通行条件整改', 问题编号: 'P1', 问题描述: '道路雨天无法通行', 问题类别: '基础设施', 严重程度: '高',
    整改任务编号: 'T1', 整改任务: '硬化路面', 整改措施: '分段施工', 责任单位: 'unit-a', 责任人: '张三', 配合单位: 'unit-c',
    完成时限: due('06-30'), 督战级别: '县级', 牵头领导: '李雷（leader-1）',
  },
  {
    事项编号: 'SX-001', 问题编号: 'P1', 整改任务编号: 'T2', 整改任务: '疏通沟渠', 整改措施: '汛期前清淤', 责任单位: 'unit-b', 责任人: '王五',
    完成时限: due('05-31'),
  },
  {
    事项编号: 'SX-002', 事项名称: '惠民资金发放不及时', 问题编号: 'P1', 问题描述: '-补贴迟发', 严重程度: '严重', 整改任务编号: 'T1',
    整改任务: FORMULA_TASK, 整改措施: '+财政局牵头', 责任单位: 'unit-a', 责任人: '@赵六', 完成时限: '10个工作日', 牵头领导: '李雷（leader-1）',
  },
];

async function load(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}

/** GET a workbook as `who`; the body as bytes. */
async function download(path: string, who: ActorName = 'leader') {
  return request(stack.app)
    .get(path)
    .set(bearer(tokens[who]))
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

const values = (ws: ExcelJS.Worksheet, row: number) => (ws.getRow(row).values as unknown[]).slice(1);

/** Data rows of a sheet whose header is on `headerRow`, until the first empty row. */
function dataRows(ws: ExcelJS.Worksheet, headerRow: number): unknown[][] {
  const out: unknown[][] = [];
  for (let r = headerRow + 1; ws.getRow(r).getCell(1).value !== null; r++) out.push(values(ws, r));
  return out;
}

const act = async (who: ActorName, path: string, body: object) => {
  const res = await request(stack.app).post(path).set(bearer(tokens[who])).send(body);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { version: number; itemId: string };
};

const item1 = `${plan}:SX-001`;
const item2 = `${plan}:SX-002`;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  await ensurePlan(stack, plan);
  const res = await request(stack.app).post(`/plans/${plan}/ledger-imports`).set(bearer(tokens.leader)).set('Content-Type', XLSX).send(await sheetWith(ROWS));
  if (res.status !== 202) throw new Error(`import: ${res.status} ${JSON.stringify(res.body)}`);
  await eventually(async () => {
    const job = await request(stack.app).get(`/plans/${plan}/ledger-imports/${res.body.import.id}`).set(bearer(tokens.leader));
    return job.body.status === 'succeeded' ? true : undefined;
  }, 30_000);
  await eventually(async () => ((await stack.pool.query('SELECT 1 FROM items WHERE plan_id = $1', [plan])).rowCount === 2 ? true : undefined));

  // real commands: progress on SX-001/T1; an approved extension on SX-001/T2; SX-002/T1 sent back once, then accepted
  const t = (item: string, task: string, what: string) => `/items/${encodeURIComponent(item)}/tasks/${task}/${what}`;
  await act('ownerA', t(item1, 'T1', 'progress'), { text: '已完成路基', percent: 40 });
  await act('ownerB', t(item1, 'T2', 'extension-requests'), { newDeadline: { kind: 'instant', at: `${due('07-15')}T18:00:00+08:00` }, reason: '雨季' });
  const extended = await act('leader', t(item1, 'T2', 'extension-decision'), { approve: true });
  await act('ownerA', t(item2, 'T1', 'submit'), { evidence: ['发放清单.pdf'] });
  await act('leader', t(item2, 'T1', 'send-back'), { reason: '缺签字' });
  await act('ownerA', t(item2, 'T1', 'submit'), { evidence: ['发放清单-已签字.pdf'] });
  const accepted = await act('leader', t(item2, 'T1', 'accept'), { note: '已核实' });
  await projected(stack, item1, extended.version);
  await projected(stack, item2, accepted.version);

  // What only time brings, written as the item's save would write it: T2 went overdue and climbed to level 2.
  await stack.pool.query(`UPDATE tasks SET light = 'red', escalation_level = 2, max_escalation_level = 2 WHERE item_id = $1 AND id = 'T2'`, [item1]);
  // It fired now, not some time ago: an hour ago is last month when the suite runs just after midnight in China.
  const fired = await stack.pool.query<{ ms: number }>(
    `INSERT INTO escalations (item_id, task_id, due_at, rung, level, owner_unit, notify, fired_at, units)
     VALUES ($1, 'T2', now() - interval '4 days', 2, 2, 'unit-b', '{itemLeader}', now(), '{unit-b}') RETURNING (extract(epoch FROM fired_at) * 1000)::float8 AS ms`,
    [item1],
  );
  firedAt = Number(fired.rows[0]!.ms);
});
afterAll(async () => stack?.stop());

describe('the import template', () => {
  it('anyone signed in downloads it: Chinese headers, dropdowns on the fixed columns, the units directory behind 责任单位', async () => {
    const res = await download('/ledger/template', 'ownerA');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('整改台账导入模板.xlsx')}`);
    const wb = await load(res.body);
    const ws = wb.getWorksheet('整改台账') as ExcelJS.Worksheet;
    expect(values(ws, 1)).toEqual(IMPORT_COLUMNS.map((c) => c.header));
    const dv = (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations.model;
    expect(dv.G2).toMatchObject({ type: 'list', formulae: ['"低,中,高,严重"'] });
    expect(dv.O2).toMatchObject({ type: 'list', formulae: ['"省级,市级,县级,无"'] });
    expect(dv.K2?.formulae?.[0]).toMatch(/^'单位名录'!\$B\$2:\$B\$\d+$/);
    const units = wb.getWorksheet('单位名录') as ExcelJS.Worksheet;
    expect(units.state).toBe('hidden');
    const listed: unknown[][] = [];
    units.eachRow((r, n) => n > 1 && listed.push(values(units, n)));
    expect(listed).toContainEqual(['unit-a', 'Unit A']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('filled in and uploaded, it is imported: export → import', async () => {
    const wb = await load((await download('/ledger/template')).body);
    const ws = wb.getWorksheet('整改台账') as ExcelJS.Worksheet;
    const row = { ...ROWS[0], 事项编号: 'TPL-1', 责任单位: 'Unit D' } as SheetRow;
    IMPORT_COLUMNS.forEach((c, i) => (ws.getRow(2).getCell(i + 1).value = (row[c.header] as string | undefined) ?? null));
    const target = `tpl-${suffix}`;
    await ensurePlan(stack, target);
    const res = await request(stack.app).post(`/plans/${target}/ledger-imports`).set(bearer(tokens.leader)).set('Content-Type', XLSX)
      .send(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.status).toBe(202);
    expect(res.body.import.items.total).toBe(1);
    await eventually(async () => ((await stack.pool.query('SELECT owner_unit FROM tasks WHERE item_id = $1', [`${target}:TPL-1`])).rows[0]?.owner_unit === 'unit-d' ? true : undefined), 20_000);
  });
});

describe('the template, filled as a person fills it', () => {
  it('imports exactly what was filled: Excel dates, numbers typed into text columns, dropdown choices, blanks under an item, the 说明 sheet left as it is', async () => {
    const wb = await load((await download('/ledger/template')).body);
    const ws = wb.getWorksheet('整改台账') as ExcelJS.Worksheet;
    const col = (header: string) => IMPORT_COLUMNS.findIndex((c) => c.header === header) + 1;
    const fill = (r: number, cells: Record<string, unknown>) => {
      for (const [header, value] of Object.entries(cells)) ws.getRow(r).getCell(col(header)).value = value as ExcelJS.CellValue;
      ws.getRow(r).commit();
    };
    // an Excel date is a Date at UTC midnight of the day typed; 序号 and 问题编号 typed as numbers; the dropdowns' own words
    fill(2, {
      序号: 1, 事项编号: 'RT-1', 事项名称: ' 村道整改 ', 问题编号: 1, 问题描述: '道路不通', 问题类别: '基础设施', 严重程度: '高', 整改任务编号: 'T1',
      整改任务: '硬化路面', 整改措施: '分段施工', 责任单位: 'Unit A', 责任人: '张三', 配合单位: 'Unit B、unit-c',
      完成时限: new Date(Date.UTC(NEXT_YEAR, 8, 30)), 督战级别: '市级', 牵头领导: '李雷（leader-1）',
    });
    // the next task of the same item: the item's and the problem's cells left blank, as the 说明 sheet's example shows
    fill(3, { 序号: 2, 事项编号: 'RT-1', 问题编号: 1, 整改任务编号: 'T2', 整改任务: '安装路灯', 整改措施: '纳入亮化工程', 责任单位: 'unit-b', 责任人: '李四', 完成时限: '十个工作日' });
    fill(4, {
      序号: 3, 事项编号: 'RT-2', 事项名称: '资金迟发', 问题编号: 'P1', 问题描述: '补贴迟发', 严重程度: '严重', 整改任务编号: 'T1', 整改任务: '补发',
      整改措施: '财政局牵头', 责任单位: 'unit-a', 责任人: '赵六', 完成时限: `${NEXT_YEAR}年3月31日`, 牵头领导: '李雷（leader-1）',
    });
    // a date shown the Chinese way, as Excel shows it once typed
    ws.getRow(2).getCell(col('完成时限')).numFmt = 'yyyy"年"m"月"d"日"';
    const target = `fill-${suffix}`;
    await ensurePlan(stack, target);
    const res = await request(stack.app).post(`/plans/${target}/ledger-imports`).set(bearer(tokens.leader)).set('Content-Type', XLSX)
      .send(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.body.errors ?? []).toEqual([]);
    expect(res.status).toBe(202);
    expect(res.body.import.items.total).toBe(2);
    const rt1 = await eventually(async () => {
      const item = await request(stack.app).get(`/items/${target}:RT-1`).set(bearer(tokens.leader));
      return item.status === 200 ? item.body : undefined;
    }, 20_000);
    expect(rt1).toMatchObject({ title: '村道整改', category: '基础设施', supervisionLevel: 'city', leader: { id: 'leader-1' } });
    expect(rt1.problems.map((p: any) => [p.id, p.description, p.severity])).toEqual([['1', '道路不通', 'high']]);
    expect(rt1.tasks.map((t: any) => [t.id, t.problemIds, t.ownerUnit, t.coOwners, t.deadline.spec])).toEqual([
      ['T1', ['1'], 'unit-a', ['unit-b', 'unit-c'], { kind: 'instant', at: `${NEXT_YEAR}-09-30T23:59:59+08:00` }],
      ['T2', ['1'], 'unit-b', [], { kind: 'workingDays', days: 10 }],
    ]);
    const rt2 = await request(stack.app).get(`/items/${target}:RT-2`).set(bearer(tokens.leader));
    expect(rt2.body.tasks[0].deadline.spec).toEqual({ kind: 'instant', at: `${NEXT_YEAR}-03-31T23:59:59+08:00` });
  });
});

describe('the plan ledger', () => {
  let ws: ExcelJS.Worksheet;
  let rows: Map<string, unknown[]>;
  let raw: Buffer;
  beforeAll(async () => {
    const res = await download(`/plans/${plan}/ledger`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    raw = res.body;
    ws = (await load(raw)).getWorksheet('整改台账') as ExcelJS.Worksheet;
    rows = new Map(dataRows(ws, 2).map((r) => [`${r[1]}/${r[5]}`, r]));
  });

  it('has a title, the header row and one row per task', () => {
    expect(String(ws.getCell('A1').value)).toMatch(new RegExp(`^Plan ${plan}整改台账（四项清单）（截至 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}）$`));
    expect(values(ws, 2)).toEqual(LEDGER_COLUMNS.map((c) => c.header));
    expect([...rows.keys()].sort()).toEqual(['SX-001/T1', 'SX-001/T2', 'SX-002/T1']);
  });

  it('reads back what was imported (round trip import → export)', () => {
    for (const source of ROWS) {
      const r = rows.get(`${source['事项编号']}/${source['整改任务编号']}`) as unknown[];
      const written = (text: unknown) => (/^[=+\-@]/.test(String(text)) ? `'${text}` : text);
      expect(r[6]).toBe(written(source['整改任务']));
      expect(r[7]).toBe(written(source['整改措施']));
      expect(r[9]).toBe(written(source['责任人']));
    }
    expect(rows.get('SX-001/T1')?.slice(1, 11)).toEqual(['SX-001', '农村道路通行条件整改', 'P1', '道路雨天无法通行', 'T1', '硬化路面', '分段施工', 'Unit A', '张三', 'Unit C']);
    expect(rows.get('SX-002/T1')?.[4]).toBe("'-补贴迟发");
  });

  it('shows status, light, last progress, days to the deadline, escalation level reached, extensions and reworks', () => {
    const t1 = rows.get('SX-001/T1') as unknown[];
    expect([t1[11], t1[12], t1[13]]).toEqual(['整改中', '绿灯', '已完成路基']);
    expect(t1[14]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(t1[15]).toBeGreaterThan(0);
    expect([t1[16], t1[17], t1[18], t1[19], t1[20]]).toEqual([due('06-30'), due('06-30'), '无', 0, 0]);

    const t2 = rows.get('SX-001/T2') as unknown[];
    expect([t2[11], t2[12], t2[16], t2[17], t2[18], t2[19], t2[20]]).toEqual(['已交办', '红灯', due('07-15'), due('05-31'), '2级', 1, 0]);

    const done = rows.get('SX-002/T1') as unknown[];
    // a closed task has no days left: the cell is empty
    expect([done[11], done[12], done[15], done[18], done[19], done[20]]).toEqual(['已销号', '—', undefined, '无', 0, 1]);
  });

  it('colours the light cells, freezes the headers and prints on A4 landscape', () => {
    const rowOf = (key: string) => 3 + dataRows(ws, 2).findIndex((r) => `${r[1]}/${r[5]}` === key);
    expect(ws.getRow(rowOf('SX-001/T2')).getCell(13).fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
    expect(ws.getRow(rowOf('SX-001/T1')).getCell(13).fill).toMatchObject({ fgColor: { argb: 'FFC6EFCE' } });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '2:2' });
    // exceljs reads Excel's default width (9) back as no width at all
    expect(LEDGER_COLUMNS.map((_, i) => ws.getColumn(i + 1).width ?? 9)).toEqual(LEDGER_COLUMNS.map((c) => c.width));
  });

  it('writes formula-looking text as text: no cell of the file holds a formula', async () => {
    const entry = readZipDirectory(raw, 100).find((e) => /xl\/worksheets\/sheet1\.xml$/.test(e.name));
    if (!entry) throw new Error('no sheet1.xml in the workbook');
    const sheetXml = inflateRawSync(raw.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize)).toString('utf8');
    expect(sheetXml).not.toMatch(/<f[ >]/);
    expect(sheetXml).toContain('&apos;=HYPERLINK(');
  });

  it('an owner gets the tasks of their unit only', async () => {
    const ownRows = async (who: ActorName) =>
      dataRows((await load((await download(`/plans/${plan}/ledger`, who)).body)).getWorksheet('整改台账') as ExcelJS.Worksheet, 2).map((r) => `${r[1]}/${r[5]}`);
    expect((await ownRows('ownerA')).sort()).toEqual(['SX-001/T1', 'SX-002/T1']);
    expect(await ownRows('ownerB')).toEqual(['SX-001/T2']);
  });

  it('an unknown plan is a 404', async () => {
    const res = await download(`/plans/none-${suffix}/ledger`);
    expect(res.status).toBe(404);
  });
});

describe('the weekly dispatch notice', () => {
  beforeAll(async () => {
    // the Monday dispatch of SX-001, as its save writes it: T2 overdue and stale, T1 heard from
    await stack.pool.query(
      `INSERT INTO dispatches (item_id, seq, at, open_tasks, stale_tasks, overdue_tasks, record)
       VALUES ($1, 900, now(), 2, 1, 1, jsonb_build_object('itemId', $1::text, 'seq', 900, 'at', now(), 'openTasks', 2, 'staleTasks', 1, 'overdueTasks', 1))`,
      [item1],
    );
    await stack.pool.query(
      `INSERT INTO dispatch_lines (item_id, seq, task_id, owner_unit, co_owners, owner_person, status, percent, last_progress_at, due_at, ms_to_deadline, light, stale)
       SELECT item_id, 900, id, owner_unit, co_owners, owner_person, status, percent, last_progress_at,
              CASE WHEN id = 'T2' THEN now() - interval '36 hours' ELSE due_at END,
              CASE WHEN id = 'T2' THEN -36 * 3600000 ELSE (extract(epoch FROM due_at - now()) * 1000)::bigint END,
              CASE WHEN id = 'T2' THEN 'red' ELSE light END, id = 'T2'
       FROM tasks WHERE item_id = $1`,
      [item1],
    );
  });

  it('lists the open tasks the week\'s dispatch found, overdue first, with the week and the totals', async () => {
    const res = await download(`/plans/${plan}/notices/dispatch`);
    expect(res.status).toBe(200);
    const ws = (await load(res.body)).getWorksheet('调度通报') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe(`Plan ${plan}整改工作调度通报`);
    expect(String(ws.getCell('A2').value)).toMatch(/^调度周期：\d{4}年\d{1,2}月\d{1,2}日—\d{4}年\d{1,2}月\d{1,2}日/);
    const lines = dataRows(ws, 3);
    expect(lines.map((l) => [l[1], l[3], l[5], l[7], l[13], l[14], l[15]])).toEqual([
      ['SX-001', 'T2', 'Unit B', '已交办', '红灯', '是', '是'],
      ['SX-001', 'T1', 'Unit A', '整改中', '绿灯', '否', '否'],
    ]);
    expect(lines[0]?.[12]).toBe(-2);
    expect(lines[1]?.[9]).toBe('已完成路基');
    expect(ws.getCell(`A${3 + lines.length + 2}`).value).toBe('合计：在办整改任务 2 项，其中超期 1 项、本周无进展 1 项；红灯 1 项、黄灯 0 项、绿灯 1 项。');
  });

  it('an owner gets their unit\'s lines; another week has none', async () => {
    const own = dataRows((await load((await download(`/plans/${plan}/notices/dispatch`, 'ownerB')).body)).getWorksheet('调度通报') as ExcelJS.Worksheet, 3);
    expect(own.map((l) => l[3])).toEqual(['T2']);
    const before = await download(`/plans/${plan}/notices/dispatch?week=2020-01-08`);
    const ws = (await load(before.body)).getWorksheet('调度通报') as ExcelJS.Worksheet;
    expect(ws.getCell('A2').value).toMatch(/^调度周期：2020年1月6日—2020年1月12日/);
    expect(dataRows(ws, 3)).toEqual([]);
  });

  it('a date that does not exist is a 422, a malformed one a 400', async () => {
    expect((await download(`/plans/${plan}/notices/dispatch?week=2026-02-30`)).status).toBe(422);
    expect((await download(`/plans/${plan}/notices/dispatch?week=last`)).status).toBe(400);
  });
});

describe('the monthly review report', () => {
  const month = '2030-04';
  beforeAll(async () => {
    // the reviews taken on 1 May 2030, as the items' saves write them
    const figures = (total: number, accepted: number, overdue: number, risk: string) => ({
      totalTasks: total, acceptedTasks: accepted, cancelledTasks: 0, completionRate: accepted / total, openProblems: 1, overdueCount: overdue,
      escalationsThisPeriod: overdue, reworksThisPeriod: 1, risk,
    });
    for (const [item, f, change] of [[item1, figures(2, 0, 1, 'high'), -10], [item2, figures(1, 1, 0, 'low'), undefined]] as const) {
      const record = { itemId: item, seq: 900, at: '2030-05-01T01:00:00.000Z', period: month, figures: f, ...(change !== undefined ? { completionRateChange: change } : {}) };
      await stack.pool.query(
        `INSERT INTO reviews (item_id, seq, at, period, completion_rate, overdue_count, risk, record) VALUES ($1, 900, $2, $3, $4, $5, $6, $7)`,
        [item, record.at, month, f.completionRate, f.overdueCount, f.risk, JSON.stringify(record)],
      );
    }
  });

  it('gives each item\'s review of the month, highest risk first, with the risk coloured', async () => {
    const res = await download(`/plans/${plan}/notices/review?month=${month}`, 'supervisor');
    expect(res.status).toBe(200);
    const ws = (await load(res.body)).getWorksheet('研判报告') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe(`Plan ${plan}整改工作研判报告（2030年4月）`);
    expect(dataRows(ws, 3)).toEqual([
      [1, 'SX-001', '农村道路通行条件整改', 2, 0, 0, -10, 1, 1, 1, '高'],
      [2, 'SX-002', '惠民资金发放不及时', 1, 1, 1, undefined, 0, 0, 1, '低'],
    ]);
    expect(ws.getCell('K4').fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
  });

  it('is for leaders and supervisors: an owner is refused', async () => {
    expect((await download(`/plans/${plan}/notices/review?month=${month}`, 'ownerA')).status).toBe(403);
    expect((await download(`/plans/${plan}/notices/review?month=2030-13`)).status).toBe(400);
  });
});

describe('the unit ranking notice', () => {
  it('ranks the plan\'s units over the chosen month: completion, overdue work, escalations and send-backs in it', async () => {
    // the month in China, where the notices count their periods: the one the test's actions fell in
    const month = localDateString(firedAt, 'Asia/Shanghai').slice(0, 7);
    const res = await download(`/plans/${plan}/notices/ranking?month=${month}`, 'ownerB');
    expect(res.status).toBe(200);
    const ws = (await load(res.body)).getWorksheet('排名通报') as ExcelJS.Worksheet;
    expect(String(ws.getCell('A2').value)).toMatch(/^统计周期：\d{4}年\d{1,2}月1日—/);
    expect(dataRows(ws, 3)).toEqual([
      [1, 'Unit A', 2, 1, 0.5, 0, 0, 1],
      [2, 'Unit B', 1, 0, 0, 0, 1, 0],
    ]);
    expect(ws.getCell('E4').numFmt).toBe('0.0%');
  });

  it('defaults to this week, is published to every unit, and takes a week or a month but not both', async () => {
    const week = await download(`/plans/${plan}/notices/ranking`, 'ownerA');
    expect(week.status).toBe(200);
    const ws = (await load(week.body)).getWorksheet('排名通报') as ExcelJS.Worksheet;
    expect(dataRows(ws, 3).map((l) => l[1])).toContain('Unit B');
    expect((await download(`/plans/${plan}/notices/ranking?week=2030-01-01&month=2030-01`)).status).toBe(422);
    expect((await download(`/plans/none-${suffix}/notices/ranking`)).status).toBe(404);
  });
});
