/**
 * E-mail over SMTP with nodemailer.
 *
 * Subject = title; a text part (the plain fallback) and an HTML part rendered
 * from the Markdown (escaped, see markdown-html.ts); Message-ID derived from
 * deliveryId, so a retried message carries the same id and receivers (or their
 * mail stores) can drop the duplicate. One pooled transport per endpoint id,
 * built on first use and rebuilt only if the endpoint's connection settings
 * change; `close()` ends them all.
 *
 * SMTP replies decide retries (RFC 5321): 4yz is transient, 5yz permanent (503
 * excepted: a session fault, fine on a new connection). Failures to connect,
 * time-outs, resets and TLS failures carry no reply and are retryable.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { messageIdLocalPartFor } from './delivery-id';
import { failure } from './http';
import { emailHtml } from './markdown-html';
import { DEFAULT_TIMEOUT_MS, type Channel, type ChannelOptions, type DeliveryMessage, type EmailEndpoint, type SendOutcome } from './types';

type Transporter = ReturnType<typeof createTransport>;

/** <deliveryId@domain>, stable per deliveryId */
export function emailMessageId(deliveryId: string, endpoint: EmailEndpoint): string {
  const domain = endpoint.messageIdDomain ?? /@([^\s>]+)>?\s*$/.exec(endpoint.from)?.[1] ?? 'rectification.invalid';
  return `<${messageIdLocalPartFor(deliveryId)}@${domain}>`;
}

export function emailFields(message: DeliveryMessage, endpoint: EmailEndpoint) {
  return {
    from: endpoint.from,
    to: [...endpoint.to],
    cc: endpoint.cc ? [...endpoint.cc] : undefined,
    subject: message.title,
    messageId: emailMessageId(message.deliveryId, endpoint),
    text: `${message.title}\n\n${message.text}`,
    html: emailHtml(message.title, message.markdown),
    headers: { 'X-Delivery-Id': message.deliveryId.replace(/[\r\n]/g, ' ') },
  };
}

export function createEmailChannel(options: Omit<ChannelOptions, 'fetch'> = {}): Channel<EmailEndpoint> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transports = new Map<string, { fingerprint: string; transporter: Transporter }>();

  function transportFor(endpoint: EmailEndpoint): Transporter {
    const settings = {
      host: endpoint.host,
      port: endpoint.port ?? (endpoint.secure ? 465 : 587),
      secure: endpoint.secure ?? false,
      requireTLS: endpoint.requireTLS ?? false,
      auth: endpoint.auth ? { user: endpoint.auth.user, pass: endpoint.auth.pass } : undefined,
    };
    // the password enters the fingerprint only as a hash: the map is no place for it in clear
    const fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    const cached = transports.get(endpoint.id);
    if (cached?.fingerprint === fingerprint) return cached.transporter;
    cached?.transporter.close();
    const transporter = createTransport({
      ...settings,
      pool: true,
      maxConnections: 2,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    transports.set(endpoint.id, { fingerprint, transporter });
    return transporter;
  }

  return {
    kind: 'email',
    async close() {
      for (const { transporter } of transports.values()) transporter.close();
      transports.clear();
    },
    async send(message, endpoint, signal): Promise<SendOutcome> {
      const secrets = [endpoint.auth?.pass, endpoint.auth?.user];
      if (endpoint.to.length === 0) return failure('config', false, 'e-mail endpoint has no recipients', secrets);
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        await transportFor(endpoint).sendMail({ ...emailFields(message, endpoint), signal: combined });
        return { ok: true, receivedAt: now() };
      } catch (err) {
        if (timeout.aborted) return failure('timeout', true, `no answer within ${timeoutMs} ms`, secrets);
        if (signal?.aborted) return failure('timeout', true, 'aborted by the caller', secrets);
        return classify(err as SmtpError, secrets);
      }
    },
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  originalCode?: string;
}

const CONFIG_CODES = new Set(['ECONFIG', 'EENVELOPE', 'ENOAUTH', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

function classify(err: SmtpError, secrets: ReadonlyArray<string | undefined>) {
  const rc = err.responseCode;
  if (typeof rc === 'number') {
    const text = err.response ? `SMTP ${err.response}` : `SMTP ${rc}: ${err.message ?? ''}`; // the reply starts with its code
    if (rc >= 400 && rc < 500) {
      // 421/450/451/452 with "rate" or "too many" wording: the server is throttling us
      const throttled = /rate|too many|throttl/i.test(err.response ?? '');
      return failure(throttled ? 'rateLimited' : 'server', true, text, secrets);
    }
    if (rc === 503) return failure('server', true, text, secrets);
    if (rc >= 500) return failure('rejected', false, text, secrets);
  }
  const code = err.code ?? 'UNKNOWN';
  const detail = err.originalCode && err.originalCode !== code ? `${code}/${err.originalCode}` : code;
  const text = `SMTP ${detail}: ${err.message ?? ''}`;
  if (CONFIG_CODES.has(code)) return failure('config', false, text, secrets);
  if (code === 'ETIMEDOUT') return failure('timeout', true, text, secrets);
  // ECONNECTION, ESOCKET, EDNS, ETLS, EPROTOCOL, EAUTH without a reply…: the connection failed, not the message
  return failure('network', true, text, secrets);
}
