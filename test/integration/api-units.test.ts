/**
 * The units directory over HTTP, for real (API, worker, Temporal, PostgreSQL):
 * only admins write; a rename keeps the code and every list shows the new
 * name; a deactivated unit takes no new work; imports (JSON and CSV) are all
 * or nothing and report every bad row at once; tasks naming an unknown unit
 * are refused with a 422 naming it; and channel secrets never come back in an
 * answer or reach the log.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { UNIT_CSV_COLUMNS } from '../../api/units-csv';
import { routingFor } from '../../db/repositories/deliveries';
import type { Notification } from '../../domain/types';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, eventually, inDays, itemBody, startItem, tokensFor, type ActorName } from './api-support';

const SECRETS = {
  dingtalkToken: 'dt-token-SECRET-7f3a9c',
  dingtalkSecret: 'SECdingtalk-SECRET-b81e',
  wecomKey: 'wecom-key-SECRET-44d0',
  feishuHook: 'feishu-hook-SECRET-9a1b',
  feishuSecret: 'feishu-sign-SECRET-2c7d',
  webhookSecret: `whsec_${Buffer.from('webhook-SECRET-0123456789abcdef').toString('base64')}`,
  smtpPass: 'smtp-pass-SECRET-e5f6',
};
const CHANNELS = [
  { id: 'dt', config: { kind: 'dingtalk', accessToken: SECRETS.dingtalkToken, secret: SECRETS.dingtalkSecret, baseUrl: 'http://127.0.0.1:9' } },
  { id: 'wc', config: { kind: 'wecom', key: SECRETS.wecomKey, baseUrl: 'http://127.0.0.1:9' } },
  { id: 'fs', config: { kind: 'feishu', hookId: SECRETS.feishuHook, secret: SECRETS.feishuSecret, baseUrl: 'http://127.0.0.1:9' } },
  { id: 'wh', config: { kind: 'webhook', url: 'http://127.0.0.1:9/hooks/rect', secret: SECRETS.webhookSecret } },
  { id: 'mail', config: { kind: 'email', host: '127.0.0.1', port: 9, auth: { user: 'bot', pass: SECRETS.smtpPass }, from: 'bot@example.cn', to: ['office@jtj.example.cn'] } },
];
const secretParts = Object.values(SECRETS).flatMap((s) => [s, s.replace(/^whsec_/, '')]);

let stack: TestStack;
let tokens: Record<ActorName, string>;
const logLines: string[] = [];
/** every answer body the tests saw, searched for secrets at the end */
const answers: string[] = [];

