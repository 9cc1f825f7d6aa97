/**
 * The console in a real browser against the real stack: the test stack's API
 * listening on a port (it serves console/dist under /console/ itself, with its
 * CSP), Debian's Chromium driven by playwright-core (both from
 * console/node_modules, installed by `npm run console:build`). Not a test file.
 *
 * The API mounts POST /dev/token only with the published development secret;
 * the test stack signs with its own, so a stand-in in front of the app issues
 * the same kind of token with the stack's key (the sign-in page cannot tell).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { TestStack } from '../support/stack';
import type { TokenRole } from '../../api/auth';

export const REPO = path.resolve(__dirname, '..', '..');
export const CONSOLE_DIST = path.join(REPO, 'console', 'dist');
const consoleRequire = createRequire(path.join(REPO, 'console', 'package.json'));

// playwright-core's types live in console/node_modules; the few calls used here are typed loosely on purpose
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Browser = any;
export type Page = any;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(CONSOLE_DIST, 'index.html'))) throw new Error('console/dist is missing: npm run console:build');
  const { chromium } = consoleRequire('playwright-core');
  // root in CI: Chromium's sandbox needs an unprivileged user
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export const AXE_SOURCE = () => readFileSync(consoleRequire.resolve('axe-core/axe.min.js'), 'utf8');

/** serious and critical axe violations on the page as it is now (rule id: how many nodes) */
export async function axeViolations(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol: the console's CSP (script-src 'self') rightly refuses an injected inline script
  await page.evaluate(AXE_SOURCE());
  const result = await page.evaluate(async () => (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] }));
  return (result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }>; help: string }>)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help}; ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** The stack's app on a port, with development sign-in in front of it. */
export async function serveConsole(stack: TestStack): Promise<{ url: string; close: () => Promise<void> }> {
  const outer = express();
  outer.post('/dev/token', express.json(), async (req, res) => {
    const { role, unit, sub, name } = req.body as { role: TokenRole; unit?: string; sub?: string; name?: string };
    res.json({ token: await stack.tokenFor({ role, unit, sub: sub ?? `dev-${role}`, name: name ?? role }) });
  });
  outer.use(stack.app);
  const server = http.createServer(outer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

/** Picks an option of an antd Select labelled `label`. */
export async function choose(page: Page, label: string, option: string | RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).first().click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
  // the list closes with an animation: checks made meanwhile would see its options
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' }).catch(() => undefined);
  await page.waitForFunction(() => !(globalThis as any).document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)'));
}

/** Signs in on the development page as a role (and unit); a fresh context per person. */
export async function signIn(browser: Browser, base: string, role: string, options: { unit?: RegExp; sub?: string; name?: string; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  // generous: CI runs this beside other integration files on two cores
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.getByRole('tab', { name: '开发环境登录' }).waitFor();
  await choose(page, '角色', new RegExp(`^${{ leader: '领导', owner: '责任单位', supervisor: '督查人员', admin: '管理员' }[role]}$`));
  if (options.unit) await choose(page, '单位', options.unit);
  if (options.sub) await page.getByLabel('账号').fill(options.sub);
  if (options.name) await page.getByLabel('姓名').fill(options.name);
  await page.getByRole('button', { name: '登 录' }).click();
  await page.getByRole('button', { name: '退 出' }).waitFor();
  return page;
}
