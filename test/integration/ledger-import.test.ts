/**
 * Importing a filled template into a plan over HTTP, against the real stack:
 * the file is checked as a whole (every mistake at once, nothing created),
 * accepted as a background job whose progress is polled, and its items are
 * started through POST /items' own path. Re-uploading creates nothing twice;
 * a changed file says what differs; refused files change nothing. Each job
 * is run by a workflow of its own in the workers (workflows/ledger-import.ts),
 * retried by Temporal through outages and worker restarts.
 */
import { createCalendarSource } from '../../api/calendar-source';
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { receiveUpload } from '../../api/ledger-import/upload';
import { startLedgerImport } from '../../api/ledger-import/workflow-start';
import { createItemWorker } from '../../worker/create-worker';
import { resumeLedgerImports } from '../../worker/ledger-import-start';
import { ledgerImportWorkflowId } from '../../workflows/messages';
import { startNewItem } from '../../api/start-item';
import { createItemGateway } from '../../api/item-gateway';
import { claimImport, finishImport, recordItem } from '../../db/repositories/ledger-imports';
import { getPlan } from '../../db/repositories/plans';
import { ole2With, sheetWith, workbookSkeleton, zipOf, type SheetRow } from '../support/ledger-fixtures';
import { startTestStack, testTemporalAddress, type TestStack } from '../support/stack';
import { ACTORS, bearer, ensurePlan, eventually, tokensFor, type ActorName } from './api-support';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const suffix = randomUUID().slice(0, 6);
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const due = (monthDay: string) => `${NEXT_YEAR}-${monthDay}`;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
  // 牵头领导 by name: the directory knows 李雷 as leader-1 (the tests' leader) and 韩梅梅 as leader-3
  await stack.pool.query(`UPDATE units SET leaders = $1 WHERE code = 'unit-a'`, [
    JSON.stringify([{ role: 'principal', personId: 'leader-1', name: '李雷' }, { role: 'deputy', personId: 'leader-3', name: '韩梅梅' }]),
  ]);
});
afterAll(async () => stack?.stop());

/** A row of the sheet: item SX-001, problem P1, task T1 unless overridden; units by code and by name. */
function sheetRow(over: SheetRow = {}): SheetRow {
  return {
    事项编号: 'SX-001', 事项名称: '农村道路通行条件整改', 问题编号: 'P1', 问题描述: '小王村道路雨天无法通行', 问题类别: '基础设施',
    严重程度: '高', 整改任务编号: 'T1', 整改任务: '硬化路面2公里', 整改措施: '分段施工，月底前完工', 责任单位: 'unit-a', 责任人: '张三',
    配合单位: 'Unit C', 完成时限: due('06-30'), 督战级别: '县级', 牵头领导: '李雷',
    ...over,
  };
}

/** Two items: SX-001 (two problems, three tasks) and SX-002 (one task, working days, led by 韩梅梅). */
function planRows(): SheetRow[] {
  return [
    sheetRow(),
    { 事项编号: 'SX-001', 问题编号: 'P1', 整改任务编号: 'T2', 整改任务: '疏通排水沟渠', 整改措施: '汛期前清淤', 责任单位: 'Unit B', 责任人: '王五', 完成时限: '20个工作日' },
    { 事项编号: 'SX-001', 问题编号: 'P2', 问题描述: '路灯缺失', 严重程度: '中', 整改任务编号: 'T3', 整改任务: '安装路灯40盏', 整改措施: '纳入亮化工程', 责任单位: 'unit-a', 责任人: '张三', 完成时限: due('09-30') },
    sheetRow({ 事项编号: 'SX-002', 事项名称: '惠民资金发放不及时', 问题描述: '补贴迟发', 问题类别: '惠民资金', 严重程度: '严重', 整改任务: '逐户核对并补发', 整改措施: '财政局牵头', 责任单位: 'unit-b', 配合单位: undefined, 完成时限: '10个工作日', 督战级别: '无', 牵头领导: '韩梅梅（leader-3）' }),
  ];
}

const upload = (planId: string, file: Buffer, who: ActorName = 'leader', type: string | null = XLSX) => {
  const req = request(stack.app).post(`/plans/${planId}/ledger-imports`).set(bearer(tokens[who]));
  if (type !== null) req.set('Content-Type', type);
  return req.send(file);
};

const getImport = (planId: string, importId: string, who: ActorName = 'leader') =>
  request(stack.app).get(`/plans/${planId}/ledger-imports/${importId}`).set(bearer(tokens[who]));

/** Polls the job until it is done; every answer on the way is kept, to check progress only moves forward. */
async function untilDone(planId: string, importId: string) {
  const seen: any[] = [];
  const done = await eventually(async () => {
    const res = await getImport(planId, importId);
    expect(res.status).toBe(200);
    seen.push(res.body);
    return res.body.status === 'succeeded' || res.body.status === 'failed' ? res.body : undefined;
  }, 50_000); // a loaded CI machine starts items slowly; the answer, not the time, is under test
  return { done, seen };
}

