/**
 * Evidence files for real (API, worker, Temporal, PostgreSQL, the local disk
 * store; the S3 store through an in-process receiver that checks signatures):
 * who may upload, list and download, the size and type limits, one blob per
 * content, and the `evidence:<id>` reference in a progress report and a
 * submission.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { blobKey } from '../../api/evidence/store';
import { startS3Receiver, type S3Receiver } from '../support/s3-receiver';
import { startTestStack, TEST_JWT_SECRET, testTemporalAddress, type TestActor, type TestStack } from '../support/stack';
import { bearer, eventually, inDays, startItem, tokensFor, UNIT_A, UNIT_B, type ActorName } from './api-support';

const MAX_BYTES = 64 * 1024;
/** above what the tests put on one task, except the one that fills a task */
const MAX_FILES = 6;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2048)]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const OWNER_C: TestActor = { sub: 'owner-c', name: 'Sun Li', role: 'owner', unit: 'unit-c' };

let stack: TestStack;
let evidenceDir: string;
let tokens: Record<ActorName | 'ownerC', string>;

/** t1 for Unit A with Unit C as co-owner (双包保), t2 for Unit B. */
const tasks = () => [
  { id: 't1', problemIds: ['p1'], description: 'Resurface', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', coOwners: ['unit-c'], deadline: { kind: 'instant', at: inDays(30) } },
  { id: 't2', problemIds: ['p2'], description: 'Install lights', ownerUnit: UNIT_B, ownerPerson: 'Chen Jie', deadline: { kind: 'instant', at: inDays(40) } },
];

beforeAll(async () => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'evidence-it-'));
  stack = await startTestStack({ apiEnv: { EVIDENCE_DIR: evidenceDir, EVIDENCE_MAX_BYTES: String(MAX_BYTES), EVIDENCE_MAX_FILES_PER_TASK: String(MAX_FILES) } });
  tokens = { ...(await tokensFor(stack)), ownerC: await stack.tokenFor(OWNER_C) };
  await startItem(stack, tokens.leader, 'ev-1', { tasks: tasks() });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(evidenceDir, { recursive: true, force: true });
});

function upload(who: keyof typeof tokens, path: string, bytes: Buffer, type: string | undefined, name: string | undefined = '现场照片 1.png') {
  let req = request(stack.app).post(path).set(bearer(tokens[who]));
  if (name !== undefined) req = req.set('X-File-Name', encodeURIComponent(name));
  if (type !== undefined) req = req.set('Content-Type', type);
  return req.send(bytes);
}
const download = (who: keyof typeof tokens, id: string) =>
  request(stack.app).get(`/evidence/${id}`).set(bearer(tokens[who])).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
const list = (who: keyof typeof tokens, itemId: string, taskId: string) => request(stack.app).get(`/items/${itemId}/tasks/${taskId}/evidence`).set(bearer(tokens[who]));
const rowCount = async () => Number((await stack.pool.query('SELECT count(*) AS n FROM evidence_files')).rows[0].n);
/** the problem without its request id: two refusals that must not be told apart */
const refusal = (res: request.Response) => {
  const body = Buffer.isBuffer(res.body) ? JSON.parse(res.body.toString('utf8')) : res.body;
  return { status: res.status, code: body.code, title: body.title, type: body.type, detail: body.detail };
};
const blobFiles = (): string[] => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else out.push(entry.name);
    }
  };
  walk(evidenceDir);
  return out;
};

let photoId: string;

