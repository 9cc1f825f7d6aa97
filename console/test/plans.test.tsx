/** Plans: drawing one up, a ledger import refused with every mistake by row and column, nothing to write for a supervisor. */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, problem, renderAt } from './harness';

const plan = { id: 'county-2026', title: '2026年巡察整改', source: null, categories: [], leaderIds: ['leader-1'], createdBy: 'leader-1', createdAt: '2026-11-01T00:00:00Z' };

describe('plans', () => {
  it('a refused plan keeps what was typed and names the field', async () => {
    const sent = fakeApi({
      'GET /plans': { status: 200, body: { plans: [plan], nextCursor: null } },
      'POST /plans': problem(409, 'ALREADY_EXISTS', 'Already exists', "plan 'county-2026' exists", [{ path: 'body.id', message: 'taken' }]),
    });
    renderAt('/plans', { role: 'leader', sub: 'leader-1' });
    const card = await screen.findByTestId('new-plan');
    fireEvent.change(within(card).getByLabelText('计划编号'), { target: { value: 'county-2026' } });
    fireEvent.change(within(card).getByLabelText('标题'), { target: { value: '又一个计划' } });
    fireEvent.change(within(card).getByLabelText('牵头领导账号（多个用逗号分隔）'), { target: { value: 'leader-1, leader-2' } });
    fireEvent.click(within(card).getByRole('button', { name: '创 建' }));
    expect(await within(card).findByText('Already exists')).toBeTruthy();
    expect(await within(card).findByText('taken')).toBeTruthy();
    expect((within(card).getByLabelText('标题') as HTMLInputElement).value).toBe('又一个计划');
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ id: 'county-2026', title: '又一个计划', categories: [], leaderIds: ['leader-1', 'leader-2'] });
  });

  it('a ledger with mistakes lists each by row and column', async () => {
    fakeApi({
      'GET /plans': { status: 200, body: { plans: [plan], nextCursor: null } },
      'POST /plans/county-2026/ledger-imports': { status: 422, body: {
        title: 'The ledger has mistakes', status: 422, code: 'LEDGER_INVALID', detail: '2 mistakes', requestId: 'r',
        errors: [{ path: 'row 5', row: 5, column: '责任单位', message: '未知单位“县水务局”' }, { path: 'row 7', row: 7, column: '完成时限', message: '日期早于今天' }],
      } },
    });
    renderAt('/plans', { role: 'leader' });
    const card = await screen.findByTestId('ledger-import');
    fireEvent.mouseDown(within(card).getByRole('combobox', { name: '计划' }));
    fireEvent.click(await screen.findByText('2026年巡察整改', { selector: '.ant-select-item-option-content' }));
    const file = new File(['PK'], '台账.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    fireEvent.change(card.querySelector('input[type=file]')!, { target: { files: [file] } });
    fireEvent.click(await within(card).findByRole('button', { name: '导 入' }));
    expect(await within(card).findByText('The ledger has mistakes')).toBeTruthy();
    expect(within(card).getByText('5 责任单位: 未知单位“县水务局”')).toBeTruthy();
    expect(within(card).getByText('7 完成时限: 日期早于今天')).toBeTruthy();
  });

  it('a supervisor reads the plans and gets nothing to create or import', async () => {
    fakeApi({ 'GET /plans': { status: 200, body: { plans: [plan], nextCursor: null } } });
    renderAt('/plans', { role: 'supervisor' });
    expect(await screen.findByText('2026年巡察整改')).toBeTruthy();
    expect(screen.queryByTestId('new-plan')).toBeNull();
    expect(screen.queryByTestId('ledger-import')).toBeNull();
  });
});
