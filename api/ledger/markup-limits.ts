/**
 * Bounds the text of one cell while a part's XML streams to the parser, before
 * exceljs or its XML parser can buffer it: both hold a text node (a shared
 * string, an inline string) whole, so a single cell of a hundred megabytes
 * would be held whole too. The scanner sits between the inflated, decoded
 * stream and the parser and looks only at where markup starts and ends:
 *
 * - text inside a cell (`<c>` of a worksheet, `<si>` of the shared strings)
 *   past `maxRawChars` is dropped and the cell's text ends in OVERSIZED_MARK,
 *   so the reader refuses the cell by its address (a shared string's cell is
 *   only known where a worksheet uses it);
 * - text outside cells past the same bound is dropped (nothing reads it);
 * - a tag longer than the bound is refused outright (it cannot be cut);
 * - the text a part hands on is counted against `maxTextChars`.
 */
import { LedgerFileError } from './ledger-file-error';

/** Ends the text of a cell the scanner cut short (a noncharacter: no real cell has it, and it is valid XML). */
export const OVERSIZED_MARK = '\uFDD0';

export interface MarkupLimits {
  /** characters of markup-free text one cell may have in the XML (entities count as written) */
  maxRawChars: number;
  /** characters of text one part may hand on */
  maxTextChars: number;
}

const TAG_HEAD = 64;

export class MarkupScanner {
  private inTag = false;
  private tagHead = '';
  private tagTail = '';
  private tagChars = 0;
  private inCell = false;
  private cellChars = 0;
  private outsideChars = 0;
  private cut = false;
  private textChars = 0;
  /** the last cell reference seen, for messages */
  private lastRef = '';

  constructor(private readonly limits: MarkupLimits, private readonly part: string) {}

  /** The chunk as the parser should see it (the chunk itself unless a cell was cut in it). */
  scan(chunk: string): string {
    let out = '';
    // chunk[copied…] is still to be handed on as it is
    let copied = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.inTag) {
        const gt = chunk.indexOf('>', i);
        const end = gt < 0 ? chunk.length : gt;
        if (this.tagHead.length < TAG_HEAD) this.tagHead += chunk.slice(i, Math.min(end, i + TAG_HEAD - this.tagHead.length));
        this.tagChars += end - i;
        if (end > i) this.tagTail = chunk.charAt(end - 1);
        if (this.tagChars > this.limits.maxRawChars) {
          throw new LedgerFileError('CORRUPT_WORKBOOK', 422, '文件已损坏或不是有效的 Excel 工作簿（.xlsx）：XML 标记过长', {
            part: this.part, near: this.lastRef || undefined,
          });
        }
        if (gt < 0) break;
        this.closeTag();
        i = gt + 1;
      } else {
        const lt = chunk.indexOf('<', i);
        const end = lt < 0 ? chunk.length : lt;
        const kept = this.text(chunk, i, end);
        if (kept !== undefined) {
          out += chunk.slice(copied, i) + kept;
          copied = end;
        }
        if (lt < 0) break;
        this.inTag = true;
        this.tagHead = '';
        this.tagTail = '';
        this.tagChars = 0;
        i = lt + 1;
      }
    }
    return copied === 0 ? chunk : out + chunk.slice(copied);
  }

  /** Counts chunk[from, to), text between tags; what to hand on instead when it must be cut. */
  private text(chunk: string, from: number, to: number): string | undefined {
    const length = to - from;
    if (length === 0) return undefined;
    const used = this.inCell ? this.cellChars : this.outsideChars;
    const room = Math.max(0, this.limits.maxRawChars - used);
    let replacement: string | undefined;
    let keptLength = length;
    if (length > room) {
      const kept = cutCleanly(chunk.slice(from, from + room));
      replacement = kept + (this.inCell && !this.cut ? OVERSIZED_MARK : '');
      keptLength = kept.length;
      this.cut = this.cut || this.inCell;
    }
    if (this.inCell) this.cellChars += length;
    else this.outsideChars += length;
    this.textChars += keptLength;
    if (this.textChars > this.limits.maxTextChars) {
      throw new LedgerFileError('TEXT_TOO_LARGE', 413, `工作簿中的文字总量过大（超过 ${this.limits.maxTextChars} 个字符），请分批导入`, {
        part: this.part, maxTextChars: this.limits.maxTextChars,
      });
    }
    return replacement;
  }

  private closeTag(): void {
    this.inTag = false;
    const head = this.tagHead;
    // x:c as well as c: some writers prefix the namespace
    const name = /^\/?([A-Za-z:]+)/.exec(head)?.[1]?.split(':').pop();
    const closing = head.startsWith('/');
    const selfClosing = this.tagTail === '/';
    if (name === 'c' || name === 'si') {
      if (closing) this.inCell = false;
      else {
        this.inCell = !selfClosing;
        this.cellChars = 0;
        this.cut = false;
        const ref = /\br="([A-Z]{1,3}\d{1,7})"/.exec(head)?.[1];
        if (ref) this.lastRef = ref;
      }
      this.outsideChars = 0;
    } else if (!this.inCell) {
      this.outsideChars = 0;
    }
  }
}

/** Never ends inside an entity (`&amp;`) or between the halves of a surrogate pair. */
function cutCleanly(text: string): string {
  let kept = text;
  const amp = kept.lastIndexOf('&');
  if (amp >= 0 && kept.indexOf(';', amp) < 0) kept = kept.slice(0, amp);
  const last = kept.charCodeAt(kept.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
  return kept;
}
