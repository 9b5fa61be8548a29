import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from '../../src/codec/utf8-byte-length.js';

const encoder = new TextEncoder();

describe('utf8ByteLength', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'hello, world'],
    ['control characters', '\u0000\u001f\u007f'],
    ['2-byte characters', 'é ß ñ \u0080 \u07ff'],
    ['3-byte characters', '日本語 \u0800 \uffff \ufffd'],
    ['emoji (surrogate pairs)', '🎉👍🏽'],
    ['ZWJ emoji sequence', '👩‍👩‍👧‍👦'],
    ['the highest code point', '\u{10ffff}'],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate', '\udc00'],
    ['high surrogate at the end', 'abc\udbff'],
    ['low surrogate before high surrogate', '\udc00\ud800'],
    ['two high surrogates then a low one', '\ud800\ud800\udc00'],
    ['mixed', 'a\u00e9\u65e5\u{1f600}\ud800z'],
  ])('matches TextEncoder for %s', (_name, text) => {
    expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
  });

  it('counts 1, 2, 3 and 4 bytes per character class', () => {
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('日')).toBe(3);
    expect(utf8ByteLength('🎉')).toBe(4);
    expect(utf8ByteLength('\ud800')).toBe(3);
  });
});
