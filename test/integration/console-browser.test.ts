/**
 * The console in Debian's Chromium against the real stack (API, worker,
 * Temporal dev server, PostgreSQL): a leader creates an item, the owner
 * reports progress and submits with a file, the leader sends it back and then
 * accepts it, and the dashboard's lights and ranking follow; a supervisor sees
 * no write control; an owner cannot reach another unit's task by URL; axe
 * finds no serious or critical violation; screenshots at desktop and phone size.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestStack, type TestStack } from '../support/stack';
import { axeViolations, choose, launchChromium, REPO, serveConsole, signIn, type Browser, type Page } from './console-support';

const SHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? path.join(REPO, 'test-results', 'screenshots');
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 375, height: 812 };

let stack: TestStack;
let browser: Browser;
let site: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  stack = await startTestStack({ apiEnv: { EVIDENCE_DIR: mkdtempSync(path.join(tmpdir(), 'console-evidence-')) } });
  site = await serveConsole(stack);
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await stack?.stop();
});

/** the ranking row of a unit on the dashboard, as text */
async function rankingRow(page: Page, unitName: string): Promise<string> {
  const row = page.getByTestId('ranking').locator('tr').filter({ hasText: unitName });
  await row.first().waitFor();
  return (await row.first().innerText()).replace(/\s+/g, ' ');
}

async function lightCount(page: Page, light: string): Promise<number> {
  const text = await page.getByTestId(`lights-${light}`).locator('.ant-statistic-content-value').innerText();
  return Number(text.replace(/\D/g, ''));
}

async function expectNoSeriousViolations(page: Page, what: string) {
  const violations = await axeViolations(page);
  expect({ what, violations }).toEqual({ what, violations: [] });
}

