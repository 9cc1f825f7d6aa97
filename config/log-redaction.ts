/**
 * Credentials never reach a log line: every line a process writes passes
 * through one redactor that masks the password of any URL in it
 * (`postgres://user:[redacted]@host`, `?password=[redacted]`) and, wherever
 * it appears, the password of the DATABASE_URL the process was given, which
 * also catches a URL too malformed to look like one (Node's ERR_INVALID_URL
 * carries the whole input, and pino logs it with the error).
 */
import pino from 'pino';

const MASK = '[redacted]';
// no quotes, spaces or brackets in the parts: a JSON line stays JSON, and `http://host:3000","x":"a@b` is no URL
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@"'<>\\]*):[^\s/@"'<>\\]+@/gi;
const PASSWORD_PARAM = /([?&]password=)[^&#\s"'<>\\]+/gi;
/** shorter known secrets would mask ordinary text */
const MIN_KNOWN_SECRET = 4;

export type Redactor = (text: string) => string;

/** The password in a connection URL, read loosely (up to its last @) so that a malformed URL yields it too. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:(.+)@[^@]*$/is.exec(url.trim())?.[1];
  const param = /[?&]password=([^&#]+)/i.exec(url)?.[1];
  return userinfo ?? param;
}

function forms(secret: string): string[] {
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    /* not percent-encoded */
  }
  return [secret, decoded, encodeURIComponent(decoded), JSON.stringify(decoded).slice(1, -1)];
}

export function credentialRedactor(secrets: ReadonlyArray<string | undefined> = []): Redactor {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string').flatMap(forms))]
    .filter((s) => s.length >= MIN_KNOWN_SECRET)
    .sort((a, b) => b.length - a.length); // longest first: a secret containing another is masked whole
  return (text) => {
    let out = text;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out.replace(URL_PASSWORD, `$1:${MASK}@`).replace(PASSWORD_PARAM, `$1${MASK}`);
  };
}

/** The redactor for a process started with `env`: URL passwords, and DATABASE_URL's wherever it shows. */
export function redactorFor(env: NodeJS.ProcessEnv): Redactor {
  return credentialRedactor([passwordOf(env.DATABASE_URL)]);
}

export interface LineSink {
  write(chunk: string): unknown;
}

/** A pino destination that redacts each chunk before `to` (stdout, synchronously, by default). */
export function redactingDestination(redact: Redactor, to: LineSink = pino.destination({ dest: 1, sync: true })): { write(chunk: string): void } {
  return { write: (chunk) => void to.write(redact(chunk)) };
}