beforeAll(async () => {
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  stack = await startTestStack({ logger: pino({ level: 'trace' }, sink) });
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

const run = async (req: request.Test) => {
  const res = await req;
  answers.push(JSON.stringify(res.body ?? null), res.text ?? '');
  return res;
};
const get = (path: string, who: ActorName = 'admin') => run(request(stack.app).get(path).set(bearer(tokens[who])));
const post = (path: string, body: unknown, who: ActorName = 'admin') => run(request(stack.app).post(path).set(bearer(tokens[who])).send(body as object));
const postCsv = (path: string, csv: string, who: ActorName = 'admin') =>
  run(request(stack.app).post(path).set(bearer(tokens[who])).set('Content-Type', 'text/csv').send(csv));

const unit = (code: string, over: Record<string, unknown> = {}) => ({ code, name: `Name of ${code}`, kind: 'countyDepartment', ...over });
const unitCount = async () => Number((await stack.pool.query('SELECT count(*) AS n FROM units')).rows[0].n);

describe('only admins write the directory', () => {
  test.each(['leader', 'ownerA', 'supervisor'] as const)('a %s may read it but not create, update, import or deactivate', async (who) => {
    const before = await unitCount();
    expect((await get('/units', who)).status).toBe(200);
    expect((await get('/units/unit-a', who)).status).toBe(200);
    for (const [path, body] of [
      ['/units', unit('new-by-' + who)],
      ['/units/import', { units: [unit('imp-by-' + who)] }],
      ['/units/unit-a', unit('unit-a', { name: 'Hijacked' })],
      ['/units/unit-a/deactivate', {}],
    ] as const) {
      const res = await post(path, body, who);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    }
    expect(await unitCount()).toBe(before);
    expect((await get('/units/unit-a')).body).toMatchObject({ name: 'Unit A', active: true });
  });

  test('an admin creates a unit: 201, its Location, and it reads back', async () => {
    const res = await post('/units', unit('jtj', {
      name: '县交通运输局', parentCode: 'unit-z',
      leaders: [{ role: 'principal', personId: 'wang.jun', name: '王军', mobile: '13800000001', email: 'wangjun@jtj.example.cn' }],
      quietHours: { from: '22:00', to: '07:30' },
    }));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/units/jtj');
    expect(res.body).toMatchObject({ code: 'jtj', name: '县交通运输局', parentCode: 'unit-z', active: true, channels: [],
      quietHours: { from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' } });
    expect((await get('/units/jtj', 'supervisor')).body.name).toBe('县交通运输局');
  });

  test.each([
    ['a taken code', unit('unit-a'), 409, 'ALREADY_EXISTS'],
    ['an unknown parent', unit('orphan', { parentCode: 'no-such-unit' }), 422, 'VALIDATION_FAILED'],
    ['a second active office for a level', unit('office-2', { kind: 'supervisionOffice', level: 'county' }), 422, 'VALIDATION_FAILED'],
    ['a malformed code', unit('has space'), 400, 'BAD_REQUEST'],
  ])('refuses %s, changing nothing', async (_, body, status, code) => {
    const before = await unitCount();
    const res = await post('/units', body);
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(await unitCount()).toBe(before);
  });

  test('unknown units are 404; an update cannot change a code', async () => {
    expect((await get('/units/no-such-unit')).status).toBe(404);
    expect((await post('/units/no-such-unit', unit('no-such-unit'))).status).toBe(404);
    expect((await post('/units/no-such-unit/deactivate', {})).status).toBe(404);
    const res = await post('/units/unit-b', unit('unit-bb'));
    expect([res.status, res.body.errors]).toEqual([422, [expect.objectContaining({ path: 'code' })]]);
  });

  test('a parent chain may not loop back', async () => {
    await post('/units', unit('loop-top'));
    await post('/units', unit('loop-mid', { parentCode: 'loop-top' }));
    const res = await post('/units/loop-top', unit('loop-top', { parentCode: 'loop-mid' }));
    expect([res.status, res.body.detail]).toEqual([422, "unit 'loop-top' would be its own ancestor"]);
    expect((await get('/units/loop-top')).body.parentCode).toBeUndefined();
  });
});

describe('renaming keeps the code: tasks, tokens, history and rankings keep working, under the new name', () => {
  const id = `rename-${Date.now()}`;
  test('lists, the item, the ranking and the unit\'s tasks show the new name; the owner\'s token still works', async () => {
    await startItem(stack, tokens.leader, id);
    await eventually(async () => ((await get(`/items?limit=200`)).body.items.find((i: any) => i.id === id) ? true : undefined));
    const renamed = await post('/units/unit-a', unit('unit-a', { name: '县交通运输局（更名）' }));
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ code: 'unit-a', name: '县交通运输局（更名）' });

    const listed = (await get('/items?limit=200', 'supervisor')).body.items.find((i: any) => i.id === id);
    expect(listed.ownerUnits).toEqual(['unit-a', 'unit-b']);
    expect(listed.ownerUnitNames).toEqual(['县交通运输局（更名）', 'Unit B']);
    const item = (await get(`/items/${id}`, 'leader')).body;
    expect(item.tasks.find((t: any) => t.id === 't1')).toMatchObject({ ownerUnit: 'unit-a', ownerUnitName: '县交通运输局（更名）' });
    const ranking = (await get('/units/ranking', 'ownerB')).body.units;
    expect(ranking.find((u: any) => u.ownerUnit === 'unit-a').unitName).toBe('县交通运输局（更名）');
    const inbox = await get('/units/unit-a/tasks', 'ownerA');
    expect(inbox.status).toBe(200);
    expect(inbox.body.unitName).toBe('县交通运输局（更名）');
    // the token's unit claim is the code: the owner still reports on their task
    expect((await post(`/items/${id}/tasks/t1/progress`, { percent: 30, text: 'started' }, 'ownerA')).status).toBe(200);
  });
});

describe('deactivation', () => {
  test('a deactivated unit keeps its tasks and history but takes no new task', async () => {
    const id = `deact-${Date.now()}`;
    await startItem(stack, tokens.leader, id, {
      tasks: [{ id: 't1', problemIds: ['p1', 'p2'], description: 'Both', ownerUnit: 'unit-k', ownerPerson: 'K', deadline: { kind: 'instant', at: inDays(20) } }],
    });
    const res = await post('/units/unit-k/deactivate', {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'unit-k', active: false });
    expect((await get('/units')).body.units.find((u: any) => u.code === 'unit-k').active).toBe(false);
    const refused = await post('/items', itemBody(`deact-new-${Date.now()}`, {
      tasks: [{ id: 't1', problemIds: ['p1', 'p2'], description: 'x', ownerUnit: 'unit-k', ownerPerson: 'K', deadline: { kind: 'instant', at: inDays(20) } }],
    }), 'leader');
    expect([refused.status, refused.body.detail]).toEqual([422, expect.stringContaining("'unit-k'")]);
    // its existing task still reads with its name
    const item = (await get(`/items/${id}`, 'leader')).body;
    expect(item.tasks[0]).toMatchObject({ ownerUnit: 'unit-k', ownerUnitName: 'Unit K' });
  });
});

describe('import', () => {
  test('JSON: creates new units and replaces existing ones, in one go, parents given after their children', async () => {
    const res = await post('/units/import', { units: [
      unit('imp-child', { parentCode: 'imp-parent' }),
      unit('imp-parent'),
      unit('unit-c', { name: 'Unit C (imported)' }),
    ] });
    expect([res.status, res.body]).toEqual([200, { created: 2, updated: 1 }]);
    expect((await get('/units/imp-child')).body.parentCode).toBe('imp-parent');
    expect((await get('/units/unit-c')).body.name).toBe('Unit C (imported)');
  });

  test('JSON: every row that breaks the directory\'s rules is reported at once, and nothing is imported', async () => {
    const before = await unitCount();
    const res = await post('/units/import', { units: [
      unit('imp-ok-1'),
      unit('imp-dup'),
      unit('imp-dup'),
      unit('imp-orphan', { parentCode: 'nowhere' }),
      unit('imp-office', { kind: 'supervisionOffice', level: 'city' }),
      unit('unit-d', { name: 'Unit D renamed by a failed import' }),
    ] });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.path)).toEqual(['units.2.code', 'units.3.parentCode', 'units.4.level']);
    expect(await unitCount()).toBe(before);
    expect((await get('/units/unit-d')).body.name).toBe('Unit D');
  });

  test('JSON: every malformed row is reported at once (400), and nothing is imported', async () => {
    const before = await unitCount();
    const res = await post('/units/import', { units: [unit('ok-x'), unit('bad code'), unit('ok-y', { kind: 'ministry' }), unit('ranking')] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path)).toEqual(['body.units.1.code', 'body.units.2.kind', 'body.units.3.code']);
    expect(await unitCount()).toBe(before);
  });

  const header = UNIT_CSV_COLUMNS.join(',');
  test('CSV: a spreadsheet export imports, Chinese names and leaders included', async () => {
    const csv = `\uFEFF${header}\n`
      + 'csv-town,小王镇,unit-z,township,,张镇长,zhang.z,13900000001,zhang@town.example.cn,李副镇长,,13900000002,,22:00,07:30,\n'
      + 'csv-village,小王村,csv-town,village,,王书记,,,,,,,,,,是\n';
    const res = await postCsv('/units/import', csv);
    expect([res.status, res.body]).toEqual([200, { created: 2, updated: 0 }]);
    const town = (await get('/units/csv-town')).body;
    expect(town).toMatchObject({
      name: '小王镇', parentCode: 'unit-z', kind: 'township', quietHours: { from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' },
      leaders: [
        { role: 'principal', name: '张镇长', personId: 'zhang.z', mobile: '13900000001', email: 'zhang@town.example.cn' },
        { role: 'deputy', name: '李副镇长', mobile: '13900000002' },
      ],
    });
    expect((await get('/units/csv-village', 'ownerA')).body).toMatchObject({ name: '小王村', parentCode: 'csv-town', active: true });
  });

  test('CSV: every bad row is reported at once by line and column, and nothing is imported', async () => {
    const before = await unitCount();
    const csv = `${header}\n`
      + 'csv-ok,OK,,other,,,,,,,,,,,,\n'
      + 'csv bad,Bad code,,other,,,,,,,,,,,,\n'
      + 'csv-kind,Bad kind,,ministry,,,,,,,,,,,,\n'
      + 'csv-mobile,Bad mobile,,other,,Boss,,not-a-phone,,,,,,,,\n';
    const res = await postCsv('/units/import', csv);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path)).toEqual(['line 3.code', 'line 4.kind', 'line 5.principalMobile']);
    expect(await unitCount()).toBe(before);
    const cross = await postCsv('/units/import', `${header}\ncsv-orphan,Orphan,nowhere,other,,,,,,,,,,,,\ncsv-orphan,Twice,,other,,,,,,,,,,,,\n`);
    expect(cross.status).toBe(422);
    expect(cross.body.errors.map((e: any) => e.path)).toEqual(['units.0.parentCode', 'units.1.code']);
    expect(await unitCount()).toBe(before);
  });
});

