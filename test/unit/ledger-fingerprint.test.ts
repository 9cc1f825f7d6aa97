import { diffImports, fingerprintPlan } from '../../api/ledger/import-fingerprint';
import { importLedger } from '../../api/ledger/import-ledger';
import { buildImportTemplate } from '../../api/ledger/template';
import type { ImportedPlan } from '../../api/ledger/types';
import { NOW, resolveUnit, samplePlan, UNITS } from '../support/ledger-fixtures';

const clone = (plan: ImportedPlan): ImportedPlan => structuredClone(plan);

describe('fingerprintPlan', () => {
  it('is a sha256 of the content, the same for the same plan however it was built', () => {
    const fp = fingerprintPlan(samplePlan());
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprintPlan(samplePlan())).toBe(fp);
  });

  it('ignores the order of items, problems, tasks and co-owners', () => {
    const shuffled = clone(samplePlan());
    shuffled.items.reverse();
    for (const item of shuffled.items) {
      item.problems.reverse();
      item.tasks.reverse();
      for (const t of item.tasks) t.coOwners.reverse();
    }
    expect(fingerprintPlan(shuffled)).toBe(fingerprintPlan(samplePlan()));
  });

  it.each<[string, (p: ImportedPlan) => void]>([
    ['a deadline', (p) => void (p.items[0]!.tasks[0]!.deadline = { kind: 'workingDays', days: 21 })],
    ['a task description', (p) => void (p.items[0]!.tasks[1]!.description += '。')],
    ['a severity', (p) => void (p.items[1]!.problems[0]!.severity = 'high')],
    ['the owner unit', (p) => void (p.items[0]!.tasks[2]!.ownerUnit = { code: 'SL', name: '县水利局' })],
    ['a missing optional field', (p) => void delete p.items[0]!.category],
    ['an item key', (p) => void (p.items[1]!.key = 'SX-003')],
  ])('changes when %s changes', (_what, change) => {
    const changed = clone(samplePlan());
    change(changed);
    expect(fingerprintPlan(changed)).not.toBe(fingerprintPlan(samplePlan()));
  });

  it('re-uploading the same plan through a fresh file gives the same fingerprint', async () => {
    const once = await importLedger(await buildImportTemplate({ plan: samplePlan(), units: UNITS }), { now: NOW, resolveUnit });
    const again = await importLedger(await buildImportTemplate({ plan: samplePlan() }), { now: NOW, resolveUnit });
    if (!once.ok || !again.ok) throw new Error('both imports should succeed');
    expect(fingerprintPlan(again.plan)).toBe(fingerprintPlan(once.plan));
    expect(fingerprintPlan(once.plan)).toBe(fingerprintPlan(samplePlan()));
  });
});

describe('diffImports', () => {
  it('says the same when nothing changed', () => {
    expect(diffImports(samplePlan(), samplePlan())).toEqual({ same: true, itemsAdded: [], itemsRemoved: [], itemsChanged: [], summary: '与上次导入的内容相同' });
  });

  it('lists items added and removed, and per item the fields, problems and tasks that changed, in the sheet’s words', () => {
    const next = clone(samplePlan());
    const road = next.items[0]!;
    road.title = '农村道路整改（修订）';
    road.supervisionLevel = 'city';
    road.problems[1]!.severity = 'high';
    road.tasks[0]!.deadline = { kind: 'workingDays', days: 30 };
    road.tasks[0]!.coOwners = [];
    road.tasks.splice(1, 1); // T2 removed
    road.tasks.push({ ...road.tasks[1]!, id: 'T4', description: '新增任务' });
    next.items.splice(1, 1); // SX-002 removed
    next.items.push({ ...samplePlan().items[1]!, key: 'SX-003', title: '新事项' });

    const diff = diffImports(samplePlan(), next);
    expect(diff.same).toBe(false);
    expect(diff.itemsAdded).toEqual([{ key: 'SX-003', title: '新事项' }]);
    expect(diff.itemsRemoved).toEqual([{ key: 'SX-002', title: '惠民资金发放不及时' }]);
    expect(diff.itemsChanged).toEqual([
      {
        key: 'SX-001',
        title: '农村道路整改（修订）',
        changes: [
          { field: '事项名称', before: '农村道路通行条件整改', after: '农村道路整改（修订）' },
          { field: '督战级别', before: '县级', after: '市级' },
        ],
        problemsAdded: [],
        problemsRemoved: [],
        problemsChanged: [{ id: 'P2', changes: [{ field: '严重程度', before: '中', after: '高' }] }],
        tasksAdded: ['T4'],
        tasksRemoved: ['T2'],
        tasksChanged: [
          {
            id: 'T1',
            changes: [
              { field: '配合单位', before: '小王乡人民政府（XW）', after: '' },
              { field: '完成时限', before: '2026-09-30', after: '30个工作日' },
            ],
          },
        ],
      },
    ]);
    expect(diff.summary).toBe('新增事项 1 个；删除事项 1 个；修改事项 1 个（修改问题 1 个，新增任务 1 项，删除任务 1 项，修改任务 1 项）');
  });
});
