// @vitest-environment node
/** The committed client types must be what api/openapi.ts generates now: a route or body change in the API fails here until regenerated. */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..');

it('src/api/openapi.json and schema.d.ts match the API', () => {
  const out = execFileSync(process.execPath, [join(consoleDir, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/generate-api.ts', '--check'], {
    cwd: consoleDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(out).toContain('match');
}, 120_000);