describe('tasks name units by code: an unknown one is a 422 naming it, and nothing changes', () => {
  const id = `unknown-units-${Date.now()}`;
  beforeAll(async () => {
    await startItem(stack, tokens.leader, id);
  });

  test('POST /items', async () => {
    const newId = `${id}-new`;
    const body = itemBody(newId);
    body.tasks[1] = { ...body.tasks[1]!, ownerUnit: 'Transport Bureau' };
    const res = await post('/items', body, 'leader');
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain("'Transport Bureau'");
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'tasks.1.ownerUnit' })]);
    expect((await get(`/items/${newId}`, 'leader')).status).toBe(404);
  });

  test('POST /items with an unknown co-owner', async () => {
    const body = itemBody(`${id}-co`);
    (body.tasks[0] as any).coOwners = ['unit-b', 'ghost-unit'];
    const res = await post('/items', body, 'leader');
    expect([res.status, res.body.errors]).toEqual([422, [expect.objectContaining({ path: 'tasks.0.coOwners.1' })]]);
    expect(res.body.detail).toContain("'ghost-unit'");
  });

  test('addTask', async () => {
    const res = await post(`/items/${id}/tasks`, {
      id: 't9', problemIds: ['p1'], description: 'More', ownerUnit: 'no-such-bureau', ownerPerson: 'X', deadline: { kind: 'instant', at: inDays(10) },
    }, 'leader');
    expect([res.status, res.body.errors]).toEqual([422, [expect.objectContaining({ path: 'body.ownerUnit' })]]);
    expect(res.body.detail).toContain("'no-such-bureau'");
    expect((await get(`/items/${id}`, 'leader')).body.tasks.map((t: any) => t.id)).toEqual(['t1', 't2']);
  });

  test('reassign, to an unknown unit or with an unknown co-owner', async () => {
    for (const body of [{ ownerUnit: 'no-such-bureau', ownerPerson: 'X' }, { ownerUnit: 'unit-c', ownerPerson: 'X', coOwners: ['phantom'] }]) {
      const res = await post(`/items/${id}/tasks/t1/reassign`, body, 'leader');
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/'no-such-bureau'|'phantom'/);
    }
    expect((await get(`/items/${id}`, 'leader')).body.tasks.find((t: any) => t.id === 't1').ownerUnit).toBe('unit-a');
  });
});

