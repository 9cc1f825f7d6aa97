/**
 * Text helpers for messages: Markdown escaping of user text, UTF-8-safe
 * truncation (platform limits are in bytes), local date-times in Chinese and
 * Chinese numerals. Pure; no I/O.
 */
import { zonedParts } from '../../domain/local-time';

/**
 * Escapes user text for the Markdown subset the robots render, so that a task
 * named "**urgent** [click](http://evil)" shows as typed instead of formatting or
 * linking. Inline markers are escaped everywhere; block markers (#, >, -, +, =, 1.)
 * only where they would start a block. Line breaks are kept.
 */
export function escapeMarkdown(text: string): string {
  return normalize(text)
    .split('\n')
    .map((line) =>
      line
        .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
        .replace(/^(\s*)([#+=-])/, '$1\\$2')
        .replace(/^(\s*\d+)([.)])/, '$1\\$2'),
    )
    .join('\n');
}

/** One line of user text: line breaks become spaces (titles, names, fields). */
export function oneLine(text: string): string {
  return normalize(text).replace(/\s*\n\s*/g, ' ').trim();
}

/** CRLF and lone CR to LF; other control characters (but tab) removed: they render as junk or break cards. */
function normalize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, never inside a character (nor a
 * surrogate pair), and ends it with `marker` when anything was cut; the marker
 * counts against the limit.
 */
export function truncateUtf8(text: string, maxBytes: number, marker = '…'): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(marker);
  if (budget <= 0) return truncateUtf8(marker, maxBytes, '');
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const size = utf8Length(ch);
    if (used + size > budget) break;
    used += size;
    end += ch.length;
  }
  return text.slice(0, end) + marker;
}

/** A Markdown link standing alone as the last paragraph: the item's link our templates end with. */
const TRAILING_LINK = /\n\n(\[[^\]\n]*\]\([^)\s]+\))$/;

/**
 * Cuts Markdown to at most `maxBytes` like truncateUtf8, but a link that ends
 * it (the item's `[查看详情](…)`) survives the cut: it is what lets the reader
 * see what was cut. Text without such a link is cut as truncateUtf8 cuts it.
 */
export function truncateMarkdownKeepingLink(markdown: string, maxBytes: number, marker: string): string {
  if (utf8Length(markdown) <= maxBytes) return markdown;
  const link = TRAILING_LINK.exec(markdown);
  if (!link) return truncateUtf8(markdown, maxBytes, marker);
  const tail = `\n\n${link[1]}`;
  const budget = maxBytes - utf8Length(tail);
  if (budget <= utf8Length(marker)) return truncateUtf8(markdown, maxBytes, marker);
  return truncateUtf8(markdown.slice(0, link.index), budget, marker) + tail;
}

/** Cuts to at most `max` characters (code points), ending with … when cut. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** An instant as local wall time in Chinese, e.g. 2026年12月31日 23:59. Throws on an unknown time zone. */
export function formatLocalDateTime(instant: string | number | Date, timezone: string): string {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  const p = zonedParts(ms, timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}年${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; beyond 99 (or below 1) the Arabic number. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}