async function itemsOf(planId: string): Promise<string[]> {
  const { rows } = await stack.pool.query('SELECT id FROM items WHERE plan_id = $1 ORDER BY id', [planId]);
  return rows.map((r) => r.id);
}

const projectedItems = (planId: string, count: number) =>
  eventually(async () => ((await itemsOf(planId)).length >= count ? itemsOf(planId) : undefined), 20_000);

describe('a valid file', () => {
  const plan = `imp-${suffix}`;
  let importId: string;
  beforeAll(async () => ensurePlan(stack, plan));

  it('is accepted as a queued job (202), and the job is polled until its items are created', async () => {
    const res = await upload(plan, await sheetWith(planRows()));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ duplicate: false, retried: 0, import: { planId: plan, status: 'queued', progress: 0 } });
    expect(res.body.import.items).toEqual({ total: 2, created: 0, failed: 0, pending: 2, unchanged: 0, changed: 0 });
    expect(res.body.import.diff.summary).toBe('新增事项 2 个（将创建）');
    importId = res.body.import.id;
    expect(res.headers.location).toBe(`/plans/${plan}/ledger-imports/${importId}`);

    const { done, seen } = await untilDone(plan, importId);
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, failures: [], items: { total: 2, created: 2, failed: 0, pending: 0 } });
    const created = seen.map((s) => s.items.created as number);
    expect(created).toEqual([...created].sort((a, b) => a - b));
  });

  it('creates the items POST /items would: ids from the plan and 事项编号, units by code, leaders by name', async () => {
    expect(await projectedItems(plan, 2)).toEqual([`${plan}:SX-001`, `${plan}:SX-002`]);
    const first = await request(stack.app).get(`/items/${plan}:SX-001`).set(bearer(tokens.supervisor));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      planId: plan, title: '农村道路通行条件整改', category: '基础设施', supervisionLevel: 'county', leader: { id: 'leader-1', name: '李雷' },
      createdBy: ACTORS.leader.sub,
    });
    expect(first.body.problems.map((p: any) => [p.id, p.description, p.severity])).toEqual([
      ['P1', '小王村道路雨天无法通行', 'high'],
      ['P2', '路灯缺失', 'medium'],
    ]);
    expect(first.body.tasks.map((t: any) => [t.id, t.problemIds, t.ownerUnit, t.coOwners, t.measures, t.deadline.spec])).toEqual([
      ['T1', ['P1'], 'unit-a', ['unit-c'], '分段施工，月底前完工', { kind: 'instant', at: `${due('06-30')}T23:59:59+08:00` }],
      ['T2', ['P1'], 'unit-b', [], '汛期前清淤', { kind: 'workingDays', days: 20 }],
      ['T3', ['P2'], 'unit-a', [], '纳入亮化工程', { kind: 'instant', at: `${due('09-30')}T23:59:59+08:00` }],
    ]);
    const second = await request(stack.app).get(`/items/${plan}:SX-002`).set(bearer(tokens.supervisor));
    expect(second.body).toMatchObject({ leader: { id: 'leader-3', name: '韩梅梅' }, supervisionLevel: 'none', category: '惠民资金' });
  });

  it('the same file again: 200, the same job, nothing created twice — even re-saved with its rows in another order', async () => {
    const again = await upload(plan, await sheetWith(planRows()));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, retried: 0, import: { id: importId, status: 'succeeded' } });
    const reordered = await upload(plan, await sheetWith([...planRows()].reverse()));
    expect(reordered.status).toBe(200);
    expect(reordered.body.import.id).toBe(importId);
    const { rows } = await stack.pool.query('SELECT count(*) AS n FROM ledger_imports WHERE plan_id = $1', [plan]);
    expect(rows[0].n).toBe(1);
    expect(await itemsOf(plan)).toEqual([`${plan}:SX-001`, `${plan}:SX-002`]);
  });

  it('a changed file: creates only the new item, reports the changed one field by field and leaves it as it is', async () => {
    const rows = planRows();
    rows[0] = sheetRow({ 完成时限: due('07-31') });
    rows.push(sheetRow({ 事项编号: 'SX-003', 事项名称: '村务公开不规范', 问题描述: '公开栏长期未更新', 责任单位: 'unit-d', 配合单位: undefined }));
    const res = await upload(plan, await sheetWith(rows));
    expect(res.status).toBe(202);
    const job = res.body.import;
    expect(job.items).toMatchObject({ total: 1, unchanged: 1, changed: 1 });
    expect(job.diff).toMatchObject({
      summary:
        '新增事项 1 个（将创建）；与已导入内容相同 1 个（不重复创建）；内容有变化 1 个（未应用：已导入的事项请通过延期、改派、新增任务等操作修改）',
      itemsAdded: [{ key: 'SX-003', title: '村务公开不规范' }],
      itemsUnchanged: 1,
      itemsChanged: [{ key: 'SX-001', tasksChanged: [{ id: 'T1', changes: [{ field: '完成时限', before: due('06-30'), after: due('07-31') }] }] }],
      itemsNotInFile: [],
    });
    const { done } = await untilDone(plan, job.id);
    expect(done.items).toMatchObject({ created: 1, failed: 0 });
    expect(await projectedItems(plan, 3)).toEqual([`${plan}:SX-001`, `${plan}:SX-002`, `${plan}:SX-003`]);
    const first = await request(stack.app).get(`/items/${plan}:SX-001`).set(bearer(tokens.leader));
    expect(first.body.tasks[0].deadline.spec.at).toBe(`${due('06-30')}T23:59:59+08:00`);

    // a file that leaves items out: they stay, and the answer says so
    const partial = await upload(plan, await sheetWith([rows[4] as SheetRow]));
    expect(partial.status).toBe(202);
    expect(partial.body.import).toMatchObject({ status: 'succeeded', items: { total: 0, unchanged: 1, changed: 0 } });
    expect(partial.body.import.diff.itemsNotInFile.map((i: any) => i.key)).toEqual(['SX-001', 'SX-002']);
    expect(await itemsOf(plan)).toHaveLength(3);
  });

  it('lists the plan\'s imports, newest first', async () => {
    const res = await request(stack.app).get(`/plans/${plan}/ledger-imports`).set(bearer(tokens.supervisor));
    expect(res.status).toBe(200);
    expect(res.body.imports).toHaveLength(3);
    expect(res.body.imports[2].id).toBe(importId);
  });
});