describe('an owner unit uploads evidence to its task', () => {
  test('201 with the id, hash, name, type, size and the reference to cite; the bytes on disk under their hash', async () => {
    const res = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', PNG, 'image/png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sha256: sha(PNG), name: '现场照片 1.png', contentType: 'image/png', size: PNG.length,
      itemId: 'ev-1', taskId: 't1', unit: UNIT_A, uploadedBy: { id: 'owner-a', name: 'Wang Fang' },
    });
    photoId = res.body.id;
    expect(photoId).toMatch(/^ev_[A-Za-z0-9_-]{22}$/);
    expect(res.body.ref).toBe(`evidence:${photoId}`);
    expect(res.headers.location).toBe(`/evidence/${photoId}`);
    expect(statSync(join(evidenceDir, blobKey(sha(PNG)))).size).toBe(PNG.length);
  });

  test('a co-owner unit (双包保) uploads to the same task', async () => {
    const pdf = Buffer.from('%PDF-1.7\n验收报告\n%%EOF');
    const res = await upload('ownerC', '/items/ev-1/tasks/t1/evidence', pdf, 'application/pdf', '验收报告.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ unit: 'unit-c', contentType: 'application/pdf', size: pdf.length });
  });

  test('the reference goes into a progress report as it is', async () => {
    const res = await request(stack.app).post('/items/ev-1/tasks/t1/progress').set(bearer(tokens.ownerA))
      .send({ text: '路面已铺设一半', percent: 50, evidence: [`evidence:${photoId}`] });
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({ id: 't1', status: 'inProgress', percent: 50 });
  });
});

describe('who may read it', () => {
  test.each(['ownerA', 'ownerC', 'leader', 'supervisor', 'admin', 'otherLeader'] as const)('%s downloads the bytes with their type, name, hash and nosniff', async (who) => {
    const res = await download(who, photoId);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0);
    expect(res.headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(PNG.length),
      'x-content-type-options': 'nosniff',
      etag: `"${sha(PNG)}"`,
      'content-disposition': `inline; filename="____ 1.png"; filename*=UTF-8''${encodeURIComponent('现场照片 1.png')}`,
    });
    expect(res.headers['content-security-policy']).toContain('sandbox');
  });

  test('a download with the ETag it has is 304 without the bytes', async () => {
    const res = await request(stack.app).get(`/evidence/${photoId}`).set(bearer(tokens.supervisor)).set('If-None-Match', `"${sha(PNG)}"`);
    expect(res.status).toBe(304);
  });

  test('an owner of another unit gets exactly what a missing file gets', async () => {
    const theirs = await download('ownerB', photoId);
    const missing = await download('ownerB', 'ev_AAAAAAAAAAAAAAAAAAAAAA');
    expect(refusal(theirs)).toEqual({ ...refusal(missing), detail: `no evidence '${photoId}'` });
    expect(refusal(missing)).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: "no evidence 'ev_AAAAAAAAAAAAAAAAAAAAAA'" });
  });

  test('the task\'s list: everyone who reads the task, oldest first; another unit\'s owner 404 as for a missing task', async () => {
    for (const who of ['ownerA', 'ownerC', 'supervisor', 'leader'] as const) {
      const res = await list(who, 'ev-1', 't1');
      expect(res.status).toBe(200);
      expect(res.body.files.map((f: { name: string }) => f.name)).toEqual(['现场照片 1.png', '验收报告.pdf']);
      expect(res.body.files[0]).toMatchObject({ id: photoId, ref: `evidence:${photoId}`, sha256: sha(PNG) });
    }
    const theirs = await list('ownerB', 'ev-1', 't1');
    const missing = await list('ownerB', 'ev-1', 't9');
    expect(refusal(theirs)).toEqual({ ...refusal(missing), detail: "no task 't1' among your unit's tasks in item 'ev-1'" });
    expect(theirs.status).toBe(404);
    expect((await list('ownerB', 'ev-1', 't2')).body).toEqual({ files: [] });
  });

  test('an owner whose unit has no task in the item is told it does not exist', async () => {
    await startItem(stack, tokens.leader, 'ev-a-only', { tasks: [tasks()[0]], problems: [{ id: 'p1', description: 'Potholes', severity: 'high' }] });
    const res = await list('ownerB', 'ev-a-only', 't1');
    const none = await list('ownerB', 'no-such-item', 't1');
    expect(refusal(res)).toEqual({ ...refusal(none), detail: "no item 'ev-a-only'" });
    expect(res.status).toBe(404);
  });
});

