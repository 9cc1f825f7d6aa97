/** Evidence files' names (X-File-Name in, Content-Disposition out) and types (the allowlist). */
import { contentDisposition, fileNameFrom } from '../../api/evidence/file-name';
import { isEvidenceType, mediaTypeOf, shownInline } from '../../api/evidence/file-types';

describe('X-File-Name', () => {
  test('decodes percent-encoded UTF-8 and trims', () => {
    expect(fileNameFrom(encodeURIComponent(' 整改报告（终稿）.docx '))).toBe('整改报告（终稿）.docx');
    expect(fileNameFrom('plain-ascii.pdf')).toBe('plain-ascii.pdf');
  });

  test.each([
    [undefined, 'required'],
    ['   ', 'required'],
    ['%E6%95%B4%E6', 'percent-encoded'],
    ['..', 'must name a file'],
    [encodeURIComponent('dir/file.pdf'), 'not a path'],
    [encodeURIComponent('C:\\files\\a.pdf'), 'not a path'],
    [encodeURIComponent('a\nb.pdf'), 'control characters'],
    [encodeURIComponent('invoice\u202Efdp.exe'), 'bidirectional'],
    ['%ED%A0%80.png', 'percent-encoded'],
    [Buffer.from('照片.jpg', 'utf8').toString('latin1'), 'send only ASCII'],
    ['tab\there.png', 'send only ASCII'],
    [encodeURIComponent('长'.repeat(256)), 'at most 255'],
  ])('%p is refused (%s)', (header, message) => {
    expect(() => fileNameFrom(header)).toThrow(message);
  });

  test('255 characters, counted as characters not bytes, are fine', () => {
    expect(fileNameFrom(encodeURIComponent('长'.repeat(255)))).toHaveLength(255);
  });
});

describe('Content-Disposition', () => {
  test('an ASCII fallback and the exact UTF-8 name (RFC 6266 / 8187)', () => {
    expect(contentDisposition('attachment', '验收报告 (1).pdf')).toBe(
      `attachment; filename="____ (1).pdf"; filename*=UTF-8''%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A%20%281%29.pdf`,
    );
    expect(contentDisposition('inline', 'say "hi"\\.png')).toBe(`inline; filename="say _hi__.png"; filename*=UTF-8''say%20%22hi%22%5C.png`);
  });
});

describe('evidence types', () => {
  test('the media type without parameters, lower-cased', () => {
    expect(mediaTypeOf('Text/Plain; charset=UTF-8')).toBe('text/plain');
    expect(mediaTypeOf('')).toBeUndefined();
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });

  test.each(['image/jpeg', 'image/heic', 'application/pdf', 'application/ofd', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel', 'text/csv', 'application/zip', 'application/x-zip-compressed', 'video/mp4'])('%s is taken', (type) => {
    expect(isEvidenceType(type)).toBe(true);
  });

  test.each(['text/html', 'image/svg+xml', 'application/javascript', 'application/octet-stream', 'application/x-msdownload', 'multipart/form-data', undefined])(
    '%s is not', (type) => {
      expect(isEvidenceType(type)).toBe(false);
    },
  );

  test('photos show inline; documents download', () => {
    expect(shownInline('image/png')).toBe(true);
    expect(shownInline('application/pdf')).toBe(false);
    expect(shownInline('image/heic')).toBe(false);
  });
});
