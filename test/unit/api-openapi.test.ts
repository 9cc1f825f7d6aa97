/**
 * The OpenAPI document is valid OpenAPI 3.1 and lists exactly the routes the app
 * mounts. The validator is ESM-only, so it runs in a child node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type express from 'express';
import type { Pool } from 'pg';
import pino from 'pino';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { buildOpenApiDocument, openApiPath } from '../../api/openapi';
import { allRoutes } from '../../api/routes';

type Doc = { paths: Record<string, Record<string, { security: unknown[]; parameters: unknown[] }>> };
const doc = buildOpenApiDocument(allRoutes) as unknown as Doc;

/** Every (method, path) an Express 5 app routes, walking nested routers. */
function mountedRoutes(app: express.Express): string[] {
  const found: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${openApiPath(layer.route.path)}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as any).router.stack);
  return found.sort();
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const validatorDir = path.dirname(require.resolve('@seriousme/openapi-schema-validator/package.json'));
    const script = `import { Validator } from './index.js';
      const v = new Validator(); const r = await v.validate(process.argv[1]);
      console.log(JSON.stringify({ version: v.version, valid: r.valid, errors: r.errors }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { cwd: validatorDir, encoding: 'utf8' });
    const result = JSON.parse(out) as { version: string; valid: boolean; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ version: '3.1', valid: true });
  });

  it('lists every route the app mounts, and nothing else', () => {
    const app = createApp({
      config: loadApiConfig({ LOG_LEVEL: 'silent' }),
      temporal: {} as Client,
      pool: {} as Pool,
      logger: pino({ level: 'silent' }),
    });
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(mountedRoutes(app)).toEqual(documented);
    expect(documented.length).toBeGreaterThanOrEqual(30);
  });

  it('covers the capabilities the issue names', () => {
    const ops = Object.entries(doc.paths).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`));
    for (const expected of [
      'POST /plans', 'GET /plans', 'GET /plans/{id}', 'POST /items', 'GET /items', 'GET /items/{id}', 'POST /items/{id}/cancel',
      'POST /items/{id}/tasks/{taskId}/accept', 'GET /items/{id}/audit', 'GET /escalations', 'GET /units/{unit}/tasks',
      'GET /units/ranking', 'GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs',
      'POST /items/{id}/tasks/{taskId}/evidence', 'GET /items/{id}/tasks/{taskId}/evidence', 'GET /evidence/{id}', 'POST /dev/token',
    ]) {
      expect(ops).toContain(expected);
    }
  });

  it('documents the evidence upload as a file body of the allowed types with its X-File-Name header', () => {
    const upload = doc.paths['/items/{id}/tasks/{taskId}/evidence']!.post! as any;
    expect(Object.keys(upload.requestBody.content)).toEqual(expect.arrayContaining(['image/jpeg', 'application/pdf', 'application/ofd']));
    expect(upload.requestBody.content['image/jpeg'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(upload.parameters).toContainEqual(expect.objectContaining({ name: 'X-File-Name', in: 'header', required: true }));
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['200', '201', '404', '409', '413', '415']));
  });

  it('marks secured routes with bearer auth and commands with Idempotency-Key', () => {
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    expect(doc.paths['/items']!.get!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/items/{id}/tasks/{taskId}/submit']!.post!.parameters).toContainEqual({
      $ref: '#/components/parameters/IdempotencyKey',
    });
  });
});
