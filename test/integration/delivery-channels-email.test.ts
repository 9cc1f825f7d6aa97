/**
 * The e-mail channel against an in-process SMTP server (smtp-server) on
 * 127.0.0.1: what arrives (subject, Message-ID from the deliveryId, text and
 * escaped HTML parts, the authenticated user), and how SMTP answers are
 * classified: 4yz retryable, 5yz permanent, wrong password permanent, a slow
 * server a timeout, a closed port a network error. The transport is reused.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createEmailChannel } from '../../activities/delivery/channels/email';
import type { DeliveryMessage, EmailEndpoint, SendOutcome } from '../../activities/delivery/channels/types';
import { renderMessage } from '../../activities/delivery/render';
import { closedPort } from '../support/delivery-receivers';

const NOW = Date.UTC(2026, 5, 1, 1, 0, 0);
const TIMEOUT_MS = 1_000;
const PASSWORD = 'mail-pass-0001';

type Mode = 'ok' | 'reject550' | 'defer451' | 'throttle421' | 'slow';
let mode: Mode = 'ok';
let connections = 0;
const inbox: Array<{ raw: string; user: unknown; rcpt: string[] }> = [];

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });
const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS'], // plain loopback: no certificate to make
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  onConnect(_session, callback) {
    connections += 1;
    callback();
  },
  onAuth(auth, _session, callback) {
    if (auth.username === 'mailer' && auth.password === PASSWORD) callback(null, { user: 'mailer' });
    else callback(smtpError(535, 'Authentication credentials invalid'));
  },
  onRcptTo(_address, _session, callback) {
    if (mode === 'reject550') callback(smtpError(550, 'No such user here'));
    else if (mode === 'throttle421') callback(smtpError(421, 'Too many messages, slow down'));
    else callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (mode === 'defer451') return callback(smtpError(451, 'Local error in processing'));
      inbox.push({ raw: Buffer.concat(chunks).toString('utf8'), user: session.user, rcpt: session.envelope.rcptTo.map((r) => r.address) });
      if (mode === 'slow') setTimeout(() => callback(), 3 * TIMEOUT_MS).unref();
      else callback();
    });
  },
});

let port = 0;
// a generous timeout where the server answers (a loaded CI machine is slow), a short one only where it never does
const channel = createEmailChannel({ now: () => NOW, timeoutMs: 10 * TIMEOUT_MS });
const impatient = createEmailChannel({ now: () => NOW, timeoutMs: TIMEOUT_MS });
const endpoint = (): EmailEndpoint => ({
  kind: 'email', id: 'mail', host: '127.0.0.1', port, auth: { user: 'mailer', pass: PASSWORD },
  from: '督办系统 <noreply@dubann.example.cn>', to: ['owner@unit.example.cn'], cc: ['office@unit.example.cn'],
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await channel.close();
  await impatient.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  mode = 'ok';
  inbox.length = 0;
});

const rendered = renderMessage({
  kind: 'sentBack', itemId: 'road-7', itemTitle: '修复村道 <script>alert(1)</script>', taskId: 'T1', unitName: '县交通运输局',
  reason: '验收报告 **未盖章**', dueAt: '2026-05-29T15:59:59Z', timezone: 'Asia/Shanghai', baseUrl: 'https://dubann.example.cn',
});
const message: DeliveryMessage = { deliveryId: 'road-7_T1_sentBack_42_ownerUnit', ...rendered };

function expectFailure(outcome: SendOutcome, expected: Partial<Extract<SendOutcome, { ok: false }>>): void {
  expect(outcome).toMatchObject({ ok: false, ...expected });
  expect((outcome as { error: string }).error).not.toContain(PASSWORD);
}

it('delivers subject, Message-ID from the deliveryId, text and escaped HTML, as the authenticated user', async () => {
  expect(await channel.send(message, endpoint())).toEqual({ ok: true, receivedAt: NOW });
  expect(inbox).toHaveLength(1);
  expect(inbox[0]!.user).toBe('mailer');
  expect(inbox[0]!.rcpt).toEqual(['owner@unit.example.cn', 'office@unit.example.cn']);
  const mail = await simpleParser(inbox[0]!.raw);
  expect(mail.subject).toBe('【退回整改】修复村道 <script>alert(1)</script>');
  expect(mail.messageId).toBe('<road-7_T1_sentBack_42_ownerUnit@dubann.example.cn>');
  expect(mail.text).toContain('退回原因：验收报告 **未盖章**。');
  expect(mail.text).toContain('查看详情：https://dubann.example.cn/items/road-7');
  expect(mail.html).toContain('退回原因：验收报告 **未盖章**。'); // escaped user Markdown stays text
  expect(mail.html).toContain('<strong>责任单位</strong>');
  expect(mail.html).toContain('&lt;script&gt;');
  expect(mail.html).not.toContain('<script>');
  expect(mail.html).toContain('<a href="https://dubann.example.cn/items/road-7">查看详情</a>');
});

it('a retry carries the same Message-ID, and reuses the transport', async () => {
  const before = connections;
  for (let i = 0; i < 3; i += 1) expect(await channel.send(message, endpoint())).toMatchObject({ ok: true });
  const ids = await Promise.all(inbox.map(async (m) => (await simpleParser(m.raw)).messageId));
  expect(new Set(ids)).toEqual(new Set(['<road-7_T1_sentBack_42_ownerUnit@dubann.example.cn>']));
  expect(connections - before).toBeLessThanOrEqual(1);
});

it('a wrong password is refused for good, and the password is not in the error', async () => {
  const outcome = await channel.send(message, { ...endpoint(), id: 'mail-wrong', auth: { user: 'mailer', pass: 'wrong-pass-0001' } });
  expectFailure(outcome, { failure: 'rejected', retryable: false });
  expect((outcome as { error: string }).error).toMatch(/^SMTP 535/);
  expect((outcome as { error: string }).error).not.toContain('wrong-pass-0001');
});

it('a 5yz reply is permanent, a 4yz reply retryable, a throttling 4yz reply rate limiting', async () => {
  mode = 'reject550';
  expectFailure(await channel.send(message, endpoint()), { failure: 'rejected', retryable: false, rateLimited: false });
  mode = 'defer451';
  expectFailure(await channel.send(message, endpoint()), { failure: 'server', retryable: true, rateLimited: false });
  mode = 'throttle421';
  expectFailure(await channel.send(message, endpoint()), { failure: 'rateLimited', retryable: true, rateLimited: true });
  expect(inbox).toHaveLength(0);
});

it('a server slower than the timeout is a retryable timeout', async () => {
  mode = 'slow';
  // the server answers after 3 s: a 1 s timeout gives up, and says so
  expectFailure(await impatient.send(message, endpoint()), { failure: 'timeout', retryable: true });
  expect((await impatient.send(message, endpoint()) as { error: string }).error).toMatch(/no answer within 1000 ms/);
});

it('a closed port is a retryable network error', async () => {
  const outcome = await channel.send(message, { ...endpoint(), id: 'mail-closed', port: await closedPort() });
  expectFailure(outcome, { failure: 'network', retryable: true });
  expect((outcome as { error: string }).error).toContain('ECONNREFUSED');
});
