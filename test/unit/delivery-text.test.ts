import { emailHtml, inlineHtml, markdownToHtml } from '../../activities/delivery/channels/markdown-html';
import { chineseNumeral, escapeMarkdown, formatLocalDateTime, oneLine, truncateChars, truncateUtf8, utf8Length } from '../../activities/delivery/text';

describe('formatLocalDateTime', () => {
  it('shows Asia/Shanghai wall time (UTC+8, no daylight saving) across midnight and the year end', () => {
    expect(formatLocalDateTime('2026-12-31T15:59:00Z', 'Asia/Shanghai')).toBe('2026年12月31日 23:59');
    expect(formatLocalDateTime('2026-12-31T16:00:00Z', 'Asia/Shanghai')).toBe('2027年1月1日 00:00');
    // same offset in July as in January: China has no daylight saving time
    expect(formatLocalDateTime('2026-07-01T01:05:00Z', 'Asia/Shanghai')).toBe('2026年7月1日 09:05');
    expect(formatLocalDateTime(Date.UTC(2026, 0, 1, 1, 5), 'Asia/Shanghai')).toBe('2026年1月1日 09:05');
  });

  it('follows the zone of the item, daylight saving included', () => {
    expect(formatLocalDateTime('2026-01-15T12:00:00Z', 'America/New_York')).toBe('2026年1月15日 07:00');
    expect(formatLocalDateTime('2026-07-15T12:00:00Z', 'America/New_York')).toBe('2026年7月15日 08:00');
    expect(formatLocalDateTime('2026-03-29T00:30:00Z', 'Europe/Berlin')).toBe('2026年3月29日 01:30');
    expect(formatLocalDateTime('2026-03-29T01:30:00Z', 'Europe/Berlin')).toBe('2026年3月29日 03:30');
    expect(formatLocalDateTime('2026-06-30T23:59:00+08:00', 'UTC')).toBe('2026年6月30日 15:59');
  });

  it('refuses what is not an instant or not a zone', () => {
    expect(() => formatLocalDateTime('tomorrow', 'Asia/Shanghai')).toThrow(RangeError);
    expect(() => formatLocalDateTime('2026-01-01T00:00:00Z', 'Asia/Beijing')).toThrow(/not a known IANA time zone/);
  });
});

describe('escapeMarkdown', () => {
  it('escapes inline markers so user text shows as typed', () => {
    expect(escapeMarkdown('**急** [点我](http://evil) `x` _y_ <b>|~')).toBe(
      '\\*\\*急\\*\\* \\[点我\\](http://evil) \\`x\\` \\_y\\_ \\<b\\>\\|\\~',
    );
    expect(escapeMarkdown('C:\\path')).toBe('C:\\\\path');
  });

  it('escapes block markers only where they would start a block', () => {
    expect(escapeMarkdown('# 标题\n- 项\n+ 项\n1. 项\n2) 项\n===\n  > 引用')).toBe(
      '\\# 标题\n\\- 项\n\\+ 项\n1\\. 项\n2\\) 项\n\\===\n  \\> 引用',
    );
    expect(escapeMarkdown('第1. 条 a-b #3 1+1=2')).toBe('第1. 条 a-b #3 1+1=2');
  });

  it('normalizes line breaks and drops control characters', () => {
    expect(escapeMarkdown('a\r\nb\rc\u0007d\te')).toBe('a\nb\ncd\te');
    expect(oneLine('  第一行\n\n 第二行 ')).toBe('第一行 第二行');
  });
});

describe('truncation', () => {
  it('cuts on UTF-8 character boundaries, the marker included in the limit', () => {
    expect(truncateUtf8('督办督办', 12)).toBe('督办督办');
    expect(truncateUtf8('督办督办', 11)).toBe('督办…'); // … is 3 bytes: 6 + 3 ≤ 11, 9 + 3 > 11
    expect(utf8Length(truncateUtf8('督办督办', 11))).toBeLessThanOrEqual(11);
    expect(truncateUtf8('abc', 2, '')).toBe('ab');
  });

  it('never splits a surrogate pair', () => {
    const out = truncateUtf8('😀😀😀', 9, '…'); // 4 bytes each
    expect(out).toBe('😀…');
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('truncates characters with an ellipsis', () => {
    expect(truncateChars('一二三四五', 5)).toBe('一二三四五');
    expect(truncateChars('一二三四五六', 5)).toBe('一二三四…');
  });
});

describe('chineseNumeral', () => {
  it.each([
    [1, '一'], [3, '三'], [10, '十'], [11, '十一'], [20, '二十'], [35, '三十五'], [99, '九十九'], [100, '100'], [0, '0'],
  ])('%i → %s', (n, s) => expect(chineseNumeral(n)).toBe(s));
});

describe('markdown to HTML for e-mail', () => {
  it('renders the subset the templates produce', () => {
    expect(markdownToHtml('请**按期**整改。\n\n**期限**：明天\n\n- 甲\n- 乙\n\n> 引\n\n#### 组\n\n[查看](https://x.cn/items/a%29)')).toBe(
      [
        '<p>请<strong>按期</strong>整改。</p>',
        '<p><strong>期限</strong>：明天</p>',
        '<ul><li>甲</li><li>乙</li></ul>',
        '<blockquote>引</blockquote>',
        '<h5>组</h5>',
        '<p><a href="https://x.cn/items/a%29">查看</a></p>',
      ].join('\n'),
    );
  });

  it('escapes HTML and honours backslash escapes, so user text cannot inject markup or links', () => {
    expect(inlineHtml('<img src=x onerror=alert(1)> & "q"')).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    expect(inlineHtml(escapeMarkdown('**粗** [a](https://evil.cn)'))).toBe('**粗** [a](https://evil.cn)');
    expect(inlineHtml('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
    expect(inlineHtml('a\\<b\\>')).toBe('a&lt;b&gt;');
  });

  it('wraps a whole document with the escaped title', () => {
    const html = emailHtml('A <b>', 'x');
    expect(html).toContain('<h2>A &lt;b&gt;</h2>');
    expect(html).toContain('<meta charset="utf-8">');
  });
});
