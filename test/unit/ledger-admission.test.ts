/**
 * What the API adds to the ledger library for an import: 牵头领导 resolved to
 * a person, items held to POST /items' own rules with the failures put back
 * on their rows, what a file changes against earlier imports, and the weeks
 * and months the notices cover.
 */
import { admitPlan, type AdmissionContext } from '../../api/ledger-import/admission';
import { importDiff } from '../../api/ledger-import/import-diff';
import { importedItemId, itemKeyOf, maxKeyLength, toItemInput } from '../../api/ledger-import/item-input';
import { createLeaderResolver } from '../../api/ledger-import/leaders';
import { LedgerRowsRejected } from '../../api/ledger-import/rejection';
import { randomBytes } from 'node:crypto';
import { mapError } from '../../api/errors';
import { monthPeriod, weekPeriod } from '../../api/ledger-export/periods';
import { importLedger } from '../../api/ledger/import-ledger';
import type { ImportedPlan, ImportedRows } from '../../api/ledger/types';
import { createItemState } from '../../domain/create-item';
import { withOfficeRules } from '../../domain/policy';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import type { ItemInput } from '../../domain/types';
import { NOW, resolveUnit, row, samplePlan, sheetWith } from '../support/ledger-fixtures';

const people = [
  { id: 'leader-1', name: 'Li Lei' },
  { id: 'leader-1', name: '李雷' },
  { id: 'leader-7', name: '王芳' },
  { id: 'leader-8', name: '王芳' },
  { id: 'plan-leader' },
];

describe('牵头领导', () => {
  const resolve = createLeaderResolver(people);

  it.each([
    ['a name only one known person has', '李雷', { id: 'leader-1', name: '李雷' }],
    ['the name in the uploader\'s token', 'Li Lei', { id: 'leader-1', name: 'Li Lei' }],
    ['a known id', 'leader-7', { id: 'leader-7', name: '王芳' }],
    ['a plan leader known by id only', 'plan-leader', { id: 'plan-leader', name: 'plan-leader' }],
    ['姓名（账号）, full width', '王芳（leader-8）', { id: 'leader-8', name: '王芳' }],
    ['姓名(账号), half width, any account', '赵敏 (zhao.min@example.org)', { id: 'zhao.min@example.org', name: '赵敏' }],
  ])('%s', (_what, text, leader) => {
    expect(resolve(text)).toEqual({ ok: true, leader });
  });

  it('a name two people share asks for the account', () => {
    expect(resolve('王芳')).toEqual({ ok: false, message: '有 2 位领导名为“王芳”，请写成“姓名（账号）”以区分，如“王芳（leader-7）”' });
  });

  it('an unknown name, or an account with spaces, is refused', () => {
    expect(resolve('张无忌')).toMatchObject({ ok: false, message: expect.stringContaining('不在单位名录的领导中') });
    expect(resolve('张三（a b）')).toMatchObject({ ok: false });
  });
});

describe('item ids of an import', () => {
  it('join the plan and 事项编号, and read back', () => {
    expect(importedItemId('plan-2026', 'SX-001')).toBe('plan-2026:SX-001');
    expect(itemKeyOf('plan-2026', 'plan-2026:SX-001')).toBe('SX-001');
    expect(itemKeyOf('plan-2026', 'typed-by-hand')).toBe('typed-by-hand');
    expect(maxKeyLength('p'.repeat(40))).toBe(23);
  });
});