describe('who may not upload, and what is refused', () => {
  test('an owner of another unit: 404 as for a missing task; nothing stored', async () => {
    const before = await rowCount();
    const theirs = await upload('ownerB', '/items/ev-1/tasks/t1/evidence', PNG, 'image/png');
    const missing = await upload('ownerB', '/items/ev-1/tasks/t9/evidence', PNG, 'image/png');
    expect(refusal(theirs)).toEqual({ ...refusal(missing), detail: "no task 't1' among your unit's tasks in item 'ev-1'" });
    expect(theirs.status).toBe(404);
    const noItem = await upload('ownerB', '/items/ev-a-only/tasks/t1/evidence', PNG, 'image/png');
    expect(refusal(noItem)).toMatchObject({ status: 404, detail: "no item 'ev-a-only'" });
    expect(await rowCount()).toBe(before);
  });

  test.each(['supervisor', 'leader'] as const)('a %s reads but does not upload: 403', async (who) => {
    const res = await upload(who, '/items/ev-1/tasks/t1/evidence', PNG, 'image/png');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  test('a file over EVIDENCE_MAX_BYTES is 413; nothing stored', async () => {
    const before = await rowCount();
    const blobs = blobFiles().length;
    const big = randomBytes(MAX_BYTES + 1);
    const res = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', big, 'image/jpeg', 'big.jpg');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await rowCount()).toBe(before);
    expect(blobFiles()).toHaveLength(blobs);
    // exactly the limit is taken
    expect((await upload('ownerA', '/items/ev-1/tasks/t1/evidence', big.subarray(0, MAX_BYTES), 'image/jpeg', 'limit.jpg')).status).toBe(201);
  });

  test.each([
    ['text/html', 'page.html'],
    ['image/svg+xml', 'logo.svg'],
    ['application/octet-stream', 'unknown.bin'],
    ['application/javascript', 'x.js'],
  ])('a %s file is 415 naming the type; nothing stored', async (type, name) => {
    const before = await rowCount();
    const res = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', Buffer.from('<script>alert(1)</script>'), type, name);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(res.body.detail).toContain(type);
    expect(await rowCount()).toBe(before);
  });

  test.each([
    [undefined, 'required'],
    ['%E0%A4%A', 'percent-encoded'],
    [encodeURIComponent('../etc/passwd'), 'not a path'],
    [encodeURIComponent('a\u0000b.png'), 'control characters'],
  ])('X-File-Name %p is a 400 naming the header', async (header, message) => {
    let req = request(stack.app).post('/items/ev-1/tasks/t1/evidence').set(bearer(tokens.ownerA)).set('Content-Type', 'image/png');
    if (header !== undefined) req = req.set('X-File-Name', header);
    const res = await req.send(PNG);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ path: 'header.X-File-Name' });
    expect(res.body.detail).toContain(message);
  });

  test('an empty body is a 400', async () => {
    const res = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', Buffer.alloc(0), 'image/png');
    expect(res.status).toBe(400);
  });
});

describe('the same content twice', () => {
  test('same task and name: the earlier file (200), no new row; another name: a new row (201) on the same blob', async () => {
    const bytes = Buffer.from('同一份材料 the same bytes');
    const first = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', bytes, 'text/plain', '说明.txt');
    expect(first.status).toBe(201);
    const rows = await rowCount();
    const again = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', bytes, 'text/plain; charset=utf-8', '说明.txt');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await rowCount()).toBe(rows);
    const renamed = await upload('ownerC', '/items/ev-1/tasks/t1/evidence', bytes, 'text/plain', '说明（副本）.txt');
    expect(renamed.status).toBe(201);
    expect(renamed.body.id).not.toBe(first.body.id);
    expect(renamed.body.sha256).toBe(first.body.sha256);
    expect(blobFiles().filter((f) => f === sha(bytes))).toHaveLength(1);
    // a text file downloads as an attachment, never shown inline
    const res = await download('supervisor', renamed.body.id);
    expect(res.headers['content-disposition']).toMatch(/^attachment; /);
    expect(res.headers['content-type']).toBe('text/plain');
  });
});

