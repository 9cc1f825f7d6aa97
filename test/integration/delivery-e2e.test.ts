/**
 * Escalations reach people, end to end on the real stack: the directory set
 * up over the API, items with a ladder of seconds on a real worker and
 * Temporal, deliveries planned in the item's saves and sent by the endpoints'
 * workflows to local receivers that check each platform's signature (DingTalk,
 * WeCom, Feishu, a Standard Webhooks consumer) and to an SMTP server.
 *
 * - Every delivery arrives once, in a message whose id the receiver can dedupe on,
 *   with the right content (item, task, unit, local deadline, level, who else
 *   is told, the link) and the right people (@mobiles, e-mail addressees).
 * - A wave of notifications to one robot leaves as a few digests.
 * - Level 3 goes alone and at once, even in quiet hours that hold the rest.
 */
import request from 'supertest';
import { formatLocalDateTime } from '../../activities/delivery/text';
import {
  dingtalkReceiver, feishuReceiver, standardWebhookReceiver, webhookDeliveries, wecomReceiver, type Receiver,
} from '../support/delivery-receivers';
import { smtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, eventually, tokensFor, type ActorName } from './api-support';

const BASE_URL = 'https://dubann.example.cn';
const DT = { accessToken: 'dt-e2e-token', secret: 'SECe2e-dingtalk-secret' };
const WC_KEY = 'wecom-e2e-key';
const WAVE_KEY = 'wecom-wave-key';
const FS = { hookId: 'feishu-e2e-hook', secret: 'feishu-e2e-secret' };
const WH_SECRET = `whsec_${Buffer.alloc(32, 0x42).toString('base64')}`;
const DEPUTY = { role: 'deputy', personId: 'li.na', name: '李娜', mobile: '13800000002', email: 'lina@unit-a.example.cn' };
const CHIEF = { role: 'principal', personId: 'wang.jun', name: '王军', mobile: '13800000001', email: 'wangjun@unit-a.example.cn' };
const OFFICE_MAIL = 'office@unit-a.example.cn';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const r: Record<'dingtalk' | 'wecom' | 'feishu' | 'gov' | 'quiet' | 'wave', Receiver> = {} as never;
let smtp: SmtpReceiver;
const suffix = Date.now().toString(36);
const LADDER_ITEM = `e2e-ladder-${suffix}`;
const QUIET_ITEM = `e2e-quiet-${suffix}`;
const WAVE_ITEM = `e2e-wave-${suffix}`;
let ladderDue = 0;
let quietEnd = 0;

const admin = (path: string, body: unknown) => request(stack.app).post(path).set(bearer(tokens.admin)).send(body as object);
const hhmm = (ms: number) => formatLocalDateTime(ms, 'Asia/Shanghai').slice(-5);

async function deliveries(itemId: string) {
  const { rows } = await stack.pool.query(
    `SELECT d.*, n.kind, n.recipient_role FROM deliveries d JOIN notifications n ON n.key = d.notification_key WHERE d.item_id = $1 ORDER BY d.id`,
    [itemId],
  );
  return rows;
}

/** Waits until `n` deliveries of the item are delivered and none is pending (but those expected to stay held). */
function allDelivered(itemId: string, n: number, stillHeld = 0) {
  return eventually(async () => {
    const rows = await deliveries(itemId);
    const delivered = rows.filter((d) => d.status === 'delivered').length;
    const pending = rows.filter((d) => d.status === 'pending').length;
    return delivered === n && pending === stillHeld ? rows : undefined;
  }, 90_000);
}

function rung(after: string, level: number, notify: string[]) {
  return { after, level, notify };
}

