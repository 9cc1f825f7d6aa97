#!/usr/bin/env node
/**
 * Builds the web console (console/, a Vite app) into console/dist, which the
 * API serves under /console/. In plain Node, like ensure-deps.js, because it
 * runs before anything else is known to work.
 *
 *   node scripts/console-build.js             `npm run console:build`: install the console's
 *                                             modules when missing or older than its lock file, then build
 *   node scripts/console-build.js --if-stale  `npm start`'s pre-step: the same, only when console/package.json
 *                                             exists and console/dist is missing or older than a source file;
 *                                             a failed build is reported and the stack starts anyway
 *                                             (/console/ then says how to build)
 */
'use strict';
const { execSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// CONSOLE_SOURCE_DIR: another console directory (the script's tests use a throw-away one)
const consoleDir = process.env.CONSOLE_SOURCE_DIR || join(root, 'console');
const ifStale = process.argv.includes('--if-stale');
/** not sources: what the build and the tests make, and what npm installs */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'coverage', 'test-results', 'playwright-report']);

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time of any source file under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || NOT_SOURCES.has(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : (mtime(path) ?? 0));
  }
  return newest;
}

function run(command) {
  process.stdout.write(`console: ${command}\n`);
  execSync(command, { cwd: root, stdio: 'inherit' });
}

function main() {
  if (mtime(join(consoleDir, 'package.json')) === undefined) {
    if (ifStale) return;
    process.stderr.write('console: console/package.json not found: there is no console to build\n');
    process.exit(1);
  }
  const built = mtime(join(consoleDir, 'dist', 'index.html'));
  if (ifStale && built !== undefined && built >= newestSource(consoleDir)) return;

  const lock = mtime(join(consoleDir, 'package-lock.json'));
  const installed = mtime(join(consoleDir, 'node_modules', '.package-lock.json'));
  const manifest = mtime(join(consoleDir, 'package.json'));
  if (installed === undefined || installed < (lock ?? manifest)) {
    run(`npm --prefix "${consoleDir}" ${lock === undefined ? 'install' : 'ci'} --no-audit --no-fund`);
  }
  run(`npm --prefix "${consoleDir}" run build`);
}

try {
  main();
} catch (err) {
  if (!ifStale) process.exit(1);
  process.stderr.write(`console: the build failed (${err.message.split('\n')[0]}); the API starts without it — fix it and run npm run console:build\n`);
}