describe('a level\'s supervision office changes hands', () => {
  const office = (code: string, active: boolean) => unit(code, { name: `督查室 ${code}`, kind: 'supervisionOffice', level: 'city', active });
  const cityOffice = async () => (await routingFor(stack.pool, [{ recipientRole: 'supervisionOffice', recipient: 'city' } as Notification])).offices.get('city')?.code;

  test('one import designates the new office and deactivates the old, in either order; the level resolves to the active one', async () => {
    expect(await cityOffice()).toBe('office-city');
    const handOver = await post('/units/import', { units: [office('office-city-2', true), office('office-city', false)] });
    expect([handOver.status, handOver.body]).toEqual([200, { created: 1, updated: 1 }]);
    expect(await cityOffice()).toBe('office-city-2');
    const handBack = await post('/units/import', { units: [office('office-city', true), office('office-city-2', false)] });
    expect([handBack.status, handBack.body]).toEqual([200, { created: 0, updated: 2 }]);
    expect(await cityOffice()).toBe('office-city');
  });
});

describe('units registered from free text by migration 005 keep their codes', () => {
  const legacy = '交通局（旧） 路政/养护';
  const path = `/units/${encodeURIComponent(legacy)}`;

  test('and stay manageable: read, updated, renamed, made a parent (also in an import), deactivated', async () => {
    await stack.pool.query(`INSERT INTO units (code, name, kind) VALUES ($1, $1, 'other')`, [legacy]);
    expect((await get(path)).body).toMatchObject({ code: legacy, active: true });
    const renamed = await post(path, { code: legacy, name: '县交通运输局路政养护所', kind: 'countyDepartment' });
    expect([renamed.status, renamed.body.name, renamed.body.code]).toEqual([200, '县交通运输局路政养护所', legacy]);
    const child = await post('/units', unit('lz-team', { parentCode: legacy }));
    expect([child.status, child.body.parentCode]).toEqual([201, legacy]);
    const imported = await post('/units/import', { units: [unit('lz-team-2', { parentCode: legacy })] });
    expect([imported.status, imported.body]).toEqual([200, { created: 1, updated: 0 }]);
    const off = await post(`${path}/deactivate`, {});
    expect([off.status, off.body.active, off.body.name]).toEqual([200, false, '县交通运输局路政养护所']);
  });

  test('but a new unit still takes a code by the rule, created or imported', async () => {
    const before = await unitCount();
    expect((await post('/units', unit('新单位 2'))).status).toBe(400);
    const imported = await post('/units/import', { units: [unit('新单位 3')] });
    expect([imported.status, imported.body.errors]).toEqual([400, [expect.objectContaining({ path: 'body.units.0.code' })]]);
    expect(await unitCount()).toBe(before);
  });
});

