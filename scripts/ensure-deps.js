#!/usr/bin/env node
/**
 * Runs before `npm start` and `npm test` (npm's pre-scripts), in plain Node
 * because nothing may be installed yet: installs node modules from the lock
 * file when they are missing or older than it, so both commands work on a
 * fresh clone. The Temporal binaries are installed on demand by
 * scripts/temporal-binaries.ts.
 */
'use strict';
const { execSync } = require('node:child_process');
const { statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const mtime = (file) => {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return undefined;
  }
};

const installed = mtime('node_modules/.package-lock.json');
const locked = mtime('package-lock.json');
if (installed === undefined || (locked !== undefined && locked > installed)) {
  process.stdout.write('Installing node modules (npm ci)…\n');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
