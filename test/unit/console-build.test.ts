/**
 * scripts/console-build.js on a throw-away console whose "build" writes
 * dist/index.html and counts its runs: `npm start` builds only when the build
 * is missing or older than a source, and a failed build does not stop it;
 * `npm run console:build` always builds and fails loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/console-build.js');
let dir: string;

function build(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { env: { ...process.env, CONSOLE_SOURCE_DIR: dir }, encoding: 'utf8' });
}
const builds = () => (existsSync(join(dir, '.builds')) ? readFileSync(join(dir, '.builds'), 'utf8').length : 0);
function consoleWith(buildScript: string) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'console-fixture', private: true, scripts: { build: buildScript } }));
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'main.tsx'), 'export {}');
}
const WORKING_BUILD =
  'node -e "const fs=require(\'fs\');fs.mkdirSync(\'dist\',{recursive:true});fs.writeFileSync(\'dist/index.html\',\'<!doctype html>\');fs.appendFileSync(\'.builds\',\'x\')"';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'console-src-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('no console: `npm start` goes on silently, `console:build` says there is none', () => {
  expect(build('--if-stale')).toMatchObject({ status: 0, stdout: '' });
  const explicit = build();
  expect(explicit.status).toBe(1);
  expect(explicit.stderr).toContain('console/package.json not found');
});

test('`npm start` builds a missing build, then not again until a source is newer', () => {
  consoleWith(WORKING_BUILD);
  expect(build('--if-stale').status).toBe(0);
  expect(existsSync(join(dir, 'dist', 'index.html'))).toBe(true);
  expect(builds()).toBe(1);
  expect(build('--if-stale').status).toBe(0);
  expect(builds()).toBe(1);
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'src', 'main.tsx'), later, later);
  expect(build('--if-stale').status).toBe(0);
  expect(builds()).toBe(2);
  // console:build builds whatever the dates
  expect(build().status).toBe(0);
  expect(builds()).toBe(3);
});

test('a failed build: `npm start` reports it and goes on, `console:build` fails', () => {
  consoleWith('node -e "process.exit(3)"');
  const atStart = build('--if-stale');
  expect(atStart.status).toBe(0);
  expect(atStart.stderr).toContain('the build failed');
  expect(atStart.stderr).toContain('npm run console:build');
  expect(build().status).toBe(1);
});
