import { importLedger, type ImportOptions } from '../../api/ledger/import-ledger';
import { validateLedgerRows } from '../../api/ledger/import-validate';
import { buildImportTemplate } from '../../api/ledger/template';
import type { ImportError, ImportResult } from '../../api/ledger/types';
import { NOW, resolveUnit, row, samplePlan, sheetWith, UNITS } from '../support/ledger-fixtures';

const options: ImportOptions = { now: NOW, resolveUnit };

function errorsOf(result: ImportResult): ImportError[] {
  if (result.ok) throw new Error('expected the import to fail');
  return result.errors;
}

function planOf(result: ImportResult) {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.plan;
}

const ROW_KEYS = {
  itemKey: 'SX-001',
  itemTitle: '道路整改',
  problemId: 'P1',
  problemDescription: '道路不通',
  severity: '高',
  taskId: 'T1',
  taskDescription: '硬化路面',
  measures: '分段施工',
  ownerUnit: 'JT',
  ownerPerson: '张三',
  deadline: '2026-09-30',
  leader: '李雷',
};

describe('importLedger: round trip through the filled template', () => {
  it('reads back exactly the plan the template was filled with (formula-like text included)', async () => {
    const plan = samplePlan();
    const file = await buildImportTemplate({ plan, units: UNITS });
    expect(planOf(await importLedger(file, options))).toEqual(plan);
  });

  it('an empty template is refused for having no data rows, not for its guide sheet', async () => {
    const errors = errorsOf(await importLedger(await buildImportTemplate(), options));
    expect(errors).toEqual([{ row: 2, column: '事项编号', message: '表中没有需要导入的数据行' }]);
  });
});

describe('importLedger: Chinese text across the reader’s chunk boundaries', () => {
  // exceljs decodes 16 KiB chunks one by one; a large sheet of Chinese text is sure to split characters
  const rows = Array.from({ length: 1000 }, (_, i) =>
    row({ 整改任务编号: `T${i}`, 整改任务: `第${i}项整改任务：落实属地管理责任，完善长效机制，逐项销号`, 整改措施: `措施${i}：召开专题会议研究部署，明确时间表和路线图` }),
  );

  it('reads every character back from shared strings (as Excel writes them)', async () => {
    const plan = planOf(await importLedger(await sheetWith(rows), options));
    const tasks = plan.items[0]?.tasks ?? [];
    expect(tasks).toHaveLength(1000);
    expect(tasks.filter((t, i) => t.description !== rows[i]?.['整改任务'] || t.measures !== rows[i]?.['整改措施'])).toEqual([]);
  });

  it('reads every character back from in-cell strings (as the template writes them)', async () => {
    const plan = samplePlan();
    const base = plan.items[0]!.tasks[0]!;
    plan.items[0]!.tasks = Array.from({ length: 1000 }, (_, i) => ({ ...base, id: `T${i}`, description: `第${i}项整改任务：落实属地管理责任，完善长效机制，逐项销号` }));
    plan.items[0]!.problems = [plan.items[0]!.problems[0]!];
    expect(planOf(await importLedger(await buildImportTemplate({ plan }), options))).toEqual(plan);
  });
});

