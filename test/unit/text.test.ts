/** The text rule (domain/text.ts): well-formed Unicode, no control characters, and the byte sizes payloads are held to. */
import fc from 'fast-check';
import {
  ACTOR_ID_PATTERN,
  assertCleanStrings,
  ID_PATTERN,
  jsonBytes,
  normalizeLineEnds,
  textRuleViolation,
  utf8Length,
} from '../../domain/text';
import { codeOf } from './item-builders';

/** Any UTF-16 code unit, lone surrogates included: what a JSON body may smuggle in. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyUnits = fc.string({ unit: codeUnit, maxLength: 60 });
/** Any code point (astral ones as surrogate pairs), never a lone surrogate. */
const codePoints = fc.string({ unit: 'binary', maxLength: 60 });
/** Printable text without controls: letters, CJK, emoji with modifiers, joiners. */
const printable = fc.string({
  unit: fc.constantFrom('a', 'Z', '7', ' ', '中', '国', '—', '€', '😀', '👍🏽', '👨‍👩‍👧', '𠀀', '\u00A0', '\u2028', '\uFFFD'),
  maxLength: 40,
});

describe('textRuleViolation', () => {
  it.each([
    ['a lone high surrogate at the end (a cut-off emoji)', 'done \uD83D'],
    ['a lone high surrogate inside', 'a\uD83Db'],
    ['a lone low surrogate', '\uDE00 after'],
    ['a reversed pair', '\uDE00\uD83D'],
    ['two high surrogates', '\uD83D\uD83D\uDE00'],
  ])('refuses %s in both kinds of text', (_name, value) => {
    expect(textRuleViolation(value, 'singleLine')).toMatch(/well-formed Unicode/);
    expect(textRuleViolation(value, 'multiLine')).toMatch(/well-formed Unicode/);
  });

  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['vertical tab', '\u000B'],
    ['form feed', '\u000C'],
    ['carriage return', '\r'],
    ['escape', '\u001B'],
    ['unit separator', '\u001F'],
    ['DEL', '\u007F'],
    ['a C1 control (NEL)', '\u0085'],
    ['the last C1 control', '\u009F'],
  ])('refuses %s in both kinds of text', (_name, c) => {
    expect(textRuleViolation(`before${c}after`, 'singleLine')).toMatch(/control characters/);
    expect(textRuleViolation(`before${c}after`, 'multiLine')).toMatch(/control characters other than newline and tab/);
  });

  it('allows newline and tab in multi-line text only', () => {
    for (const c of ['\n', '\t']) {
      expect(textRuleViolation(`one${c}two`, 'multiLine')).toBeUndefined();
      expect(textRuleViolation(`one${c}two`, 'singleLine')).toMatch(/newlines, tabs or bidirectional overrides/);
    }
  });

  it('accepts well-formed text: surrogate pairs, joiners, CJK, the line separator, U+00A0 (after the C1 block)', () => {
    for (const value of ['😀', '👨‍👩‍👧 family', '整改 督办', '𠀀𠀁', 'a\u2028b', '\u00A0', '\uFFFD']) {
      expect(textRuleViolation(value, 'singleLine')).toBeUndefined();
      expect(textRuleViolation(value, 'multiLine')).toBeUndefined();
    }
  });

  it('property: printable text passes; one control or lone surrogate inserted anywhere fails', () => {
    const bad = fc.constantFrom('\u0000', '\u0001', '\u001F', '\u007F', '\u0080', '\u009F', '\uD800', '\uDBFF', '\uDC00', '\uDFFF');
    fc.assert(
      fc.property(printable, printable, bad, (before, after, c) => {
        expect(textRuleViolation(before + after, 'singleLine')).toBeUndefined();
        // a high surrogate right before a low one would form a pair: keep them apart
        const value = `${before}${c}x${after}`;
        expect(textRuleViolation(`x${value}`, 'singleLine')).toBeDefined();
        expect(textRuleViolation(`x${value}`, 'multiLine')).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('property: any code-point string is free of lone surrogates; strings of raw code units agree with a TextEncoder round trip', () => {
    fc.assert(
      fc.property(codePoints, (value) => {
        expect(textRuleViolation(value, 'multiLine') ?? '').not.toMatch(/well-formed/);
      }),
    );
    fc.assert(
      fc.property(anyUnits, (value) => {
        // TextEncoder replaces every lone surrogate: the round trip changes the string exactly when one is there
        // ignoreBOM: by default the decoder drops a leading U+FEFF, which is well-formed text all the same
        const wellFormed = new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(value)) === value;
        const verdict = textRuleViolation(value, 'multiLine');
        if (!wellFormed) expect(verdict).toMatch(/well-formed/);
        else expect(verdict ?? '').not.toMatch(/well-formed/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeLineEnds', () => {
  it('turns CRLF and lone CR into LF, and leaves the rest alone', () => {
    expect(normalizeLineEnds('a\r\nb\rc\nd\r\n')).toBe('a\nb\nc\nd\n');
    expect(normalizeLineEnds('\r\r\n')).toBe('\n\n');
    expect(normalizeLineEnds('tab\there')).toBe('tab\there');
    // pasted Windows text then passes the multi-line rule
    expect(textRuleViolation(normalizeLineEnds('one\r\ntwo'), 'multiLine')).toBeUndefined();
  });
});

describe('assertCleanStrings', () => {
  it('accepts clean values of any shape, and non-strings', () => {
    expect(() => assertCleanStrings({ a: ['x', { b: 'line\n\tline' }], n: 1, t: true, z: null, u: undefined })).not.toThrow();
  });

  it('refuses the first bad string, naming its path', () => {
    const value = { escalationLadder: [{ after: 'PT0S', notify: ['ownerUnit', 'bad\u0000'] }] };
    expect(codeOf(() => assertCleanStrings(value, 'policy'))).toBe('VALIDATION_FAILED');
    expect(() => assertCleanStrings(value, 'policy')).toThrow(/^policy\.escalationLadder\.0\.notify\.1 /);
    try {
      assertCleanStrings(value, 'policy');
    } catch (e) {
      expect(e).toMatchObject({ details: { path: 'policy.escalationLadder.0.notify.1' } });
    }
  });

  it('refuses a bad object key and a bare bad string', () => {
    expect(codeOf(() => assertCleanStrings({ ['key\uD800']: 1 }, 'command'))).toBe('VALIDATION_FAILED');
    expect(() => assertCleanStrings('\u0007')).toThrow(/^text /);
  });
});

describe('utf8Length and jsonBytes', () => {
  it('counts 1, 2, 3 and 4 bytes per character', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('中')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\uD83D')).toBe(3); // a lone surrogate is written as U+FFFD
    expect(utf8Length('\uD83Da')).toBe(4);
  });

  it('property: agrees with Buffer.byteLength on any code points, astral ones included', () => {
    fc.assert(
      fc.property(codePoints, (value) => expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'))),
      { numRuns: 1000 },
    );
  });

  it('property: agrees with Buffer.byteLength on raw code units, lone surrogates included', () => {
    fc.assert(
      fc.property(anyUnits, (value) => expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'))),
      { numRuns: 1000 },
    );
  });

  it('property: jsonBytes is the UTF-8 size of the JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(codePoints, codePoints, { maxKeys: 5 }), (value, dict) => {
        for (const v of [value, dict, { nested: [dict, value] }]) {
          expect(jsonBytes(v)).toBe(Buffer.byteLength(JSON.stringify(v), 'utf8'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('jsonBytes of undefined (which JSON.stringify drops) is 0; escapes count as written', () => {
    expect(jsonBytes(undefined)).toBe(0);
    expect(jsonBytes('a"b\n')).toBe('"a\\"b\\n"'.length);
    expect(jsonBytes({ unit: '整改' })).toBe(Buffer.byteLength('{"unit":"整改"}'));
  });
});

describe('the id and actor id alphabets', () => {
  it.each(['a', 'A1', 'item-2026.03_x:y', '0start'])('accepts the id %p', (id) => expect(ID_PATTERN.test(id)).toBe(true));
  it.each(['', '-a', '.a', 'a b', 'a/b', 'a\u0000', 'é', '中'])('refuses the id %p', (id) => expect(ID_PATTERN.test(id)).toBe(false));
  it('actor ids: printable ASCII without spaces', () => {
    expect(ACTOR_ID_PATTERN.test('idp|123@example.org')).toBe(true);
    expect(ACTOR_ID_PATTERN.test('two words')).toBe(false);
    expect(ACTOR_ID_PATTERN.test('tab\t')).toBe(false);
    expect(ACTOR_ID_PATTERN.test('中')).toBe(false);
  });
});

describe('bidirectional overrides', () => {
  it('are refused in names and titles, where they could make one name read as another', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(textRuleViolation(`Unit${c}A`, 'singleLine')).toBeDefined();
      expect(textRuleViolation(`some text ${c} in a report`, 'multiLine')).toBeUndefined();
    }
  });
});