describe('a full task', () => {
  test('takes no new file past EVIDENCE_MAX_FILES_PER_TASK (422, nothing stored), and still answers a repeat', async () => {
    await startItem(stack, tokens.leader, 'ev-full', { tasks: tasks() });
    for (let i = 0; i < MAX_FILES; i++) {
      expect((await upload('ownerB', '/items/ev-full/tasks/t2/evidence', Buffer.from(`file ${i}`), 'text/plain', `${i}.txt`)).status).toBe(201);
    }
    const before = await rowCount();
    const blobs = blobFiles().length;
    const over = await upload('ownerB', '/items/ev-full/tasks/t2/evidence', Buffer.from('one too many'), 'text/plain', 'more.txt');
    expect({ status: over.status, code: over.body.code }).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
    expect(over.body.detail).toContain('EVIDENCE_MAX_FILES_PER_TASK');
    expect(await rowCount()).toBe(before);
    expect(blobFiles()).toHaveLength(blobs);
    const repeat = await upload('ownerB', '/items/ev-full/tasks/t2/evidence', Buffer.from('file 0'), 'text/plain', '0.txt');
    expect(repeat.status).toBe(200);
    expect((await list('supervisor', 'ev-full', 't2')).body.files).toHaveLength(MAX_FILES);
  });
});

describe('once the task is handed in', () => {
  test('the submission cites the files; then no more uploads (409), and reading goes on', async () => {
    const files = (await list('ownerA', 'ev-1', 't1')).body.files as Array<{ ref: string }>;
    const submitted = await request(stack.app).post('/items/ev-1/tasks/t1/submit').set(bearer(tokens.ownerA))
      .send({ evidence: files.map((f) => f.ref), note: '已完成' });
    expect(submitted.status).toBe(200);
    const res = await upload('ownerA', '/items/ev-1/tasks/t1/evidence', Buffer.from('late'), 'text/plain', 'late.txt');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'INVALID_TRANSITION' });
    expect((await download('ownerA', photoId)).status).toBe(200);
  });
});

describe('when the task moves or the item ends', () => {
  test('after a reassignment the new unit reads the task\'s files and the old one no longer', async () => {
    const bytes = Buffer.from('路灯安装照片');
    const up = await upload('ownerB', '/items/ev-1/tasks/t2/evidence', bytes, 'image/webp', '路灯.webp');
    expect(up.status).toBe(201);
    const moved = await request(stack.app).post('/items/ev-1/tasks/t2/reassign').set(bearer(tokens.leader))
      .send({ ownerUnit: 'unit-c', ownerPerson: 'Sun Li' });
    expect(moved.status).toBe(200);
    await eventually(async () => ((await download('ownerB', up.body.id)).status === 404 ? true : undefined));
    expect((await download('ownerC', up.body.id)).status).toBe(200);
    const old = await upload('ownerB', '/items/ev-1/tasks/t2/evidence', bytes, 'image/webp', '路灯2.webp');
    expect(old.status).toBe(404);
  });

  test('an ended item takes no more evidence (409 ITEM_CLOSED); its files still read', async () => {
    const up = await upload('ownerA', '/items/ev-a-only/tasks/t1/evidence', PNG, 'image/png', 'before.png');
    expect(up.status).toBe(201);
    const cancelled = await request(stack.app).post('/items/ev-a-only/cancel').set(bearer(tokens.leader)).send({ reason: '并入其他事项' });
    expect(cancelled.status).toBe(200);
    const res = await upload('ownerA', '/items/ev-a-only/tasks/t1/evidence', PNG, 'image/png', 'after.png');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'ITEM_CLOSED' });
    // to another unit's owner the ended item is still no item of theirs
    expect(refusal(await upload('ownerB', '/items/ev-a-only/tasks/t1/evidence', PNG, 'image/png'))).toMatchObject({ status: 404, detail: "no item 'ev-a-only'" });
    expect((await download('supervisor', up.body.id)).status).toBe(200);
  });
});