describe('importLedger: grouping', () => {
  it('groups rows by 事项编号, one problem per 问题编号, one task per row; later rows may leave shared cells blank', async () => {
    const file = await sheetWith([
      row({ 问题类别: '基础设施', 配合单位: '小王乡人民政府、SL,县财政局' }),
      // same item, same problem, only the task columns: inherits the rest
      { 事项编号: 'SX-001', 问题编号: 'P1', 整改任务编号: 'T2', 整改任务: '疏通沟渠', 整改措施: '清淤', 责任单位: 'SL', 责任人: '王五', 完成时限: '15个工作日' },
      // a second problem of the same item
      { 事项编号: 'SX-001', 问题编号: 'P2', 问题描述: '路灯缺失', 严重程度: '低', 整改任务编号: 'T3', 整改任务: '装灯', 整改措施: '招标采购', 责任单位: 'JT', 责任人: '张三', 完成时限: '2026-12-31' },
      row({ 事项编号: 'SX-002', 事项名称: '另一事项', 督战级别: undefined }),
    ]);
    const plan = planOf(await importLedger(file, options));
    expect(plan.items.map((i) => [i.key, i.problems.map((p) => p.id), i.tasks.map((t) => t.id)])).toEqual([
      ['SX-001', ['P1', 'P2'], ['T1', 'T2', 'T3']],
      ['SX-002', ['P1'], ['T1']],
    ]);
    const [first, second] = plan.items;
    expect(first?.problems[0]).toEqual({ id: 'P1', description: '道路雨天无法通行', severity: 'high' });
    // 问题类别 is the item's: given on its first row, inherited by the rest
    expect(first?.category).toBe('基础设施');
    expect(second?.category).toBeUndefined();
    expect(first?.tasks[0]?.coOwners.map((u) => u.code)).toEqual(['XW', 'SL', 'CZ']);
    expect(first?.tasks[1]).toMatchObject({ problemIds: ['P1'], ownerUnit: { code: 'SL', name: '县水利局' }, deadline: { kind: 'workingDays', days: 15 } });
    expect(second?.supervisionLevel).toBe('none');
  });

  it('keeps where each item, problem and task was written, beside the plan', async () => {
    const file = await sheetWith([
      row(),
      { 事项编号: 'SX-001', 问题编号: 'P2', 问题描述: '路灯缺失', 严重程度: '低', 整改任务编号: 'T2', 整改任务: '装灯', 整改措施: '招标采购', 责任单位: 'JT', 责任人: '张三', 完成时限: '2026-12-31' },
      row({ 事项编号: 'SX-002' }),
    ]);
    const result = await importLedger(file, options);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const first = result.rows.items.get('SX-001');
    expect(first?.row).toBe(2);
    expect([...(first?.problems ?? [])]).toEqual([['P1', 2], ['P2', 3]]);
    expect([...(first?.tasks ?? [])]).toEqual([['T1', 2], ['T2', 3]]);
    expect(result.rows.items.get('SX-002')?.row).toBe(4);
  });

  it('treats 问题类别 as the item’s: two categories in one item are a conflict', async () => {
    const file = await sheetWith([
      row({ 问题类别: '基础设施' }),
      { 事项编号: 'SX-001', 问题编号: 'P2', 问题描述: '资金', 问题类别: '惠民资金', 严重程度: '低', 整改任务编号: 'T2', 整改任务: '核对', 整改措施: '逐户核对', 责任单位: 'JT', 责任人: '张三', 完成时限: '2026-12-31' },
    ]);
    expect(errorsOf(await importLedger(file, options))).toEqual([
      { row: 3, column: '问题类别', message: '与第 2 行的问题类别“基础设施”不一致（同一事项的各行须一致）' },
    ]);
  });

  it('finds columns by header text, in any order, ignoring extra columns, spaces and a leading asterisk', async () => {
    const headers = ['备注', '*事项编号', '事项 名称', '问题编号', '问题描述', '严重程度', '整改任务编号', '整改任务', '整改措施', '责任单位', '责任人', '完成时限', '牵头领导'];
    const file = await sheetWith(
      [{ 备注: 'x', '*事项编号': 'A1', '事项 名称': '标题', 问题编号: 'P1', 问题描述: 'd', 严重程度: 'critical', 整改任务编号: 'T1', 整改任务: 't', 整改措施: 'm', 责任单位: 'JT', 责任人: 'p', 完成时限: '2026-07-01', 牵头领导: 'L' }],
      { headers },
    );
    const plan = planOf(await importLedger(file, options));
    expect(plan.items[0]).toMatchObject({ key: 'A1', title: '标题', problems: [{ severity: 'critical' }], tasks: [{ ownerUnit: { code: 'JT' } }] });
  });
});