/** The probe's value once `ok` holds for it, or its last value after the time is up (the assertion then fails with it). */
async function settle<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined as T);
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const evidenceFile = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n`) });

test('a leader creates an item, the owner reports and submits with a file, the leader sends back then accepts; the dashboard follows', async () => {
  const leader = await signIn(browser, site.url, 'leader', { sub: 'leader-1', name: '李雷' });

  // the dashboard before: Unit C has no task yet
  await leader.getByTestId('lights-green').waitFor();
  const greenBefore = await lightCount(leader, 'green');

  // create the item through the form
  await leader.getByRole('link', { name: '新建事项' }).click();
  await leader.getByLabel('事项编号').fill('console-road-1');
  await leader.getByLabel('标题', { exact: true }).fill('村道整治（浏览器测试）');
  await leader.getByLabel('描述').nth(0).fill('雨天村道无法通行');
  await leader.getByLabel('描述').nth(1).fill('修复村道 2 公里');
  await choose(leader, '责任单位', /Unit C/);
  await leader.getByLabel('责任人').fill('王芳');
  await leader.getByRole('button', { name: '创 建' }).click();
  await leader.waitForURL(/\/console\/items\/console-road-1$/);
  await leader.getByText('修复村道 2 公里').waitFor();

  await leader.getByRole('link', { name: '工作台' }).click();
  expect(await settle(() => lightCount(leader, 'green'), (v) => v === greenBefore + 1)).toBe(greenBefore + 1);
  expect(await rankingRow(leader, 'Unit C')).toMatch(/Unit C 0% 0\/1/);

  // the owner: inbox, progress with a file, submission with a file
  const owner = await signIn(browser, site.url, 'owner', { unit: /Unit C/, sub: 'owner-c', name: '王芳' });
  await owner.getByTestId('inbox-console-road-1-T1').waitFor();
  await owner.getByRole('link', { name: /村道整治（浏览器测试） · T1/ }).click();
  const report = owner.getByTestId('report-progress');
  await report.getByLabel('进展情况').fill('已完成 1 公里，附现场照片');
  await report.locator('input[type=file]').setInputFiles(evidenceFile('现场记录.pdf'));
  await report.getByRole('button', { name: '报送进展' }).click();
  await owner.getByText('现场记录.pdf').first().waitFor();
  expect(await settle(() => owner.getByTestId('task-status').innerText(), (v) => v === '整改中')).toBe('整改中');

  const submit = owner.getByTestId('submit-task');
  await submit.getByLabel('说明').fill('已完工，请验收');
  await submit.locator('input[type=file]').setInputFiles(evidenceFile('验收申请.pdf'));
  await submit.getByRole('button', { name: '提交验收' }).click();
  expect(await settle(() => owner.getByTestId('task-status').innerText(), (v) => v === '待验收')).toBe('待验收');

  // the leader sends it back
  await leader.goto(`${site.url}/console/items/console-road-1/tasks/T1`);
  await leader.getByText('验收申请.pdf').waitFor();
  const sendBack = leader.getByTestId('send-back');
  await sendBack.getByLabel('理由').fill('照片不清晰，请补充');
  await sendBack.getByRole('button', { name: '退回整改' }).click();
  expect(await settle(() => leader.getByTestId('task-status').innerText(), (v) => v === '整改中')).toBe('整改中');

  // the owner hands it in again; the leader accepts
  await owner.reload();
  const again = owner.getByTestId('submit-task');
  await again.locator('input[type=file]').setInputFiles(evidenceFile('补充照片.pdf'));
  await again.getByRole('button', { name: '提交验收' }).click();
  expect(await settle(() => owner.getByTestId('task-status').innerText(), (v) => v === '待验收')).toBe('待验收');

  await leader.reload();
  await leader.getByTestId('accept').getByRole('button', { name: '验收销号' }).click();
  expect(await settle(() => leader.getByTestId('task-status').innerText(), (v) => v === '已销号')).toBe('已销号');

  // the item completed: no longer among the active green ones; Unit C is 1/1, one rework
  await leader.getByRole('link', { name: /返回/ }).click();
  await leader.getByText('已完成').first().waitFor();
  await leader.getByRole('link', { name: '工作台' }).click();
  expect(await settle(() => lightCount(leader, 'green'), (v) => v === greenBefore)).toBe(greenBefore);
  expect(await settle(() => rankingRow(leader, 'Unit C'), (v) => /Unit C 100% 1\/1 0 0 1/.test(String(v)))).toMatch(/Unit C 100% 1\/1 0 0 1/);
  await leader.context().close();
  await owner.context().close();
});

test('a supervisor sees everything and no write control', async () => {
  const supervisor = await signIn(browser, site.url, 'supervisor', { sub: 'sup-1', name: '赵敏' });
  await supervisor.goto(`${site.url}/console/items/console-road-1`);
  await supervisor.getByText('修复村道 2 公里').waitFor();
  await supervisor.getByText('照片不清晰，请补充').count(); // the audit is readable (not asserted: the timeline shows action names)
  const buttons = async () => (await supervisor.getByRole('button').allInnerTexts()).map((b: string) => b.replace(/\s/g, ''));
  expect(await buttons()).toEqual(['English', '退出']);
  expect(await supervisor.getByRole('link', { name: '新建事项' }).count()).toBe(0);
  await supervisor.goto(`${site.url}/console/items/console-road-1/tasks/T1`);
  await supervisor.getByTestId('task-status').waitFor();
  expect(await buttons()).toEqual(['English', '退出']);
  expect(await supervisor.locator('form, textarea, input[type=file]').count()).toBe(0);
  await supervisor.goto(`${site.url}/console/items/new`);
  expect(await supervisor.locator('form').count()).toBe(0);
  await supervisor.context().close();
});

test('an owner cannot reach another unit\'s task by URL', async () => {
  const other = await signIn(browser, site.url, 'owner', { unit: /Unit D/, sub: 'owner-d', name: '陈杰' });
  await other.goto(`${site.url}/console/items/console-road-1/tasks/T1`);
  await other.getByText('未找到该事项或任务（或无权查看）').waitFor();
  expect(await other.getByText('修复村道 2 公里').count()).toBe(0);
  await other.goto(`${site.url}/console/items/console-road-1`);
  await other.getByText('未找到该事项或任务（或无权查看）').waitFor();
  await other.context().close();
});

test('accessibility (axe: no serious or critical violation) and screenshots at desktop and phone width', async () => {
  // an open task so the inbox and the item page have something to show
  const leaderApi = await stack.tokenFor({ sub: 'leader-1', name: '李雷', role: 'leader' });
  const admin = await stack.tokenFor({ sub: 'admin-1', name: 'Admin', role: 'admin' });
  const plan = await fetch(`${site.url}/plans`, {
    method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'county-2026', title: '2026年县委巡察反馈问题整改', leaderIds: ['leader-1'] }),
  });
  expect(plan.status).toBe(201);
  const body = {
    id: 'console-lights-2', planId: 'county-2026', title: '路灯安装', supervisionLevel: 'county', leader: { id: 'leader-1', name: '李雷' },
    problems: [{ id: 'P1', description: '主干道无路灯', severity: 'medium' }, { id: 'P2', description: '路灯线路老化', severity: 'high' }],
    tasks: [
      { id: 'T1', problemIds: ['P1'], description: '安装 40 盏路灯', ownerUnit: 'unit-c', ownerPerson: '王芳', deadline: { kind: 'workingDays', days: 10 } },
      { id: 'T2', problemIds: ['P2'], description: '更换老化线路', ownerUnit: 'unit-d', ownerPerson: '陈杰', deadline: { kind: 'workingDays', days: 15 } },
    ],
  };
  const created = await fetch(`${site.url}/items`, { method: 'POST', headers: { Authorization: `Bearer ${leaderApi}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(created.status).toBe(201);

  for (const [size, viewport] of [['1366x768', DESKTOP], ['375x812', PHONE]] as const) {
    const leader = await signIn(browser, site.url, 'leader', { sub: 'leader-1', name: '李雷', viewport });
    await leader.getByTestId('ranking').locator('tr').filter({ hasText: 'Unit C' }).first().waitFor();
    // one plan: its ranking and its open problems by unit over time
    await choose(leader, '计划', '2026年县委巡察反馈问题整改');
    await leader.getByRole('img', { name: '各单位未整改问题趋势' }).waitFor();
    expect(await rankingRow(leader, 'Unit D')).toMatch(/Unit D 0% 0\/1/);
    await leader.waitForLoadState('networkidle');
    await expectNoSeriousViolations(leader, `dashboard ${size}`);
    await leader.screenshot({ path: path.join(SHOTS, `dashboard-${size}.png`), fullPage: viewport === PHONE });

    await leader.goto(`${site.url}/console/items/console-road-1`);
    await leader.getByText('修复村道 2 公里').waitFor();
    await leader.waitForLoadState('networkidle');
    await expectNoSeriousViolations(leader, `item page ${size}`);
    await leader.screenshot({ path: path.join(SHOTS, `item-${size}.png`), fullPage: viewport === PHONE });
    await leader.context().close();

    const owner = await signIn(browser, site.url, 'owner', { unit: /Unit C/, sub: 'owner-c', name: '王芳', viewport });
    await owner.getByTestId('inbox-console-lights-2-T1').waitFor();
    await owner.waitForLoadState('networkidle');
    await expectNoSeriousViolations(owner, `inbox ${size}`);
    // usable on a phone: nothing wider than the screen
    const overflow = await owner.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await owner.screenshot({ path: path.join(SHOTS, `inbox-${size}.png`), fullPage: viewport === PHONE });

    // the owner's task page: report, submit, extension
    await owner.getByRole('link', { name: /路灯安装 · T1/ }).click();
    await owner.getByTestId('report-progress').waitFor();
    await owner.waitForLoadState('networkidle');
    await expectNoSeriousViolations(owner, `owner task ${size}`);
    expect(await owner.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth)).toBeLessThanOrEqual(0);
    await owner.screenshot({ path: path.join(SHOTS, `task-${size}.png`), fullPage: viewport === PHONE });
    await owner.context().close();
  }
});
