/** The main views against a fake API: what each role sees, and how refusals read. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptyRecords, inbox, item, ranking, summary, task } from './fixtures';
import { pendingSession, receiveTokenFromUrl } from '../src/auth/receive-token';
import { loadSession, saveSession, sessionFromToken } from '../src/auth/session';
import { fakeApi, fakeToken, problem, renderAt } from './harness';

const itemRoutes = (over: Partial<Parameters<typeof item>[0]> = {}) => ({ ...emptyRecords, 'GET /items/road-7': { status: 200, body: item(over) } });

describe('dashboard', () => {
  it('counts items by light, sums overdue tasks, shows this week\'s escalations and the ranking', async () => {
    const sent = fakeApi({
      'GET /plans': { status: 200, body: { plans: [], nextCursor: null } },
      'GET /items': { status: 200, body: { items: [summary('a', 'red'), summary('b', 'red'), summary('c', 'yellow'), summary('d', 'green')], nextCursor: null } },
      'GET /escalations': { status: 200, body: { escalations: [{ itemId: 'a', taskId: 'T1', ownerUnit: 'unit-b', ownerUnitName: '县水利局', dueAt: '2027-01-01T00:00:00Z', rung: 0, level: 1, notify: ['ownerUnit'], firedAt: '2027-01-02T00:00:00Z', itemTitle: 'a', planId: null }], nextCursor: null } },
      'GET /units/ranking': { status: 200, body: ranking },
    });
    renderAt('/', { role: 'leader' });
    await waitFor(() => expect(within(screen.getByTestId('lights-red')).getByText('2')).toBeTruthy());
    expect(within(screen.getByTestId('lights-yellow')).getByText('1')).toBeTruthy();
    expect(within(screen.getByTestId('overdue-tasks')).getByText('2')).toBeTruthy();
    expect(within(screen.getByTestId('week-escalations')).getByText('1')).toBeTruthy();
    expect(screen.getByText('75%')).toBeTruthy();
    expect(screen.getAllByText('县水利局').length).toBeGreaterThan(0);
    const listCall = sent.find((s) => s.path === '/items');
    expect(new URLSearchParams(listCall?.search).get('status')).toBe('active');
    expect(listCall?.headers.get('Authorization')).toMatch(/^Bearer /);
  });

  it('shows a refusal as its title and detail', async () => {
    fakeApi({
      'GET /plans': { status: 200, body: { plans: [], nextCursor: null } },
      'GET /items': problem(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', 'PostgreSQL cannot be reached'),
      'GET /escalations': { status: 200, body: { escalations: [], nextCursor: null } },
      'GET /units/ranking': { status: 200, body: ranking },
    });
    renderAt('/', { role: 'supervisor' });
    expect(await screen.findByText('Service unavailable')).toBeTruthy();
    expect(screen.getByText('PostgreSQL cannot be reached')).toBeTruthy();
  });
});

describe('item page', () => {
  it('lists problems and tasks and a timeline of rungs and actions; a leader may cancel', async () => {
    fakeApi(itemRoutes());
    renderAt('/items/road-7', { role: 'leader', sub: 'leader-1' });
    expect(await screen.findByText('雨天无法通行')).toBeTruthy();
    expect(screen.getByText('修复村道 2 公里')).toBeTruthy();
    expect(await screen.findByText(/L1 · unit-a/)).toBeTruthy();
    expect(screen.getByText(/创建事项 · 李雷/)).toBeTruthy();
    expect(screen.getByRole('button', { name: '撤销事项' })).toBeTruthy();
  });

  it('renders no write control for a supervisor, on the item or the task', async () => {
    fakeApi(itemRoutes({ tasks: [task({ status: 'submitted', pendingExtension: { requestedAt: '2027-01-11T00:00:00Z', newDeadline: { kind: 'workingDays', days: 5 }, proposedDueAt: '2027-02-10T00:00:00Z' } })] }));
    const { unmount } = renderAt('/items/road-7', { role: 'supervisor' });
    await screen.findByText('雨天无法通行');
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).toEqual(['English', '退 出']);
    unmount();
    renderAt('/items/road-7/tasks/T1', { role: 'supervisor' });
    await screen.findByTestId('task-status');
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).toEqual(['English', '退 出']);
    expect(document.querySelectorAll('form, textarea, input').length).toBe(0);
  });

  it('an unknown task (another unit\'s, to an owner) reads as not found', async () => {
    fakeApi({ ...itemRoutes(), 'GET /items/road-7': { status: 200, body: item() } });
    renderAt('/items/road-7/tasks/T9', { role: 'owner', unit: 'unit-a' });
    expect(await screen.findByText('未找到该事项或任务（或无权查看）')).toBeTruthy();
  });
});

describe('task decisions', () => {
  it('a leader sees accept and send back on submitted work; a refused send-back keeps the reason typed', async () => {
    const sent = fakeApi({
      ...itemRoutes({ tasks: [task({ status: 'submitted', submission: { at: '2027-01-11T00:00:00Z', by: 'owner-a', evidence: ['evidence:abc', 'photo.jpg'] } })] }),
      'GET /items/road-7/tasks/T1/evidence': { status: 200, body: { files: [{ id: 'abc', ref: 'evidence:abc', name: '验收报告.pdf', sha256: 'x', contentType: 'application/pdf', size: 3 }] } },
      'POST /items/road-7/tasks/T1/send-back': problem(409, 'INVALID_TRANSITION', 'Not allowed in this state', 'task T1 is accepted'),
    });
    renderAt('/items/road-7/tasks/T1', { role: 'leader' });
    expect(await screen.findByText('验收报告.pdf')).toBeTruthy();
    const form = screen.getByTestId('send-back');
    fireEvent.change(within(form).getByLabelText('理由'), { target: { value: '报告未盖章' } });
    fireEvent.click(within(form).getByRole('button', { name: '退回整改' }));
    expect(await within(form).findByText('Not allowed in this state')).toBeTruthy();
    expect(within(form).getByText('task T1 is accepted')).toBeTruthy();
    expect((within(form).getByLabelText('理由') as HTMLTextAreaElement).value).toBe('报告未盖章');
    const post = sent.find((s) => s.method === 'POST');
    expect(post?.body).toEqual({ reason: '报告未盖章' });
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^console-/);
    expect(screen.getByTestId('accept')).toBeTruthy();
  });

  it('an owner reports progress with an uploaded file: the file goes first, its ref into the report', async () => {
    const sent = fakeApi({
      ...itemRoutes(),
      'POST /items/road-7/tasks/T1/evidence': { status: 201, body: { id: 'f1', ref: 'evidence:f1', sha256: 'h', name: '现场.jpg', contentType: 'image/jpeg', size: 4 } },
      'POST /items/road-7/tasks/T1/progress': { status: 200, body: { itemId: 'road-7', version: 4, status: 'active', duplicate: false } },
    });
    renderAt('/items/road-7/tasks/T1', { role: 'owner', unit: 'unit-a' });
    const form = await screen.findByTestId('report-progress');
    expect(screen.queryByTestId('accept')).toBeNull();
    fireEvent.change(within(form).getByLabelText('进展情况'), { target: { value: '已完成 1 公里' } });
    const file = new File(['jpeg'], '现场.jpg', { type: 'image/jpeg' });
    fireEvent.change(form.querySelector('input[type=file]')!, { target: { files: [file] } });
    fireEvent.click(within(form).getByRole('button', { name: '报送进展' }));
    await waitFor(() => expect(sent.some((s) => s.path.endsWith('/progress'))).toBe(true));
    const upload = sent.find((s) => s.path.endsWith('/evidence') && s.method === 'POST');
    expect(upload?.headers.get('X-File-Name')).toBe(encodeURIComponent('现场.jpg'));
    expect(sent.find((s) => s.path.endsWith('/progress'))?.body).toEqual({ percent: 40, text: '已完成 1 公里', evidence: ['evidence:f1'] });
  });

  it('a refused submission shows the API\'s field messages', async () => {
    fakeApi({
      ...itemRoutes(),
      'POST /items/road-7/tasks/T1/submit': problem(400, 'BAD_REQUEST', 'The request is malformed', 'invalid body', [{ path: 'body.evidence', message: 'at least one piece of evidence is required' }]),
    });
    renderAt('/items/road-7/tasks/T1', { role: 'owner', unit: 'unit-a' });
    const form = await screen.findByTestId('submit-task');
    fireEvent.change(within(form).getByLabelText('说明'), { target: { value: '已完工' } });
    fireEvent.click(within(form).getByRole('button', { name: '提交验收' }));
    expect(await within(form).findByText('The request is malformed')).toBeTruthy();
    expect(within(form).getAllByText(/at least one piece of evidence is required/).length).toBeGreaterThan(0);
    expect((within(form).getByLabelText('说明') as HTMLTextAreaElement).value).toBe('已完工');
  });
});

describe('owner inbox', () => {
  it('lists the unit\'s tasks nearest deadline first with lights', async () => {
    fakeApi({ 'GET /units/unit-a/tasks': { status: 200, body: inbox } });
    renderAt('/', { role: 'owner', unit: 'unit-a' });
    const list = await screen.findByTestId('inbox');
    await waitFor(() => expect(within(list).getAllByRole('link').length).toBe(2));
    expect(within(list).getAllByRole('link').map((a) => a.textContent)).toEqual(['村道整治 · T1', '路灯安装 · T2']);
    expect(within(screen.getByTestId('inbox-road-7-T1')).getByText('红灯')).toBeTruthy();
    expect(screen.queryByText('工作台')).toBeNull();
  });
});

describe('create item', () => {
  it('a refusal puts each message under its field and keeps what was typed', async () => {
    const sent = fakeApi({
      'GET /plans': { status: 200, body: { plans: [], nextCursor: null } },
      'GET /units': emptyRecords['GET /units'],
      'POST /items': problem(422, 'VALIDATION_FAILED', 'Against a rule', 'unit unit-z is not an active unit', [{ path: 'tasks.0.ownerUnit', message: 'unknown unit unit-z' }]),
    });
    renderAt('/items/new', { role: 'leader', sub: 'leader-1', name: '李雷' });
    fireEvent.change(await screen.findByLabelText('标题'), { target: { value: '村道整治' } });
    fireEvent.change(screen.getAllByLabelText('描述')[0]!, { target: { value: '雨天无法通行' } });
    fireEvent.change(screen.getAllByLabelText('描述')[1]!, { target: { value: '修复村道' } });
    fireEvent.change(screen.getByLabelText('责任人'), { target: { value: '王芳' } });
    // the unit select: pick through antd's listbox
    fireEvent.mouseDown(screen.getByLabelText('责任单位'));
    fireEvent.click(await screen.findByText('县交通运输局（unit-a）'));
    fireEvent.click(screen.getByRole('button', { name: '创 建' }));
    expect(await screen.findByText('Against a rule')).toBeTruthy();
    expect(await screen.findByText('unknown unit unit-z')).toBeTruthy();
    expect((screen.getByLabelText('标题') as HTMLInputElement).value).toBe('村道整治');
    const body = sent.find((s) => s.method === 'POST')?.body as { title: string; leader: unknown; tasks: Array<{ ownerUnit: string; deadline: unknown }> };
    expect(body.title).toBe('村道整治');
    expect(body.leader).toEqual({ id: 'leader-1', name: '李雷' });
    expect(body.tasks[0]).toMatchObject({ ownerUnit: 'unit-a', deadline: { kind: 'workingDays', days: 10 } });
  });
});

describe('sign-in', () => {
  it('without development tokens (production) offers only the token form, which reads the claims', async () => {
    fakeApi({ 'POST /dev/token': { status: 404, body: { title: 'Not found', status: 404, code: 'NOT_FOUND', detail: 'no route' } } });
    renderAt('/');
    const tab = await screen.findByRole('tab', { name: '令牌登录' });
    expect(tab).toBeTruthy();
    expect(screen.queryByRole('tab', { name: '开发环境登录' })).toBeNull();
    fireEvent.change(screen.getByLabelText('粘贴身份认证系统签发的令牌'), { target: { value: fakeToken({ role: 'supervisor', name: '赵敏' }) } });
    fireEvent.click(screen.getByRole('button', { name: '登 录' }));
    expect(await screen.findByText(/赵敏（督查人员）/)).toBeTruthy();
  });

  it('in development issues a token for the chosen role', async () => {
    const sent = fakeApi({
      'POST /dev/token': (body) => ({ status: 200, body: { token: fakeToken({ ...(body as { role: 'leader' }), sub: 'leader-1', name: '李雷' }) } }),
      'GET /units': emptyRecords['GET /units'],
      'GET /plans': { status: 200, body: { plans: [], nextCursor: null } },
      'GET /items': { status: 200, body: { items: [], nextCursor: null } },
      'GET /escalations': { status: 200, body: { escalations: [], nextCursor: null } },
      'GET /units/ranking': { status: 200, body: { planId: null, units: [] } },
    });
    renderAt('/');
    await screen.findByRole('tab', { name: '开发环境登录' });
    fireEvent.click(screen.getByRole('button', { name: '登 录' }));
    expect(await screen.findByText(/李雷（领导）/)).toBeTruthy();
    expect(sent.filter((s) => s.path === '/dev/token').at(-1)?.body).toMatchObject({ role: 'leader', sub: 'leader-1' });
  });

  it('a token that arrives in the address signs in only once the person confirms who they would be (a link cannot sign them in as someone else)', async () => {
    fakeApi({ 'POST /dev/token': { status: 404, body: { title: 'Not found', status: 404, code: 'NOT_FOUND', detail: 'no route' } } });
    const signedIn = sessionFromToken(fakeToken({ role: 'leader', name: '李雷' }))!;
    saveSession(signedIn);
    window.history.replaceState(null, '', `/console/#token=${encodeURIComponent(fakeToken({ role: 'owner', unit: 'unit-x', name: '陌生人' }))}`);
    receiveTokenFromUrl();
    expect(window.location.hash).toBe('');
    expect(loadSession()).toBeUndefined(); // the previous session is left, the new one not yet taken
    renderAt('/');
    expect(await screen.findByText('陌生人（责任单位 · unit-x）')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '取 消' }));
    expect(await screen.findByRole('tab', { name: '令牌登录' })).toBeTruthy();
    expect(loadSession()).toBeUndefined();
    expect(pendingSession()).toBeUndefined();

    window.history.replaceState(null, '', `/console/#token=${encodeURIComponent(fakeToken({ role: 'supervisor', name: '赵敏' }))}`);
    receiveTokenFromUrl();
    cleanup();
    renderAt('/');
    fireEvent.click(await screen.findByRole('button', { name: '登 录' }));
    expect(await screen.findByText(/赵敏（督查人员）/)).toBeTruthy();
    expect(loadSession()?.name).toBe('赵敏');
  });

  it('switches to English', async () => {
    fakeApi({ 'POST /dev/token': { status: 404, body: { title: 'Not found' } } });
    renderAt('/');
    fireEvent.click(await screen.findByRole('button', { name: 'English' }));
    expect(await screen.findByRole('tab', { name: 'Token sign-in' })).toBeTruthy();
  });
});

describe('item list', () => {
  it('sends the API\'s filters and pages on with the cursor', async () => {
    const sent = fakeApi({
      'GET /plans': { status: 200, body: { plans: [], nextCursor: null } },
      'GET /units': emptyRecords['GET /units'],
      'GET /items': { status: 200, body: { items: [summary('a', 'red', { title: '村道整治' })], nextCursor: 'abc' } },
    });
    renderAt('/items', { role: 'supervisor' });
    expect(await screen.findByRole('link', { name: '村道整治' })).toBeTruthy();
    expect(new URLSearchParams(sent.find((s) => s.path === '/items')?.search).get('status')).toBe('active');
    fireEvent.mouseDown(screen.getByRole('combobox', { name: '灯色' }));
    fireEvent.click(await screen.findByText('红灯', { selector: '.ant-select-item-option-content' }));
    fireEvent.click(screen.getByRole('button', { name: '筛 选' }));
    await waitFor(() => expect(sent.filter((s) => s.path === '/items').length).toBe(2));
    const filtered = new URLSearchParams(sent.filter((s) => s.path === '/items')[1]!.search);
    expect(filtered.get('light')).toBe('red');
    expect(filtered.get('status')).toBe('active');
    fireEvent.click(await screen.findByRole('button', { name: '加载更多' }));
    await waitFor(() => expect(new URLSearchParams(sent.filter((s) => s.path === '/items').at(-1)!.search).get('cursor')).toBe('abc'));
  });
});