describe('channel secrets never come back', () => {
  test('an admin sets channels; answers show where they go, never a secret', async () => {
    const created = await post('/units', unit('secretive', { channels: CHANNELS }));
    expect(created.status).toBe(201);
    expect(created.body.channels.map((c: any) => [c.id, c.kind, c.active])).toEqual([
      ['dt', 'dingtalk', true], ['fs', 'feishu', true], ['mail', 'email', true], ['wc', 'wecom', true], ['wh', 'webhook', true],
    ]);
    expect(created.body.channels.find((c: any) => c.id === 'mail').target).toBe('e-mail to office@jtj.example.cn via 127.0.0.1');
    // updating without channels keeps them; reading as admin shows them without secrets; others see no channels or contacts
    const updated = await post('/units/secretive', unit('secretive', {
      name: 'Renamed', leaders: [{ role: 'principal', name: 'Boss', mobile: '13811112222', email: 'boss@example.cn' }],
    }));
    expect(updated.body.channels).toHaveLength(5);
    const asLeader = (await get('/units/secretive', 'leader')).body;
    expect(asLeader.channels).toBeUndefined();
    expect(asLeader.leaders).toEqual([{ role: 'principal', name: 'Boss' }]);
    await get('/units');
    await get('/units/secretive');
    await post('/units/import', { units: [unit('secretive', { channels: CHANNELS })] });
    // refusals that carry secrets echo none of them
    await post('/units', unit('secretive', { channels: CHANNELS }));
    await post('/units', unit('secretive-2', { channels: [...CHANNELS, CHANNELS[0]] }));
    await post('/units', unit('secretive-3', { channels: [{ id: 'wh', config: { kind: 'webhook', url: 'http://x.example.cn', secret: `whsec_${SECRETS.smtpPass}` } }] }));
    await postCsv('/units/import', `${UNIT_CSV_COLUMNS.join(',')}\n${SECRETS.wecomKey},${SECRETS.smtpPass},,ministry,,,,,,,,,,,,\n`);
    await post('/units/import', { units: [unit('secretive', { channels: CHANNELS }), unit('secretive', { channels: CHANNELS })] });
  });

  test('no answer of this file and no line of the API\'s log holds a secret', () => {
    expect(answers.length).toBeGreaterThan(50);
    expect(logLines.length).toBeGreaterThan(50);
    const leaks = secretParts.filter((s) => answers.some((a) => a.includes(s)) || logLines.some((l) => l.includes(s)));
    expect(leaks).toEqual([]);
  });
});
