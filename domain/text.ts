/**
 * The one rule for every string that enters an item: well-formed Unicode (no
 * lone surrogate: a cut-off emoji), no NUL or other control character (except
 * newline and tab in multi-line text), and identifiers from a fixed alphabet.
 * PostgreSQL refuses NUL and lone surrogates in text and jsonb, and one such
 * string reaching the read side would stall the item's saves for ever; so the
 * API refuses them (api/schemas/text.ts builds its zod schemas on these
 * functions) and the domain refuses them again for callers that bypass the API.
 * Sandbox-safe: pure functions, no Node built-ins.
 */
import { DomainError } from './errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 controls but tab and newline, DEL, C1 controls */
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
/** …and in names and titles also the bidirectional overrides and isolates, which can make one unit's name read as another's */
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const ID_ALPHABET = 'letters, digits and . _ : - (starting with a letter or digit)';
/** token subjects: printable ASCII without spaces (uuids, e-mail addresses, employee numbers, `idp|123`) */
export const ACTOR_ID_PATTERN = /^[\x21-\x7E]+$/;

export type TextKind = 'singleLine' | 'multiLine';

/** Why `value` breaks the text rule, or undefined when it is fine. */
export function textRuleViolation(value: string, kind: TextKind): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate, e.g. a cut-off emoji)';
  const control = kind === 'multiLine' ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE;
  if (control.test(value)) {
    return kind === 'multiLine'
      ? 'must not contain control characters other than newline and tab'
      : 'must not contain control characters, newlines, tabs or bidirectional overrides';
  }
  return undefined;
}

/** Windows line ends become newlines before the rule is applied, so pasted text is not refused for them. */
export function normalizeLineEnds(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

/**
 * Text from outside that we keep but cannot refuse (a receiver's error reply):
 * every lone surrogate and control character but newline and tab becomes
 * U+FFFD, so it follows the multi-line rule and PostgreSQL stores it.
 */
export function storableText(value: string): string {
  return value.replace(new RegExp(`${LONE_SURROGATE.source}|${CONTROL_MULTILINE.source}`, 'g'), '\uFFFD');
}

/** Every string anywhere inside `value` (object keys included) follows the multi-line rule; DomainError naming the first that does not. */
export function assertCleanStrings(value: unknown, path = ''): void {
  if (typeof value === 'string') {
    const problem = textRuleViolation(value, 'multiLine');
    if (problem) throw new DomainError('VALIDATION_FAILED', `${path || 'text'} ${problem}`, { path: path || undefined });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertCleanStrings(v, path ? `${path}.${i}` : String(i)));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      assertCleanStrings(key, path);
      assertCleanStrings(v, path ? `${path}.${key}` : key);
    }
  }
}

/** UTF-8 length of a string, without TextEncoder (sizes payloads against Temporal's byte limits). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
        continue;
      }
      bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` as JSON in UTF-8: what a payload of it weighs. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '');
}