describe('the same file after some of its days have passed', () => {
  const plan = `late-${suffix}`;
  const uploader = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };
  const DAY = 24 * 3600_000;
  beforeAll(async () => ensurePlan(stack, plan));
  const receive = async (file: Buffer, nowMs: number) =>
    receiveUpload({ pool: stack.pool, plan: (await getPlan(stack.pool, plan))!, uploader, nowMs }, file);

  it('is recognised as the import it is (no "deadline in the past"); a changed file judges only the days of the items it brings', async () => {
    const today = Date.now();
    const soon = new Date(today + 2 * DAY).toISOString().slice(0, 10);
    const rows = [sheetRow({ 事项编号: 'L-1', 完成时限: soon }), sheetRow({ 事项编号: 'L-2', 完成时限: due('06-30') })];
    const first = await receive(await sheetWith(rows), today);
    expect(first.kind).toBe('accepted');
    await startLedgerImport(stack.client, stack.taskQueue, first.job.id);
    await untilDone(plan, first.job.id);

    // a week later L-1's day has passed, and its co-owner unit has been deactivated: the same file is still that import
    const weekLater = today + 7 * DAY;
    await stack.pool.query(`UPDATE units SET active = false WHERE code = 'unit-c'`);
    try {
      const again = await receive(await sheetWith(rows), weekLater);
      expect(again).toMatchObject({ kind: 'duplicate', job: { id: first.job.id } });
    } finally {
      await stack.pool.query(`UPDATE units SET active = true WHERE code = 'unit-c'`);
    }

    // a file that adds an item: L-1 (started already) is not judged again; the new item's days are
    const grown = [...rows, sheetRow({ 事项编号: 'L-3', 完成时限: due('07-31') })];
    const changed = await receive(await sheetWith(grown), weekLater);
    expect(changed.kind).toBe('accepted');
    expect(changed.job.items).toMatchObject({ total: 1, unchanged: 2 });
    await startLedgerImport(stack.client, stack.taskQueue, changed.job.id);
    await untilDone(plan, changed.job.id);

    const late = [...grown, sheetRow({ 事项编号: 'L-4', 完成时限: soon })];
    await expect(receive(await sheetWith(late), weekLater)).rejects.toMatchObject({
      errors: [{ row: 5, column: '完成时限', message: `完成时限 ${soon} 已过，不得早于今天` }],
    });
    expect(await projectedItems(plan, 3)).toEqual([`${plan}:L-1`, `${plan}:L-2`, `${plan}:L-3`]);
  });
});

