import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from '../../src/codec/json-codec.js';
import { utf8ByteLength } from '../../src/codec/utf8-byte-length.js';
import { isSessionError } from '../../src/errors/session-error.js';

/** Any Unicode scalar value (code points outside the surrogate range), biased towards ASCII. */
const anyCodePoint = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: 0, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
);
const unicodeString = fc.string({ unit: anyCodePoint.map((cp) => String.fromCodePoint(cp)) });
/** Strings that contain at least one lone surrogate. */
const illFormedString = fc
  .tuple(unicodeString, fc.integer({ min: 0xd800, max: 0xdfff }), unicodeString)
  .map(([a, cp, b]) => a + String.fromCharCode(cp) + b)
  .filter((s) => !s.isWellFormed());

/** Object keys: arbitrary strings plus the ones the codec must treat specially. */
const key = fc.oneof(
  unicodeString,
  fc.string().map((s) => `$${s}`),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toJSON',
    '$date',
    '$$date',
    '$',
    '$$',
    '',
  ),
);

const finiteDouble = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((n) => (Object.is(n, -0) ? 0 : n));

/**
 * The codec's value domain. Objects get `Object.prototype` (what `decode` produces), so `toEqual`
 * compares like with like; properties may be `undefined`, which `toEqual` treats as absent, the
 * same as the codec.
 */
const { value: sessionValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    finiteDouble,
    unicodeString,
    fc.date({ noInvalidDate: true }),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, fc.oneof(tie('value'), fc.constant(undefined)), {
    maxKeys: 5,
    noNullPrototype: true,
  }),
}));

/** Text that looks like codec output, to reach the revive path with broken data. */
const jsonish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        ':',
        ',',
        '"',
        '"$date"',
        '"$$date"',
        '"$"',
        '"$x"',
        '"\\u0024"',
        '"__proto__"',
        '"2024-05-01T12:00:00.000Z"',
        '1e999',
        '-0',
        'null',
        'true',
      ),
      unicodeString,
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

describe('jsonCodec properties', () => {
  it('decode(encode(v)) equals v for every value in the domain', () => {
    fc.assert(
      fc.property(sessionValue, (value) => {
        expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes every object with Object.prototype and never pollutes it', () => {
    fc.assert(
      fc.property(sessionValue, (value) => {
        const decoded = jsonCodec.decode(jsonCodec.encode(value));
        const stack: unknown[] = [decoded];
        while (stack.length > 0) {
          const item = stack.pop();
          if (typeof item !== 'object' || item === null || item instanceof Date) continue;
          if (!Array.isArray(item)) expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
          stack.push(...Object.values(item));
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('encode produces valid JSON', () => {
    fc.assert(
      fc.property(sessionValue, (value) => {
        expect(() => JSON.parse(jsonCodec.encode(value))).not.toThrow();
      }),
    );
  });

  it('rejects every string with a lone surrogate, as a value or a key', () => {
    fc.assert(
      fc.property(illFormedString, (text) => {
        for (const value of [text, [text], { [text]: 1 }, { a: { b: text } }]) {
          expect(() => jsonCodec.encode(value)).toThrowError(
            expect.objectContaining({ code: 'INVALID_VALUE' }),
          );
        }
      }),
    );
  });

  it('decode throws nothing but SessionError INVALID_VALUE for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeString, jsonish, fc.json()), (text) => {
        try {
          jsonCodec.decode(text);
        } catch (error) {
          expect(isSessionError(error, 'INVALID_VALUE')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('utf8ByteLength property', () => {
  it('matches TextEncoder for arbitrary full-unicode strings', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(unicodeString, illFormedString), (text) => {
        expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
      }),
      { numRuns: 1000 },
    );
  });
});
