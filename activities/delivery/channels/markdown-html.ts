/**
 * The small Markdown subset our templates produce (see ../render.ts), as HTML
 * for e-mail: headings, paragraphs, line breaks, "- " lists, "> " quotes,
 * **bold**, `code`, [links](http…) and backslash escapes. Everything else is
 * text: all of it is HTML-escaped before any tag is added, and only http(s)
 * links become anchors, so user text can neither inject markup nor a
 * javascript: link.
 */

const ESCAPABLE = /\\([!-/:-@[-`{-~])/g;
const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** Inline Markdown of one block to HTML. */
export function inlineHtml(markdown: string): string {
  const escaped: string[] = [];
  // placeholders keep escaped characters out of the reach of the patterns below
  let s = markdown.replace(/\u0000/g, '').replace(ESCAPABLE, (_, c: string) => `\u0000${escaped.push(c) - 1}\u0000`);
  s = escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => escapeHtml(escaped[Number(i)]!));
}

type Block = { kind: 'p' | 'ul' | 'quote'; lines: string[] } | { kind: 'h'; level: number; text: string };

export function markdownToHtml(markdown: string): string {
  const blocks: Block[] = [];
  let open: Extract<Block, { lines: string[] }> | undefined;
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (line.trim() === '') {
      open = undefined;
    } else if (heading) {
      blocks.push({ kind: 'h', level: heading[1]!.length, text: heading[2]! });
      open = undefined;
    } else {
      const kind = item ? 'ul' : quote ? 'quote' : 'p';
      const text = item ? item[1]! : quote ? quote[1]! : line;
      if (!open || open.kind !== kind) blocks.push((open = { kind, lines: [] }));
      open.lines.push(text);
    }
  }
  return blocks.map(blockHtml).join('\n');
}

function blockHtml(b: Block): string {
  if (b.kind === 'h') return `<h${Math.min(6, b.level + 1)}>${inlineHtml(b.text)}</h${Math.min(6, b.level + 1)}>`;
  if (b.kind === 'ul') return `<ul>${b.lines.map((l) => `<li>${inlineHtml(l)}</li>`).join('')}</ul>`;
  const inner = b.lines.map(inlineHtml).join('<br>\n');
  return b.kind === 'quote' ? `<blockquote>${inner}</blockquote>` : `<p>${inner}</p>`;
}

/** A whole e-mail body: the title as the heading, then the message. */
export function emailHtml(title: string, markdown: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head><body>',
    `<h2>${escapeHtml(title)}</h2>`,
    markdownToHtml(markdown),
    '</body></html>',
  ].join('\n');
}
