/**
 * An SMTP server in-process (smtp-server) on 127.0.0.1 that keeps what it was
 * sent, parsed (mailparser): the envelope's recipients, the headers' To and
 * Cc, the Message-ID, subject and text. It checks the password, and can
 * refuse for a while (451, retryable) when a test tells it to.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  at: number;
  /** envelope recipients (RCPT TO) */
  rcpt: string[];
  to: string[];
  cc: string[];
  messageId: string;
  deliveryId: string;
  subject: string;
  text: string;
}

export interface SmtpReceiver {
  port: number;
  user: string;
  pass: string;
  mails: Mail[];
  /** answer 451 to every message while true */
  deferring: boolean;
  close(): Promise<void>;
}

const addresses = (v: unknown): string[] => {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.flatMap((a: { value?: Array<{ address?: string }> }) => (a.value ?? []).map((x) => x.address ?? ''));
};

export async function smtpReceiver(o: { user: string; pass: string }): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = { port: 0, user: o.user, pass: o.pass, mails: [], deferring: false, close: async () => {} };
  const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'], // plain loopback: no certificate to make
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === o.user && auth.password === o.pass) callback(null, { user: o.user });
      else callback(smtpError(535, 'Authentication credentials invalid'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (receiver.deferring) return callback(smtpError(451, 'Local error in processing'));
        const parsed = await simpleParser(Buffer.concat(chunks));
        receiver.mails.push({
          at: Date.now(),
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          to: addresses(parsed.to),
          cc: addresses(parsed.cc),
          messageId: parsed.messageId ?? '',
          deliveryId: String(parsed.headers.get('x-delivery-id') ?? ''),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