describe('admitPlan: POST /items\' rules, on the sheet\'s rows', () => {
  function rowsOf(plan: ImportedPlan): ImportedRows {
    let r = 1;
    return {
      items: new Map(plan.items.map((item) => {
        const first = r + 1;
        const tasks = new Map(item.tasks.map((t) => [t.id, ++r]));
        return [item.key, { row: first, problems: new Map(item.problems.map((p) => [p.id, first])), tasks }];
      })),
    };
  }
  const ctx = (over: Partial<AdmissionContext> = {}): AdmissionContext => ({
    plan: { id: 'plan-1', source: '省委巡视反馈' },
    uploader: { id: 'leader-1', name: 'Li Lei', role: 'leader' },
    nowMs: NOW.getTime(),
    resolveLeader: createLeaderResolver([{ id: 'leader-1', name: '李雷' }, { id: 'leader-3', name: '韩梅梅' }]),
    takenIds: async () => new Set(),
    ...over,
  });

  /** the body the import would start, as the sheet gives it (no policy: POST /items adds the office rules) */
  function admittedInput(plan: ImportedPlan): ItemInput {
    const item = plan.items[0]!;
    return { ...toItemInput({ id: 'plan-1', source: null }, item, { id: 'leader-1', name: '李雷' }) };
  }

  it('admits a valid plan as the bodies POST /items takes', async () => {
    const plan = samplePlan();
    const admission = await admitPlan(plan, rowsOf(plan), ctx());
    if (!admission.ok) throw new Error(JSON.stringify(admission.errors));
    expect(admission.items.map((a) => [a.itemId, a.row, a.position])).toEqual([['plan-1:SX-001', 2, 0], ['plan-1:SX-002', 5, 1]]);
    expect(admission.items[0]?.input).toMatchObject({
      id: 'plan-1:SX-001', planId: 'plan-1', source: '省委巡视反馈', category: '基础设施', leader: { id: 'leader-1', name: '李雷' },
      tasks: [{ id: 'T1', ownerUnit: 'JT', coOwners: ['XW'] }, { id: 'T2', coOwners: ['XW', 'CZ'] }, { id: 'T3' }],
    });
    expect(admission.items[0]?.input.tasks[2]).not.toHaveProperty('coOwners');
    expect(admission.items[0]?.contentFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('puts every refusal back on its row and column, in Chinese', async () => {
    const plan = samplePlan();
    const [first, second] = plan.items as [ImportedPlan['items'][number], ImportedPlan['items'][number]];
    first.tasks[1]!.ownerPerson = '王'.repeat(65);
    first.title = '道路\n整改';
    first.tasks[2]!.deadline = { kind: 'instant', at: '2150-12-31T23:59:59+08:00' };
    second.leaderName = '无名氏';
    const admission = await admitPlan(plan, rowsOf(plan), ctx());
    expect(admission.ok).toBe(false);
    if (admission.ok) return;
    expect(admission.errors).toEqual([
      { row: 2, column: '事项名称', message: '“事项名称”含有不允许的字符（换行、制表符、控制字符、文字方向控制符或不完整的 Unicode 字符），请删除后重新填写' },
      { row: 3, column: '责任人', message: '“责任人”不能超过 64 个字' },
      { row: 4, column: '完成时限', message: '完成时限须在 2000 年至 2099 年之间' },
      { row: 5, column: '牵头领导', message: expect.stringContaining('“无名氏”') },
    ]);
  });

  it('holds the item to the office rules POST /items starts it with: an item only they make too large is refused here, not in the background', async () => {
    // 380 short tasks: within the budget of an item without office rules (400), past the budget of one with them (373)
    const plan = samplePlan();
    const first = plan.items[0]!;
    first.tasks = Array.from({ length: 380 }, (_, i) => ({ ...first.tasks[0]!, id: `T${i}`, coOwners: [] }));
    first.problems = first.problems.slice(0, 1);
    plan.items = [first];
    const bare = admittedInput(plan);
    expect(() => createItemState(bare, ctx().uploader, NOW.getTime(), calendarForNewItem(NOW.getTime()))).not.toThrow();
    expect(() => createItemState({ ...bare, policy: withOfficeRules(bare.policy) }, ctx().uploader, NOW.getTime(), calendarForNewItem(NOW.getTime())))
      .toThrow(expect.objectContaining({ code: 'ITEM_TOO_LARGE' }));
    const admission = await admitPlan(plan, rowsOf(plan), ctx());
    expect(admission).toEqual({ ok: false, errors: [{ row: 2, column: '事项编号', message: '事项“SX-001”过大（问题、任务或文字过多），请拆分为多个事项' }] });
  });

  it('an item past its limits asks to be split; an id another item has is named', async () => {
    const plan = samplePlan();
    const first = plan.items[0]!;
    const task = first.tasks[0]!;
    first.tasks = Array.from({ length: 401 }, (_, i) => ({ ...task, id: `T${i}` }));
    const admission = await admitPlan(plan, rowsOf(plan), ctx({ takenIds: async (ids) => new Set(ids.filter((id) => id.endsWith('SX-002'))) }));
    if (admission.ok) throw new Error('expected refusals');
    expect(admission.errors).toEqual([
      { row: 2, column: '整改任务编号', message: '一个事项最多 400 个整改任务，请拆分为多个事项' },
      { row: 403, column: '事项编号', message: '事项编号“SX-002”在本方案中对应的事项（plan-1:SX-002）已由其他途径创建，请换一个事项编号' },
    ]);
  });
});

describe('the sheet\'s clean items come with its mistakes', () => {
  it('so the API can check them too and answer everything at once', async () => {
    const file = await sheetWith([row(), row({ 事项编号: 'SX-002', 完成时限: '2020-01-01' }), row({ 事项编号: 'SX-003' })]);
    const result = await importLedger(file, { now: NOW, resolveUnit });
    if (result.ok) throw new Error('expected mistakes');
    expect(result.errors.map((e) => e.row)).toEqual([3]);
    expect(result.clean?.plan.items.map((i) => i.key)).toEqual(['SX-001', 'SX-003']);
    expect(result.clean?.rows.items.get('SX-003')?.row).toBe(4);
  });

  it('and the answer lists them in sheet order, the first 200, and says how many more there are', () => {
    const errors = Array.from({ length: 1200 }, (_, i) => ({ row: 1200 - i, column: i % 2 ? '责任人' : '事项编号', message: 'x' }));
    const rejected = new LedgerRowsRejected(errors);
    expect(rejected.total).toBe(1200);
    expect(rejected.errors).toHaveLength(200);
    expect(rejected.errors.slice(0, 2).map((e) => e.row)).toEqual([1, 2]);
    expect(rejected.message).toBe('导入文件有 1200 处错误，均未导入，请改正后重新上传，以下列出前 200 处，另有 1000 处未列出');
  });

  it('a file with thousands of long wrong cells gets a small 422: 200 listed, each quoting only the start of its cell', async () => {
    const longs = Array.from({ length: 600 }, () => randomBytes(2_000).toString('hex'));
    const file = await sheetWith(longs.map((long, i) => row({ 整改任务编号: `T${i}`, 完成时限: long })));
    const result = await importLedger(file, { now: NOW, resolveUnit });
    if (result.ok) throw new Error('expected mistakes');
    expect(result.errors).toHaveLength(600);
    const { problem } = mapError(new LedgerRowsRejected(result.errors), 'rid');
    expect(problem).toMatchObject({ status: 422, code: 'LEDGER_INVALID', errorsTotal: 600 });
    expect(problem.errors).toHaveLength(200);
    expect(problem.detail).toContain('另有 400 处未列出');
    expect(problem.errors?.[0]?.message).toBe(`无法识别的完成时限“${longs[0]!.slice(0, 40)}…”（共 4000 字），请填写日期（如 2027-03-31）或“N个工作日”`);
    expect(JSON.stringify(problem).length).toBeLessThan(64 * 1024);
  });
});

describe('importDiff', () => {
  it('a first import adds everything', () => {
    expect(importDiff([], samplePlan().items)).toMatchObject({ summary: '新增事项 2 个（将创建）', itemsUnchanged: 0, itemsChanged: [], itemsNotInFile: [] });
  });

  it('names what is added, unchanged, changed (not applied) and missing from the file', () => {
    const earlier = samplePlan().items;
    const next = samplePlan().items.slice(0, 1);
    next[0]!.tasks[0]!.ownerPerson = '李四';
    next.push({ ...samplePlan().items[1]!, key: 'SX-009', title: '新事项' });
    const diff = importDiff(earlier, next);
    expect(diff.itemsAdded).toEqual([{ key: 'SX-009', title: '新事项' }]);
    expect(diff.itemsChanged).toMatchObject([{ key: 'SX-001', tasksChanged: [{ id: 'T1', changes: [{ field: '责任人', before: '张三', after: '李四' }] }] }]);
    expect(diff.itemsNotInFile).toEqual([{ key: 'SX-002', title: '惠民资金发放不及时' }]);
    expect(diff.summary).toBe('新增事项 1 个（将创建）；内容有变化 1 个（未应用：已导入的事项请通过延期、改派、新增任务等操作修改）；已导入但本文件未列出 1 个（保持不变）');
    expect(importDiff(earlier, samplePlan().items)).toMatchObject({ summary: '新增事项 0 个（将创建）；与已导入内容相同 2 个（不重复创建）', itemsUnchanged: 2 });
  });
});

describe('the periods of the notices, in China time', () => {
  const at = (iso: string) => Date.parse(iso);
  const TZ = 'Asia/Shanghai';

  it('a week runs Monday 00:00 to the next Monday 00:00, whichever of its days is named', () => {
    for (const day of ['2026-06-01', '2026-06-03', '2026-06-07']) {
      expect(weekPeriod(day, 0, TZ)).toEqual({ kind: 'week', label: '2026-06-01', from: '2026-05-31T16:00:00.000Z', to: '2026-06-07T16:00:00.000Z' });
    }
  });

  it('the current week is the one of today in China, not in UTC', () => {
    // Sunday 17:00 UTC is already Monday 01:00 in Shanghai
    expect(weekPeriod(undefined, at('2026-06-07T17:00:00Z'), TZ).label).toBe('2026-06-08');
    expect(weekPeriod(undefined, at('2026-06-07T15:00:00Z'), TZ).label).toBe('2026-06-01');
  });

  it('a month, or the previous one by default, across the turn of the year', () => {
    expect(monthPeriod('2026-12', 0, TZ)).toEqual({ kind: 'month', label: '2026-12', from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(monthPeriod(undefined, at('2027-01-01T00:30:00+08:00'), TZ, -1).label).toBe('2026-12');
    expect(monthPeriod(undefined, at('2027-01-01T00:30:00+08:00'), TZ).label).toBe('2027-01');
  });

  it('a day the calendar lacks is a refusal', () => {
    expect(() => weekPeriod('2026-02-30', 0, TZ)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
