#!/usr/bin/env node
/**
 * Runs before `npm test` (and in .ci/run): the console's browser tests drive
 * Debian's Chromium through playwright-core, which never downloads a
 * browser, and need a CJK font so Chinese renders instead of empty boxes.
 * Installs both with apt-get when they are missing and we may (root, or
 * sudo without a password); otherwise says what to install and leaves the
 * browser test to fail with the same words. CHROMIUM_PATH names another
 * Chromium and skips the install.
 */
'use strict';
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');

const run = (cmd) => execSync(cmd, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const succeeds = (cmd) => {
  try {
    run(cmd);
    return true;
  } catch {
    return false;
  }
};

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromium);
const hasCjkFont = succeeds("fc-list | grep -qi 'wenquanyi\\|noto sans cjk'");
if ((hasChromium || process.env.CHROMIUM_PATH) && hasCjkFont) process.exit(0);

const packages = [hasChromium || process.env.CHROMIUM_PATH ? '' : 'chromium', hasCjkFont ? '' : 'fonts-wqy-microhei'].filter(Boolean).join(' ');
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = asRoot ? '' : succeeds('sudo -n true') ? 'sudo -n ' : undefined;
if (sudo === undefined || !succeeds('command -v apt-get')) {
  process.stderr.write(`The console's browser tests need Debian's ${packages}: apt-get install -y ${packages} (or set CHROMIUM_PATH).\n`);
  process.exit(0);
}
process.stdout.write(`Installing ${packages} for the console's browser tests (apt-get)…\n`);
execSync(`${sudo}apt-get update -qq && ${sudo}apt-get install -y -qq ${packages}`, { stdio: 'inherit' });