describe('a file with mistakes', () => {
  const plan = `bad-${suffix}`;
  beforeAll(async () => ensurePlan(stack, plan));

  it('answers every mistake at once, by row and column, in Chinese (422), and creates nothing', async () => {
    const file = await sheetWith([
      sheetRow(),
      sheetRow({ 整改任务编号: 'T2', 责任单位: '县教育局' }), // row 3: unknown unit
      sheetRow({ 整改任务编号: 'T3', 完成时限: '2020-05-31' }), // row 4: in the past
      sheetRow({ 整改任务编号: 'T4', 整改措施: undefined }), // row 5: no measure
      sheetRow({ 事项编号: 'SX-002', 牵头领导: '王二麻子' }), // row 6: a leader nobody knows
      sheetRow({ 事项编号: 'SX-003', 责任人: '张'.repeat(65) }), // row 7: longer than a name may be
    ]);
    const res = await upload(plan, file);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'LEDGER_INVALID', detail: '导入文件有 5 处错误，均未导入，请改正后重新上传' });
    expect(res.body.errors.map((e: any) => [e.row, e.column, e.message])).toEqual([
      [3, '责任单位', '单位“县教育局”不在单位名录中，请填写单位编码或单位全称'],
      [4, '完成时限', '完成时限 2020-05-31 已过，不得早于今天'],
      [5, '整改措施', '“整改措施”不能为空'],
      [6, '牵头领导', '牵头领导“王二麻子”不在单位名录的领导中，也不是本方案的负责领导：请填写名录中领导的姓名，或写成“姓名（账号）”'],
      [7, '责任人', '“责任人”不能超过 64 个字'],
    ]);
    expect(res.body.errors[0].path).toBe('第3行 责任单位');
    expect(await itemsOf(plan)).toEqual([]);
    const { rows } = await stack.pool.query('SELECT count(*) AS n FROM ledger_imports WHERE plan_id = $1', [plan]);
    expect(rows[0].n).toBe(0);
  });

  it('a 事项编号 that cannot make an item id, or names an item made otherwise, is a mistake of its row', async () => {
    const taken = `${plan}:SX-009`;
    const body = {
      id: taken, planId: plan, title: 'typed by hand', leader: { id: 'leader-1', name: 'Li Lei' },
      problems: [{ id: 'p1', description: 'd', severity: 'low' }],
      tasks: [{ id: 't1', problemIds: ['p1'], description: 't', ownerUnit: 'unit-a', ownerPerson: 'p', deadline: { kind: 'workingDays', days: 5 } }],
    };
    expect((await request(stack.app).post('/items').set(bearer(tokens.leader)).send(body)).status).toBe(201);
    await eventually(async () => ((await itemsOf(plan)).includes(taken) ? true : undefined));
    const res = await upload(plan, await sheetWith([sheetRow({ 事项编号: 'SX:1' }), sheetRow({ 事项编号: 'SX-009' })]));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ row: 2, column: '事项编号', message: '事项编号“SX:1”不能含有冒号（:）' }),
      expect.objectContaining({ row: 3, column: '事项编号', message: `事项编号“SX-009”在本方案中对应的事项（${taken}）已由其他途径创建，请换一个事项编号` }),
    ]);
  });
});