async function startItem(body: Record<string, unknown>) {
  const res = await request(stack.app).post('/items').set(bearer(tokens.leader)).send({
    title: '修复村道损毁问题', supervisionLevel: 'county', leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [{ id: 'p1', description: '村道损毁', severity: 'high' }], ...body,
  });
  if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  stack = await startTestStack({ delivery: { digestWindowMs: 4_000, baseUrl: BASE_URL, retryBaseMs: 500 } });
  tokens = await tokensFor(stack);
  const now = Date.now;
  r.dingtalk = await dingtalkReceiver({ ...DT, now });
  r.wecom = await wecomReceiver({ key: WC_KEY });
  r.wave = await wecomReceiver({ key: WAVE_KEY });
  r.feishu = await feishuReceiver({ ...FS, now });
  r.gov = await standardWebhookReceiver({ secret: WH_SECRET, now });
  r.quiet = await standardWebhookReceiver({ secret: WH_SECRET, now });
  smtp = await smtpReceiver({ user: 'mailer', pass: 'smtp-e2e-pass' });

  const setUpAt = Date.now();
  quietEnd = Math.floor((setUpAt + 3 * 3_600_000) / 60_000) * 60_000;
  const directory: Array<[string, Record<string, unknown>]> = [
    ['/units/unit-a', { code: 'unit-a', name: '县交通运输局', kind: 'countyDepartment', leaders: [CHIEF, DEPUTY], channels: [
      { id: 'dt', config: { kind: 'dingtalk', ...DT, baseUrl: r.dingtalk.baseUrl } },
      { id: 'mail', config: { kind: 'email', host: '127.0.0.1', port: smtp.port, auth: { user: smtp.user, pass: smtp.pass },
        from: '督办系统 <noreply@dubann.example.cn>', to: [OFFICE_MAIL] } },
    ] }],
    ['/units/unit-b', { code: 'unit-b', name: '县水利局', kind: 'countyDepartment', channels: [
      { id: 'wc', config: { kind: 'wecom', key: WC_KEY, baseUrl: r.wecom.baseUrl } },
    ] }],
    ['/units/office-county', { code: 'office-county', name: '县委督查室', kind: 'supervisionOffice', level: 'county', channels: [
      { id: 'fs', config: { kind: 'feishu', ...FS, baseUrl: r.feishu.baseUrl } },
    ] }],
    ['/units', { code: 'county-gov', name: '县人民政府', kind: 'other',
      leaders: [{ role: 'deputy', personId: 'leader-1', name: 'Li Lei', mobile: '13900000009' }],
      channels: [{ id: 'wh', config: { kind: 'webhook', url: `${r.gov.baseUrl}/rect`, secret: WH_SECRET } }] }],
    // quiet from an hour ago to three hours from now, local time
    ['/units', { code: 'town-quiet', name: '小王镇', kind: 'township', quietHours: { from: hhmm(setUpAt - 3_600_000), to: hhmm(quietEnd) },
      channels: [{ id: 'wh', config: { kind: 'webhook', url: `${r.quiet.baseUrl}/rect`, secret: WH_SECRET } }] }],
    ['/units', { code: 'housing', name: '县住建局', kind: 'countyDepartment', channels: [
      { id: 'wc', config: { kind: 'wecom', key: WAVE_KEY, baseUrl: r.wave.baseUrl } },
    ] }],
  ];
  for (const [path, body] of directory) {
    const res = await admin(path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  ladderDue = Date.now() + 12_000;
  const due = { kind: 'instant', at: new Date(ladderDue).toISOString() };
  await Promise.all([
    startItem({
      id: LADDER_ITEM,
      tasks: [
        { id: 't1', problemIds: ['p1'], description: '重铺小王村道路', ownerUnit: 'unit-a', ownerPerson: '王军', deadline: due },
        { id: 't2', problemIds: ['p1'], description: '疏通边沟', ownerUnit: 'unit-b', ownerPerson: '赵六', deadline: due },
      ],
      policy: { warningLead: 'PT6S', escalationLadder: [
        rung('PT0S', 1, ['ownerUnit']), rung('PT2S', 2, ['unitLeader']), rung('PT4S', 3, ['itemLeader', 'supervisionOffice']),
      ] },
    }),
    startItem({
      id: QUIET_ITEM,
      tasks: [{ id: 't1', problemIds: ['p1'], description: '夜间施工', ownerUnit: 'town-quiet', ownerPerson: '钱七',
        deadline: { kind: 'instant', at: new Date(Date.now() + 8_000).toISOString() } }],
      policy: { warningLead: 'PT4S', escalationLadder: [rung('PT0S', 1, ['ownerUnit']), rung('PT1S', 3, ['ownerUnit'])] },
    }),
    startItem({
      id: WAVE_ITEM,
      problems: [{ id: 'p1', description: '危房排查', severity: 'high' }],
      tasks: Array.from({ length: 30 }, (_, i) => ({
        id: `w${String(i).padStart(2, '0')}`, problemIds: ['p1'], description: '排查', ownerUnit: 'housing', ownerPerson: '孙八',
        deadline: { kind: 'instant', at: new Date(Date.now() + 8_000).toISOString() },
      })),
      policy: { warningLead: 'PT4S', escalationLadder: [rung('PT0S', 1, ['ownerUnit'])] },
    }),
  ]);
});

afterAll(async () => {
  await stack?.stop();
  await Promise.all([...Object.values(r).map((x) => x?.close()), smtp?.close()]);
});

/** the [tag] of every notification a robot's message shows: the title of a single message, each entry of a digest */
function tagsIn(markdown: string): string[] {
  const single = /^### 【([^】]+)】/.exec(markdown);
  if (single && single[1] !== '督办消息汇总') return [single[1]!];
  return [...markdown.matchAll(/^- 【([^】]+)】/gm)].map((m) => m[1]!);
}

const dingtalkText = (x: { body: string }) => JSON.parse(x.body).markdown.text as string;
const wecomText = (x: { body: string }) => JSON.parse(x.body).markdown.content as string;

describe('a ladder of seconds: warning, overdue, levels 1, 2 and 3', () => {
  let rows: any[];
  beforeAll(async () => {
    rows = await allDelivered(LADDER_ITEM, 16);
  });

  test('one delivery per notification and channel, each delivered at the first attempt', () => {
    const byEndpoint = (unit: string, channel: string) => rows.filter((d) => d.unit_code === unit && d.channel_id === channel);
    expect(byEndpoint('unit-a', 'dt').map((d) => d.kind).sort()).toEqual(['escalation', 'escalation', 'overdue', 'warning']);
    expect(byEndpoint('unit-a', 'mail')).toHaveLength(4);
    expect(byEndpoint('unit-b', 'wc')).toHaveLength(4);
    expect(byEndpoint('county-gov', 'wh').map((d) => [d.level, d.recipient_role])).toEqual([[3, 'itemLeader'], [3, 'itemLeader']]);
    expect(byEndpoint('office-county', 'fs').map((d) => [d.level, d.recipient_role])).toEqual([[3, 'supervisionOffice'], [3, 'supervisionOffice']]);
    expect(rows.every((d) => d.attempts === 1 && d.last_error === null && d.delivered_at !== null)).toBe(true);
  });

  test('every request passed the platform\'s signature check; each message arrived once', () => {
    for (const [name, receiver] of Object.entries(r)) {
      expect({ name, refused: receiver.received.filter((x) => x.verdict !== 'ok').map((x) => x.verdict) }).toEqual({ name, refused: [] });
    }
    const messages = (unit: string, channel: string) => new Set(rows.filter((d) => d.unit_code === unit && d.channel_id === channel).map((d) => d.message_id)).size;
    expect(r.dingtalk.accepted()).toHaveLength(messages('unit-a', 'dt'));
    expect(r.wecom.accepted()).toHaveLength(messages('unit-b', 'wc'));
    expect(r.feishu.accepted()).toHaveLength(2);
    expect(r.gov.accepted()).toHaveLength(2);
    expect(smtp.mails).toHaveLength(messages('unit-a', 'mail'));
  });

  test('DingTalk: each notification once, with the item, task, unit, local deadline and link; the leaders @-mentioned, deputy first', () => {
    const texts = r.dingtalk.accepted().map(dingtalkText);
    expect(texts.flatMap(tagsIn).sort()).toEqual(['一级督办', '临期预警', '二级督办', '逾期提醒'].sort());
    const all = texts.join('\n');
    for (const part of ['修复村道损毁问题', '重铺小王村道路', '县交通运输局', `${BASE_URL}/items/${LADDER_ITEM}`, formatLocalDateTime(ladderDue, 'Asia/Shanghai')]) {
      expect(all).toContain(part);
    }
    for (const x of r.dingtalk.accepted()) {
      const body = JSON.parse(x.body);
      const toLeaders = tagsIn(body.markdown.text).includes('二级督办');
      expect(body.at.atMobiles).toEqual(toLeaders ? ['13800000002', '13800000001'] : []);
      if (toLeaders) expect(body.markdown.text).toMatch(/@13800000002 @13800000001$/);
    }
  });

  test('e-mail: the same four, the leaders addressed (deputy first) and the unit\'s mailbox in copy when they are told', () => {
    const mails = smtp.mails;
    const rowsByMessage = new Map(rows.filter((d) => d.channel_id === 'mail').map((d) => [d.message_id, d]));
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
    for (const m of mails) {
      // Message-ID and X-Delivery-Id carry the id the deliveries went out under
      expect(m.messageId).toBe(`<${m.deliveryId}@dubann.example.cn>`);
      expect(rowsByMessage.has(m.deliveryId)).toBe(true);
      const toLeaders = rows.some((d) => d.message_id === m.deliveryId && d.recipient_role === 'unitLeader');
      expect({ to: m.to, cc: m.cc }).toEqual(toLeaders
        ? { to: ['lina@unit-a.example.cn', 'wangjun@unit-a.example.cn'], cc: [OFFICE_MAIL] }
        : { to: [OFFICE_MAIL], cc: [] });
      expect(m.text).toContain(`${BASE_URL}/items/${LADDER_ITEM}`);
    }
    const tags = mails.flatMap((m) => (m.subject.startsWith('【督办消息汇总】')
      ? [...m.text.matchAll(/^- 【([^】]+)】/gm)].map((x) => x[1]!)
      : [/^【([^】]+)】/.exec(m.subject)![1]!]));
    expect(tags.sort()).toEqual(['一级督办', '临期预警', '二级督办', '逾期提醒'].sort());
  });

  test('WeCom: unit B\'s four, with its name and task', () => {
    const texts = r.wecom.accepted().map(wecomText);
    expect(texts.flatMap(tagsIn).sort()).toEqual(['一级督办', '临期预警', '二级督办', '逾期提醒'].sort());
    expect(texts.join('\n')).toContain('县水利局');
    expect(texts.join('\n')).toContain('疏通边沟');
  });

  test('level 3: alone, to the item\'s leader (through the unit they head) and the county office, each naming the other', () => {
    for (const x of r.gov.accepted()) {
      const body = JSON.parse(x.body);
      expect(body.data).toMatchObject({ level: 3, title: expect.stringMatching(/^【三级督办】/) });
      expect(webhookDeliveries(x)).toHaveLength(1);
      expect(x.headers['webhook-id']).toBe(webhookDeliveries(x)[0]);
      expect(body.data.text).toContain('同时告知：县委督查室');
    }
    expect(new Set(r.gov.accepted().map((x) => webhookDeliveries(x)[0])).size).toBe(2);
    const cards = r.feishu.accepted().map((x) => JSON.parse(x.body).card);
    expect(cards.map((c) => c.header.template)).toEqual(['red', 'red']);
    for (const c of cards) {
      expect(c.header.title.content).toMatch(/^【三级督办】/);
      expect(c.elements[0].content).toContain('同时告知**：Li Lei');
    }
    expect(cards.map((c) => c.elements[0].content).join()).toMatch(/重铺小王村道路[\s\S]*疏通边沟|疏通边沟[\s\S]*重铺小王村道路/);
    const urgent = rows.filter((d) => d.level === 3);
    expect(urgent.every((d) => d.message_id === d.id)).toBe(true);
  });

  test('the deliveries read back over the API, per item and per unit', async () => {
    const res = await request(stack.app).get(`/items/${LADDER_ITEM}/deliveries`).set(bearer(tokens.leader));
    expect(res.body.deliveries).toHaveLength(16);
    expect(res.body.deliveries.every((d: any) => d.status === 'delivered' && d.deliveredAt)).toBe(true);
    const mine = await request(stack.app).get('/units/unit-a/deliveries').set(bearer(tokens.ownerA));
    expect(mine.body.deliveries.map((d: any) => d.channelId).sort()).toEqual(['dt', 'dt', 'dt', 'dt', 'mail', 'mail', 'mail', 'mail']);
    // each notification says when it first reached one of its channels
    const notes = await request(stack.app).get(`/items/${LADDER_ITEM}/notifications`).set(bearer(tokens.leader));
    const told = notes.body.notifications.filter((n: any) => n.kind !== 'chase');
    expect(told).toHaveLength(12);
    expect(told.every((n: any) => typeof n.deliveredAt === 'string')).toBe(true);
  });
});

describe('quiet hours', () => {
  test('hold the warning, the overdue notice and level 1 until they end; level 3 goes at once', async () => {
    const rows = await allDelivered(QUIET_ITEM, 1, 3);
    const held = rows.filter((d) => d.status === 'pending');
    expect(held.map((d) => d.kind).sort()).toEqual(['escalation', 'overdue', 'warning']);
    for (const d of held) expect(d.not_before).toBe(new Date(quietEnd).toISOString());
    expect(rows.find((d) => d.status === 'delivered')).toMatchObject({ level: 3, attempts: 1 });
    expect(r.quiet.accepted()).toHaveLength(1);
    expect(JSON.parse(r.quiet.accepted()[0]!.body).data.level).toBe(3);
  });
});

describe('digests', () => {
  test('a wave of 90 notifications to one robot leaves as a handful of messages, each listing its own, none twice', async () => {
    const rows = await allDelivered(WAVE_ITEM, 90);
    const messages = r.wave.accepted().map(wecomText);
    expect(messages.length).toBe(new Set(rows.map((d) => d.message_id)).size);
    expect(messages.length).toBeLessThanOrEqual(8);
    const entries = messages.flatMap((m) => [...m.matchAll(/^- 【([^】]+)】[^·]+ · (w\d\d)/gm)].map((x) => `${x[1]}:${x[2]}`));
    expect(entries).toHaveLength(90);
    expect(new Set(entries).size).toBe(90);
    for (const m of messages) {
      expect(m).toMatch(/^### 【督办消息汇总】共 \d+ 条/);
      expect([...m.matchAll(/^- 【/gm)].length).toBeLessThanOrEqual(20);
      expect(Buffer.byteLength(m, 'utf8')).toBeLessThanOrEqual(4096);
    }
  });
});
