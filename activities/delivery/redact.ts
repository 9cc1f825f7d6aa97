/**
 * Scrubs secrets from text bound for logs and outbox rows (delivery errors).
 * Channels never put URLs or secrets into their errors on purpose; this is the
 * second line of defence for what a library, a proxy or a receiver echoes back
 * (undici causes, SMTP replies, platform error messages quoting the request).
 */
import { storableText } from '../../domain/text';

const MASK = '***';
/** error strings are for humans and database rows, not for dumping bodies */
const MAX_LENGTH = 500;

const SECRET_NAMES = 'access_token|token|key|sign|signature|secret|password|passwd|pass|api_key|apikey|auth|hookid';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // query or form parameters: ?access_token=…, &key=…, &sign=…
  [new RegExp(`([?&;](?:${SECRET_NAMES})=)[^&#\\s"'<>]*`, 'gi'), `$1${MASK}`],
  // JSON-ish or header-ish pairs: "password":"…", secret=…, token: …
  [new RegExp(`(["']?\\b(?:${SECRET_NAMES})["']?\\s*[:=]\\s*["']?)[^"'\\s&;}]+`, 'gi'), `$1${MASK}`],
  // credentials in a URL: scheme://user:pass@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]*@/gi, `$1${MASK}@`],
  // Feishu/Lark hook ids and other path-borne tokens: /bot/v2/hook/<id>, /hooks/<id>
  [/(\/hooks?\/)[^/?#\s"'<>]+/gi, `$1${MASK}`],
  // Standard Webhooks secrets and signatures
  [/whsec_[A-Za-z0-9+/=_-]+/g, `whsec_${MASK}`],
  [/\bv1,[A-Za-z0-9+/=]+/g, `v1,${MASK}`],
  // Authorization: Bearer …, and SMTP AUTH exchanges
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${MASK}`],
  [/\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2|CRAM-MD5)\s+)\S+/gi, `$1${MASK}`],
  // e-mail addresses (SMTP replies quote recipients; receivers quote people): the mailbox name goes, the domain stays for diagnosis
  [/[A-Za-z0-9.!#$%&'+=?^_`{|}~-]+@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})/g, `${MASK}@$1`],
];

/**
 * The parts of a URL that may be a credential: the query values, and path
 * segments that look like tokens (8+ characters mixing letters and digits),
 * as Slack-style and many in-house webhooks carry them; the path and query
 * whole too.
 */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const tokenLike = (s: string) => s.length >= 8 && /[0-9]/.test(s) && /[A-Za-z]/.test(s);
  const segments = u.pathname.split('/').map((p) => decodeURIComponentSafe(p)).filter(tokenLike);
  const values = [...u.searchParams.values()].filter((v) => v.length >= 4);
  // the origin stays readable: which receiver failed is worth knowing
  return [...(u.pathname.length > 1 || u.search ? [`${u.pathname}${u.search}`] : []), ...segments, ...values];
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Returns `text` with known secrets (and their URL-encoded forms) and every
 * secret-looking URL part, parameter or header masked as ***, shortened to 500
 * characters. Secrets shorter than 4 characters are ignored (they would mask noise).
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = String(text);
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .flatMap((s) => [s, encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length); // longest first, so a secret containing another is masked whole
  for (const s of known) out = out.split(s).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  // a receiver's reply may carry NUL or half an emoji, which PostgreSQL would refuse for last_error
  return storableText(out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}…` : out);
}
