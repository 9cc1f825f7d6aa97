/**
 * The console served by the API from a build directory (a temporary one here):
 * files with the right caching, the single-page fallback, the security
 * headers, the redirects, and a 503 that says how to build when nothing is built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';

const INDEX = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/console/assets/index-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("督查督办")';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.html'), INDEX);
  writeFileSync(join(root, 'dist', 'assets', 'index-3f9a1c.js'), SCRIPT);
  writeFileSync(join(root, 'dist', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function appServing(distDir: string) {
  const config = loadApiConfig({ AUTH_JWT_SECRET: 'http-unit-test-secret-0123456789abcdef', LOG_LEVEL: 'silent', CONSOLE_DIST_DIR: distDir });
  // serving files reaches neither Temporal nor PostgreSQL
  return createApp({ config, temporal: {} as Client, pool: {} as Pool, logger: pino({ level: 'silent' }) });
}

describe('a built console', () => {
  const app = () => appServing(join(root, 'dist'));

  test('index.html under /console/, revalidated on every load, with a strict CSP', async () => {
    const res = await request(app()).get('/console/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' });
  });

  test('hashed assets are cached for a year, immutable', async () => {
    const res = await request(app()).get('/console/assets/index-3f9a1c.js');
    expect(res.status).toBe(200);
    expect(res.text).toBe(SCRIPT);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  test('other files are served and revalidated', async () => {
    const res = await request(app()).get('/console/favicon.svg');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  test.each(['/console/items/road-7', '/console/inbox', '/console/items/road-7/tasks/T1?tab=evidence'])('the screen %s gets the app (SPA fallback)', async (path) => {
    const res = await request(app()).get(path);
    expect(res.status).toBe(200);
    expect(res.text).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  test('a missing file is a 404, not the app', async () => {
    const res = await request(app()).get('/console/assets/index-old.js');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('nothing outside the build directory is reachable', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/assets/..%2f..%2findex.html']) {
      const res = await request(app()).get(path);
      expect(res.text).not.toContain('"name"');
      expect([200, 400, 403, 404]).toContain(res.status);
    }
  });

  test('/ and /console redirect to /console/', async () => {
    const home = await request(app()).get('/');
    expect({ status: home.status, location: home.headers.location }).toEqual({ status: 302, location: '/console/' });
    const bare = await request(app()).get('/console?lang=en');
    expect({ status: bare.status, location: bare.headers.location }).toEqual({ status: 301, location: '/console/?lang=en' });
  });

  test('writes are not served: a POST under /console is a 404', async () => {
    expect((await request(app()).post('/console/').send({})).status).toBe(404);
  });

  test('the API is untouched beside it', async () => {
    expect((await request(app()).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app()).get('/items')).status).toBe(401);
  });
});

describe('no console built', () => {
  const app = () => appServing(join(root, 'nothing-here'));

  test('/console/ and its screens answer 503 saying how to build it', async () => {
    for (const path of ['/console/', '/console/items/road-7']) {
      const res = await request(app()).get(path);
      expect(res.status).toBe(503);
      expect(res.text).toContain('npm run console:build');
      expect(res.headers['retry-after']).toBe('30');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  test('/ is not redirected to a console that is not there', async () => {
    expect((await request(app()).get('/')).status).toBe(404);
  });
});