describe('refused files: a clear 4xx, and nothing changes', () => {
  const plan = `ref-${suffix}`;
  beforeAll(async () => ensurePlan(stack, plan));
  afterAll(async () => {
    const { rows } = await stack.pool.query('SELECT count(*) AS n FROM ledger_imports WHERE plan_id = $1', [plan]);
    expect(rows[0].n).toBe(0);
    expect(await itemsOf(plan)).toEqual([]);
  });

  it.each<[string, () => Promise<Buffer> | Buffer, string | null, number, string]>([
    ['a CSV sent as a spreadsheet', () => Buffer.from('事项编号,事项名称\nSX-001,道路\n'), XLSX, 415, 'NOT_A_WORKBOOK'],
    ['an empty body', () => Buffer.alloc(0), XLSX, 415, 'NOT_A_WORKBOOK'],
    ['a legacy .xls', () => ole2With(['Workbook']), 'application/octet-stream', 415, 'NOT_A_WORKBOOK'],
    ['a password-protected workbook', () => ole2With(['EncryptionInfo', 'EncryptedPackage']), XLSX, 422, 'ENCRYPTED_WORKBOOK'],
    ['a ZIP bomb (one entry inflating 1000:1)', () => zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(20 * 1024 * 1024) }]), XLSX, 422, 'ZIP_BOMB'],
    ['formulas', () => sheetWith([sheetRow({ 责任人: { formula: 'CONCATENATE("张","三")' } })]), XLSX, 422, 'FORMULA_CELLS'],
    ['a file over 10 MiB', () => Buffer.alloc(10 * 1024 * 1024 + 1), XLSX, 413, 'PAYLOAD_TOO_LARGE'],
    ['a CSV content type', () => Buffer.from('a,b\n'), 'text/csv', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form upload', () => Buffer.from('--x\r\n\r\n--x--\r\n'), 'multipart/form-data; boundary=x', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('%s', async (_what, make, type, status, code) => {
    const res = await upload(plan, await make(), 'leader', type);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:rectification:problem:${code.toLowerCase()}` });
  });

  it('says where the formulas are', async () => {
    const res = await upload(plan, await sheetWith([sheetRow({ 责任人: { formula: '1+1' } })]));
    expect(res.body.detail).toContain('整改台账!L2');
  });
});

describe('rights', () => {
  const plan = `rgt-${suffix}`;
  beforeAll(async () => ensurePlan(stack, plan));

  it.each<[ActorName, number]>([
    ['ownerA', 403],
    ['supervisor', 403],
    ['otherLeader', 403],
  ])('%s may not import into a plan (%i), and nothing is read or created', async (who, status) => {
    const res = await upload(plan, await sheetWith([sheetRow()]), who);
    expect(res.status).toBe(status);
    expect(await itemsOf(plan)).toEqual([]);
  });

  it('an unknown plan is a 404; an admin may import into any plan', async () => {
    expect((await upload(`none-${suffix}`, await sheetWith([sheetRow()]))).status).toBe(404);
    const res = await upload(plan, await sheetWith([sheetRow()]), 'admin');
    expect(res.status).toBe(202);
    await untilDone(plan, res.body.import.id);
  });

  it('owners may not read import jobs; an unknown job is a 404', async () => {
    const { rows } = await stack.pool.query('SELECT id FROM ledger_imports WHERE plan_id = $1', [plan]);
    expect((await getImport(plan, rows[0].id, 'ownerA')).status).toBe(403);
    expect((await getImport(plan, randomUUID(), 'supervisor')).status).toBe(404);
    expect((await getImport(`rgt-other-${suffix}`, rows[0].id, 'supervisor')).status).toBe(404);
  });
});

describe('the job outlives the process that runs it', () => {
  const plan = `restart-${suffix}`;
  const uploader = { id: ACTORS.leader.sub, name: ACTORS.leader.name, role: 'leader' as const };
  beforeAll(async () => ensurePlan(stack, plan));
  const accept = async (rows: SheetRow[]) => {
    const accepted = await receiveUpload({ pool: stack.pool, plan: (await getPlan(stack.pool, plan))!, uploader, nowMs: Date.now() }, await sheetWith(rows));
    expect(accepted.kind).toBe('accepted');
    return accepted.job;
  };
  const jobRow = async (id: string) =>
    (await stack.pool.query('SELECT status, lease_owner, attempts, created_items, failed_items FROM ledger_imports WHERE id = $1', [id])).rows[0];

  /** A worker of its own, on a task queue of its own (its items' workflows run there too); `client` starts the items. */
  async function ownWorker(taskQueue: string, client: Client): Promise<{ worker: Worker; stop(): Promise<void> }> {
    const connection = await NativeConnection.connect({ address: testTemporalAddress() });
    const bundlePath = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
    const worker = await createItemWorker({
      connection, namespace: stack.config.TEMPORAL_NAMESPACE, taskQueue, pool: stack.pool, client,
      workflowBundle: bundlePath ? { codePath: bundlePath } : undefined, shutdownGraceTimeMs: 0,
    });
    const running = worker.run();
    let stopped: Promise<void> | undefined;
    return {
      worker,
      stop: () => (stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })()),
    };
  }

  /** A client of a Temporal nobody answers at: every call fails at once as unavailable (no retries). */
  function unreachableTemporal(): Client {
    return new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }), namespace: stack.config.TEMPORAL_NAMESPACE });
  }

  /** A process took the job, started `itemId` and died before recording it: its lease has run out. */
  async function diedAfterStarting(jobId: string, itemId: string): Promise<void> {
    const gateway = createItemGateway({ temporal: stack.client, taskQueue: stack.taskQueue, calendars: createCalendarSource(stack.pool), idTaken: async () => false });
    const { rows: [started] } = await stack.pool.query(`SELECT input FROM ledger_import_items WHERE item_id = $1`, [itemId]);
    await startNewItem({ pool: stack.pool, items: gateway }, uploader, started.input);
    await stack.pool.query(
      `UPDATE ledger_imports SET status = 'running', lease_owner = 'dead-process', lease_until = now() - interval '1 second', attempts = 1 WHERE id = $1`,
      [jobId],
    );
  }

  it('a queued job without a workflow (accepted before imports ran as workflows) is picked up by the workers\' start, once', async () => {
    const job = await accept([sheetRow({ 事项编号: 'R-1' }), sheetRow({ 事项编号: 'R-2' })]);
    await expect(stack.client.workflow.getHandle(ledgerImportWorkflowId(job.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await resumeLedgerImports(stack.client, stack.pool, stack.taskQueue)).toContain(job.id);
    const { done } = await untilDone(plan, job.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, failures: [], items: { total: 2, created: 2, failed: 0 } });
    // finished: a later start leaves it alone
    expect(await resumeLedgerImports(stack.client, stack.pool, stack.taskQueue)).not.toContain(job.id);
  });

  it('a job whose process died mid-way is taken up: the item it had started is recognised, the rest created, none twice', async () => {
    const job = await accept(['SX-1', 'SX-2', 'SX-3'].map((key) => sheetRow({ 事项编号: key, 事项名称: `事项${key}` })));
    // the dead process had taken the job and started SX-1, but never recorded it
    await diedAfterStarting(job.id, `${plan}:SX-1`);
    expect(await resumeLedgerImports(stack.client, stack.pool, stack.taskQueue)).toContain(job.id);
    const { done } = await untilDone(plan, job.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, failures: [], items: { total: 3, created: 3, failed: 0 } });
    expect(await projectedItems(plan, 5)).toEqual(expect.arrayContaining([`${plan}:SX-1`, `${plan}:SX-2`, `${plan}:SX-3`]));
  });

  it('a death between starting an item and recording it: the item is recognised even when starting it again would now be refused', async () => {
    const job = await accept([sheetRow({ 事项编号: 'K-1', 责任单位: 'unit-e', 配合单位: undefined }), sheetRow({ 事项编号: 'K-2' })]);
    // the dead process had taken the job and started K-1; its death came before the job's rows were updated
    await diedAfterStarting(job.id, `${plan}:K-1`);
    // and before the job is taken up again, K-1's unit is deactivated: starting K-1 now would be refused
    await stack.pool.query(`UPDATE units SET active = false WHERE code = 'unit-e'`);
    try {
      await startLedgerImport(stack.client, stack.taskQueue, job.id);
      const { done } = await untilDone(plan, job.id);
      expect(done).toMatchObject({ status: 'succeeded', failures: [], items: { total: 2, created: 2, failed: 0 } });
    } finally {
      await stack.pool.query(`UPDATE units SET active = true WHERE code = 'unit-e'`);
    }
    const { rows: started } = await stack.pool.query(`SELECT item_id, status FROM ledger_import_items WHERE import_id = $1 ORDER BY item_id`, [job.id]);
    expect(started).toEqual([{ item_id: `${plan}:K-1`, status: 'created' }, { item_id: `${plan}:K-2`, status: 'created' }]);
  });

  it('a runner that lost its lease to another changes nothing: not the item, not the counters', async () => {
    const job = await accept([sheetRow({ 事项编号: 'Q-1' })]);
    expect(await claimImport(stack.pool, job.id, 'runner-a', 60_000)).not.toBeNull();
    // runner-a stalls past its lease; runner-b takes the job over
    await stack.pool.query(`UPDATE ledger_imports SET lease_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    expect(await claimImport(stack.pool, job.id, 'runner-b', 60_000)).not.toBeNull();
    // runner-a wakes up with an outcome of its own: it must not decide the item's fate any more
    expect(await recordItem(stack.pool, job.id, 'runner-a', `${plan}:Q-1`, { status: 'failed', code: 'INTERNAL', message: 'stale' }, 60_000)).toBe(false);
    const { rows: [item] } = await stack.pool.query(`SELECT status FROM ledger_import_items WHERE item_id = $1`, [`${plan}:Q-1`]);
    expect(item.status).toBe('pending');
    // runner-b, holding the job, finishes it
    expect(await recordItem(stack.pool, job.id, 'runner-b', `${plan}:Q-1`, { status: 'failed', code: 'X', message: 'm' }, 60_000)).toBe(true);
    expect(await finishImport(stack.pool, job.id, 'runner-b')).toBe(true);
    const { rows: [row] } = await stack.pool.query(`SELECT status, failed_items FROM ledger_imports WHERE id = $1`, [job.id]);
    expect(row).toEqual({ status: 'failed', failed_items: 1 });
  });

  it('a run finishing while the same file is uploaded again: the re-queued item is not left pending in a finished job', async () => {
    const rows = [sheetRow({ 事项编号: 'RQ-1' })];
    const job = await accept(rows);
    // a run took the job, and the item failed
    expect(await claimImport(stack.pool, job.id, 'runner-w', 60_000)).not.toBeNull();
    expect(await recordItem(stack.pool, job.id, 'runner-w', `${plan}:RQ-1`, { status: 'failed', code: 'X', message: 'm' }, 60_000)).toBe(true);
    // the same file again: its transaction has queued the failed item again and is held just before it commits
    let atPause!: () => void;
    const paused = new Promise<void>((resolve) => (atPause = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const pausing = {
      query: (...args: unknown[]) => (stack.pool.query as (...a: unknown[]) => unknown)(...args),
      connect: async () => {
        const client = await stack.pool.connect();
        return new Proxy(client, {
          get(target, prop) {
            if (prop === 'query') {
              return async (text: unknown, params?: unknown[]) => {
                if (text === 'SELECT * FROM ledger_imports WHERE id = $1') {
                  atPause();
                  await resumed;
                }
                return target.query(text as string, params);
              };
            }
            const value = (target as any)[prop];
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    } as unknown as typeof stack.pool;
    const again = receiveUpload({ pool: pausing, plan: (await getPlan(stack.pool, plan))!, uploader, nowMs: Date.now() }, await sheetWith(rows));
    await paused;
    // meanwhile the run found nothing pending (the re-upload not committed yet) and ends the job: it waits for the job's row
    const finishing = finishImport(stack.pool, job.id, 'runner-w');
    await eventually(async () => {
      const { rows: waiting } = await stack.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ledger_imports%'`,
      );
      return waiting.length > 0 ? true : undefined;
    }, 5_000);
    resume();
    const reupload = await again;
    expect(reupload).toMatchObject({ kind: 'duplicate', retried: 1 });
    await finishing;
    const { rows: [row] } = await stack.pool.query(`SELECT status FROM ledger_imports WHERE id = $1`, [job.id]);
    const { rows: [item] } = await stack.pool.query(`SELECT status FROM ledger_import_items WHERE item_id = $1`, [`${plan}:RQ-1`]);
    // a pending item belongs to a job still to run (queued or running), which a run will take up
    expect(item.status).toBe('pending');
    expect(['queued', 'running']).toContain(row.status);
    // and the run of the job's workflow (the re-upload's hand-over), once the stale run's lease is gone, creates it
    await stack.pool.query(`UPDATE ledger_imports SET lease_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    await startLedgerImport(stack.client, stack.taskQueue, job.id);
    const { done } = await untilDone(plan, job.id);
    expect(done).toMatchObject({ status: 'succeeded', failures: [], items: { total: 1, created: 1, failed: 0 } });
  });

  it('Temporal down for the item starts: the job is paused and handed back, Temporal retries it, and once it is back every item is created, none failed', async () => {
    const taskQueue = `imp-down-${randomUUID()}`;
    const job = await accept([sheetRow({ 事项编号: 'P-1' }), sheetRow({ 事项编号: 'P-2' })]);
    const cutOff = await ownWorker(taskQueue, unreachableTemporal());
    let back: Awaited<ReturnType<typeof ownWorker>> | undefined;
    try {
      await startLedgerImport(stack.client, taskQueue, job.id);
      const handle = stack.client.workflow.getHandle(ledgerImportWorkflowId(job.id));
      // the attempt ended paused: a retryable failure Temporal holds on to, the job handed back, nothing failed
      const failure = await eventually(async () => {
        const pending = (await handle.describe()).raw.pendingActivities?.[0];
        return pending?.lastFailure?.message ? pending.lastFailure : undefined;
      }, 30_000);
      expect(failure.message).toMatch(/^paused, a dependency is unavailable/);
      expect(failure.applicationFailureInfo?.nonRetryable).toBeFalsy();
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(await jobRow(job.id)).toMatchObject({ status: 'running', lease_owner: null, created_items: 0, failed_items: 0 });
      // Temporal is reachable again (a worker whose client reaches it); the retry finishes the job
      await cutOff.stop();
      back = await ownWorker(taskQueue, stack.client);
      const { done } = await untilDone(plan, job.id);
      expect(done).toMatchObject({ status: 'succeeded', failures: [], items: { total: 2, created: 2, failed: 0 } });
      expect(done.attempts).toBeGreaterThanOrEqual(2);
      await handle.result();
    } finally {
      await cutOff.stop();
      await back?.stop();
    }
  });

  it('a worker stopped mid-import: it hands the job back, and the retry on another worker finishes it with every item created once', async () => {
    const taskQueue = `imp-stop-${randomUUID()}`;
    const keys = Array.from({ length: 10 }, (_, i) => `W-${i + 1}`);
    const job = await accept(keys.map((key) => sheetRow({ 事项编号: key, 事项名称: `事项${key}` })));
    const first = await ownWorker(taskQueue, stack.client);
    let second: Awaited<ReturnType<typeof ownWorker>> | undefined;
    // every item's start reads its plan: held up on the plans table, the first batch is in flight when the worker stops
    // (connections of their own: the batch holds the pool's while it waits)
    const lock = new PgClient({ connectionString: stack.config.DATABASE_URL });
    const probe = new PgClient({ connectionString: stack.config.DATABASE_URL });
    await lock.connect();
    await probe.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE plans IN ACCESS EXCLUSIVE MODE');
      await startLedgerImport(stack.client, taskQueue, job.id);
      await eventually(async () => {
        const { rows } = await probe.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'plans'::regclass`);
        return rows[0].n > 0 ? true : undefined;
      }, 30_000);
      const stopping = first.stop();
      // the worker's shutdown cancels the activity at once; give the cancellation a moment to arrive before the batch goes on
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await lock.query('ROLLBACK');
      await stopping;
      // the batch in flight was recorded, the rest left pending, and the job handed back
      const handedBack = await jobRow(job.id);
      expect(handedBack).toMatchObject({ status: 'running', lease_owner: null, attempts: 1, failed_items: 0 });
      expect(handedBack.created_items).toBeGreaterThan(0);
      expect(handedBack.created_items).toBeLessThan(keys.length);

      second = await ownWorker(taskQueue, stack.client);
      const { done } = await untilDone(plan, job.id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2, failures: [], items: { total: keys.length, created: keys.length, failed: 0 } });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
      await probe.end();
      await first.stop();
      await second?.stop();
    }
    const ids = keys.map((key) => `${plan}:${key}`);
    const { rows } = await stack.pool.query(`SELECT item_id, status FROM ledger_import_items WHERE import_id = $1 ORDER BY position`, [job.id]);
    expect(rows).toEqual(ids.map((item_id) => ({ item_id, status: 'created' })));
    // each item's workflow started once: one run under its id, created by the uploader
    for (const id of ids) {
      const runs = [];
      for await (const run of stack.client.workflow.list({ query: `WorkflowId = 'rectification-item:${id}'` })) runs.push(run);
      expect(runs.length).toBeLessThanOrEqual(1);
    }
    await eventually(async () => ((await itemsOf(plan)).filter((id) => id.includes(':W-')).length === keys.length ? true : undefined), 20_000);
  });

  it('an upload Temporal cannot take answers 503 naming the job it kept, queued with nothing created; the same upload later starts it', async () => {
    const cutOff = createApp({ config: stack.config, temporal: unreachableTemporal(), pool: stack.pool, logger: pino({ level: 'silent' }) });
    const file = await sheetWith([sheetRow({ 事项编号: 'U-1' }), sheetRow({ 事项编号: 'U-2' })]);
    const refused = await request(cutOff).post(`/plans/${plan}/ledger-imports`).set(bearer(tokens.leader)).set('Content-Type', XLSX).send(file);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(refused.headers['retry-after']).toBeDefined();
    const kept = /import ([0-9a-f-]{36})/.exec(String(refused.body.detail))?.[1];
    expect(kept).toBeDefined();
    const queued = await getImport(plan, kept!);
    expect(queued.body).toMatchObject({ status: 'queued', items: { total: 2, created: 0, failed: 0, pending: 2 } });
    expect((await itemsOf(plan)).filter((id) => id.includes(':U-'))).toEqual([]);

    const again = await upload(plan, file);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, import: { id: kept, status: 'queued' } });
    const { done } = await untilDone(plan, kept!);
    expect(done).toMatchObject({ status: 'succeeded', items: { created: 2, failed: 0 } });
  });

  it('an item that fails to start is listed with its row; the same file again retries it (a new run of the finished workflow), not while Temporal is down', async () => {
    const rows = [sheetRow({ 事项编号: 'F-1' }), sheetRow({ 事项编号: 'F-2', 责任单位: 'unit-e' })];
    const file = await sheetWith(rows);
    const job = await accept(rows);
    // between the upload and the start, unit-e is deactivated: POST /items' own check refuses its item
    await stack.pool.query(`UPDATE units SET active = false WHERE code = 'unit-e'`);
    const handle = stack.client.workflow.getHandle(ledgerImportWorkflowId(job.id));
    let firstRun: string;
    try {
      await startLedgerImport(stack.client, stack.taskQueue, job.id);
      const { done } = await untilDone(plan, job.id);
      expect(done).toMatchObject({ status: 'failed', items: { total: 2, created: 1, failed: 1 } });
      expect(done.failures).toEqual([
        { itemId: `${plan}:F-2`, itemKey: 'F-2', row: 3, code: 'VALIDATION_FAILED', message: expect.stringContaining('unit-e') },
      ]);
      await handle.result();
      firstRun = (await handle.describe()).runId;
    } finally {
      await stack.pool.query(`UPDATE units SET active = true WHERE code = 'unit-e'`);
    }
    // the same file while Temporal cannot be reached: 503; its failed item is queued again and waits, nothing lost
    const cutOff = createApp({ config: stack.config, temporal: unreachableTemporal(), pool: stack.pool, logger: pino({ level: 'silent' }) });
    const refused = await request(cutOff).post(`/plans/${plan}/ledger-imports`).set(bearer(tokens.leader)).set('Content-Type', XLSX).send(file);
    expect(refused.status).toBe(503);
    const kept = await getImport(plan, job.id);
    expect(kept.body).toMatchObject({ status: 'queued', items: { created: 1, failed: 0, pending: 1 } });

    // and again once Temporal is back: the same job, handed over
    const again = await upload(plan, file);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, retried: 0, import: { id: job.id, status: 'queued' } });
    const { done } = await untilDone(plan, job.id);
    expect(done).toMatchObject({ status: 'succeeded', failures: [], items: { created: 2, failed: 0 } });
    expect((await handle.describe()).runId).not.toBe(firstRun!);
    // both items of this file on the read side (waited for by name: the plan's count depends on the tests before)
    const fItems = async () => (await itemsOf(plan)).filter((id) => id.includes(':F-'));
    expect(await eventually(async () => ((await fItems()).length >= 2 ? fItems() : undefined), 20_000)).toEqual([`${plan}:F-1`, `${plan}:F-2`]);
  });
});