describe('a report cites only its own task\'s files', () => {
  /** t1 for Unit A with Unit C as co-owner; t3 for Unit C alone: C may read t1's files, but they are not t3's */
  beforeAll(async () => {
    await startItem(stack, tokens.leader, 'ev-cite', { tasks: [
      tasks()[0],
      { id: 't3', problemIds: ['p2'], description: 'Plant trees', ownerUnit: 'unit-c', ownerPerson: 'Sun Li', deadline: { kind: 'instant', at: inDays(30) } },
    ] });
  });

  test('another task\'s file, or a file that does not exist, is refused (422 naming it) and nothing is reported', async () => {
    const up = await upload('ownerA', '/items/ev-cite/tasks/t1/evidence', PNG, 'image/png', 't1 的照片.png');
    expect(up.status).toBe(201);
    const made = `evidence:ev_${'A'.repeat(22)}`;
    for (const ref of [up.body.ref, made, 'evidence:../../etc/passwd']) {
      const progress = await request(stack.app).post('/items/ev-cite/tasks/t3/progress').set(bearer(tokens.ownerC))
        .send({ text: '已完成一半', percent: 50, evidence: [ref] });
      expect({ status: progress.status, code: progress.body.code }).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
      expect(progress.body.detail).toContain(ref);
      const submitted = await request(stack.app).post('/items/ev-cite/tasks/t3/submit').set(bearer(tokens.ownerC))
        .send({ evidence: ['现场核查记录', ref] });
      expect({ status: submitted.status, code: submitted.body.code }).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
    }
    const state = await request(stack.app).get('/items/ev-cite').set(bearer(tokens.leader));
    expect(state.body.tasks.find((t: { id: string }) => t.id === 't3')).toMatchObject({ status: 'assigned' });
    // the task's own file and plain references are taken
    const own = await upload('ownerC', '/items/ev-cite/tasks/t3/evidence', Buffer.from('树苗照片'), 'image/jpeg', '树苗.jpg');
    const ok = await request(stack.app).post('/items/ev-cite/tasks/t3/progress').set(bearer(tokens.ownerC))
      .send({ text: '已完成一半', percent: 50, evidence: [own.body.ref, '纸质台账第 3 页'] });
    expect(ok.status).toBe(200);
  });

  test('to an owner of another unit the task still answers like a missing one, whatever it cites', async () => {
    const res = await request(stack.app).post('/items/ev-cite/tasks/t3/progress').set(bearer(tokens.ownerB))
      .send({ text: 'x', percent: 10, evidence: [`evidence:ev_${'B'.repeat(22)}`] });
    expect(res.status).toBe(404);
  });
});

describe('with S3-compatible storage', () => {
  let receiver: S3Receiver;
  beforeAll(async () => {
    receiver = await startS3Receiver();
  });
  afterAll(async () => receiver?.close());

  test('an upload lands in the bucket under its hash, signed, and downloads from there', async () => {
    const config = loadApiConfig({
      NODE_ENV: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1/unused', TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: stack.taskQueue, AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
      EVIDENCE_STORAGE: 's3', EVIDENCE_S3_ENDPOINT: receiver.endpoint, EVIDENCE_S3_BUCKET: receiver.bucket, EVIDENCE_S3_REGION: receiver.region,
      EVIDENCE_S3_ACCESS_KEY_ID: receiver.accessKeyId, EVIDENCE_S3_SECRET_ACCESS_KEY: receiver.secretAccessKey, EVIDENCE_S3_PREFIX: 'rect/',
    });
    const app = createApp({ config, temporal: stack.client, pool: stack.pool, logger: pino({ level: 'silent' }) });
    try {
      const bytes = Buffer.from('PK\u0003\u0004 照片合集');
      // t2 is Unit C's since its reassignment above
      const up = await request(app).post('/items/ev-1/tasks/t2/evidence').set(bearer(tokens.ownerC))
        .set('Content-Type', 'application/zip').set('X-File-Name', encodeURIComponent('照片.zip')).send(bytes);
      expect(up.status).toBe(201);
      expect(receiver.objects.get(`rect/${blobKey(sha(bytes))}`)?.body).toEqual(bytes);
      expect(receiver.requests.every((r) => r.refusal === undefined)).toBe(true);
      const down = await request(app).get(`/evidence/${up.body.id}`).set(bearer(tokens.leader)).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(down.status).toBe(200);
      expect(Buffer.compare(down.body as Buffer, bytes)).toBe(0);
      expect(down.headers['content-type']).toBe('application/zip');
      // the store down: a 503 to retry, and nothing recorded
      receiver.failing = true;
      const before = await rowCount();
      const failed = await request(app).post('/items/ev-1/tasks/t2/evidence').set(bearer(tokens.ownerC))
        .set('Content-Type', 'text/plain').set('X-File-Name', 'x.txt').send(Buffer.from('while down'));
      expect({ status: failed.status, code: failed.body.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(failed.headers['retry-after']).toBeDefined();
      expect(await rowCount()).toBe(before);
    } finally {
      receiver.failing = false;
    }
  });
});