describe('importLedger: every error at once, by row and Chinese column', () => {
  it('lists missing cells, unknown words, units, past dates, bad working days, duplicates and conflicts together', async () => {
    const file = await sheetWith([
      row(),
      row({ 整改任务编号: 'T1', 整改任务: '重复编号' }), // row 3: duplicate task id
      row({ 事项名称: '另一个名称', 整改任务编号: 'T3' }), // row 4: conflicting item title
      row({ 整改任务编号: 'T4', 严重程度: '很高', 督战级别: '乡级' }), // row 5: unknown words
      row({ 整改任务编号: 'T5', 责任单位: '县教育局', 配合单位: '县水利局、不存在的单位' }), // row 6
      row({ 整改任务编号: 'T6', 完成时限: '2026-05-31' }), // row 7: yesterday
      row({ 整改任务编号: 'T7', 完成时限: '0个工作日' }), // row 8
      row({ 整改任务编号: 'T8', 责任人: undefined, 整改任务: undefined, 整改措施: undefined }), // row 9: missing
      row({ 事项编号: '事项一', 整改任务编号: 'T9' }), // row 10: id alphabet
      row({ 整改任务编号: 'T10', 配合单位: '县交通运输局' }), // row 11: owner as co-owner
    ]);
    expect(errorsOf(await importLedger(file, options))).toEqual([
      { row: 3, column: '整改任务编号', message: '整改任务编号“T1”在事项“SX-001”中重复（第 2 行已使用）' },
      { row: 4, column: '事项名称', message: '与第 2 行的事项名称“农村道路通行条件整改”不一致（同一事项的各行须一致）' },
      { row: 5, column: '严重程度', message: '无法识别的严重程度“很高”，应为 低、中、高、严重 之一' },
      { row: 5, column: '督战级别', message: '无法识别的督战级别“乡级”，应为 省级、市级、县级、无 之一' },
      { row: 6, column: '责任单位', message: '单位“县教育局”不在单位名录中，请填写单位编码或单位全称' },
      { row: 6, column: '配合单位', message: '单位“不存在的单位”不在单位名录中，请填写单位编码或单位全称' },
      { row: 7, column: '完成时限', message: '完成时限 2026-05-31 已过，不得早于今天' },
      { row: 8, column: '完成时限', message: '工作日数“0”无效，须为 1 至 3650 之间的整数' },
      { row: 9, column: '整改任务', message: '“整改任务”不能为空' },
      { row: 9, column: '整改措施', message: '“整改措施”不能为空' },
      { row: 9, column: '责任人', message: '“责任人”不能为空' },
      { row: 10, column: '事项编号', message: '“事项编号”“事项一”无效：只能使用字母、数字和 . _ : -，且以字母或数字开头' },
      { row: 11, column: '配合单位', message: '配合单位中不能包含责任单位“县交通运输局”' },
    ]);
  });

  it('says which item or problem lacks a required shared field, and which problem has no task', async () => {
    const file = await sheetWith([
      row({ 事项名称: undefined, 牵头领导: undefined }),
      // P2 is only declared: no task content on its row, and no other row gives it one
      { 事项编号: 'SX-001', 问题编号: 'P2', 问题描述: '路灯缺失' },
    ]);
    expect(errorsOf(await importLedger(file, options))).toEqual([
      { row: 2, column: '事项名称', message: '事项“SX-001”未填写事项名称' },
      { row: 2, column: '牵头领导', message: '事项“SX-001”未填写牵头领导' },
      { row: 3, column: '严重程度', message: '问题“P2”未填写严重程度' },
      { row: 3, column: '整改任务编号', message: '问题“P2”没有整改任务，每个问题至少需要一项整改任务' },
    ]);
  });

  it('applies the injected text limits, counting Chinese characters as one each', async () => {
    const file = await sheetWith([row({ 事项名称: '十个字的事项名称啊', 整改措施: '措'.repeat(21) })]);
    const errors = errorsOf(await importLedger(file, { ...options, limits: { title: 8, measures: 20 } }));
    expect(errors).toEqual([
      { row: 2, column: '事项名称', message: '“事项名称”不能超过 8 个字（现为 9 个字）' },
      { row: 2, column: '整改措施', message: '“整改措施”不能超过 20 个字（现为 21 个字）' },
    ]);
    // and the defaults let the same sheet through
    expect((await importLedger(file, options)).ok).toBe(true);
  });

  it('reports a missing required column once, on the header row', async () => {
    const file = await sheetWith([{ 事项编号: 'A' }], { headers: ['事项编号', '事项名称', '问题编号'] });
    const errors = errorsOf(await importLedger(file, options));
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [1, '问题描述'],
      [1, '严重程度'],
      [1, '整改任务编号'],
      [1, '整改任务'],
      [1, '整改措施'],
      [1, '责任单位'],
      [1, '责任人'],
      [1, '完成时限'],
      [1, '牵头领导'],
    ]);
    expect(errors[0]?.message).toBe('缺少“问题描述”列，请使用导入模板');
  });

  it('refuses invisible control characters (NUL could never be stored)', () => {
    // exceljs drops them when writing XML, so the rule is checked on rows as a reader would hand them over
    const cells = (over: Record<string, string>) =>
      Object.fromEntries(Object.entries({ ...ROW_KEYS, ...over }).map(([k, v]) => [k, { kind: 'text' as const, text: v }]));
    const sheet = { sheetName: '整改台账', headerRow: 1, missingColumns: [], date1904: false, rows: [{ row: 2, cells: cells({ taskDescription: '硬化\u0000路面', ownerPerson: '张\u0007三' }) }] };
    expect(errorsOf(validateLedgerRows(sheet, options))).toEqual([
      { row: 2, column: '整改任务', message: '“整改任务”含有不可见的控制字符，请删除后重新填写' },
      { row: 2, column: '责任人', message: '“责任人”含有不可见的控制字符，请删除后重新填写' },
    ]);
  });

  it('names an Excel error value rather than calling the cell empty', async () => {
    const file = await sheetWith([row({ 责任人: { error: '#N/A' } })]);
    expect(errorsOf(await importLedger(file, options))).toEqual([{ row: 2, column: '责任人', message: '单元格为错误值 #N/A，请填写内容' }]);
  });
});
