import { createJsonCodec, isSessionError, jsonCodec, SessionError } from '@sessions/core';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
// The core package's fuzz settings (seed, FUZZ_RUNS), so both codecs are fuzzed alike.
import { fuzzParameters } from '../../core/test/support/fuzz.js';
import { createMsgpackCodec, msgpackCodec } from '../src/index.js';

/** What a codec does with a value: the decoded value, or the error's code and message. */
function outcome(
  codec: { encode(v: unknown): unknown; decode(e: never): unknown },
  value: unknown,
) {
  try {
    return { ok: codec.decode(codec.encode(value) as never) };
  } catch (error) {
    if (!isSessionError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

/** Fails unless both codecs accept `value` and decode it to equal values, or both reject alike. */
function expectParity(value: unknown): void {
  const json = outcome(jsonCodec, value);
  const msgpack = outcome(msgpackCodec, value);
  expect(msgpack).toEqual(json);
}

function decodeError(bytes: Uint8Array): SessionError {
  try {
    msgpackCodec.decode(bytes);
  } catch (error) {
    if (isSessionError(error, 'INVALID_VALUE')) return error;
    throw new Error(`expected INVALID_VALUE, got ${String(error)}`);
  }
  throw new Error('expected decode to throw');
}

const hex = (text: string) =>
  Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));

class Point {
  x = 1;
}

/** One table of values inside and outside the domain, run through both codecs. */
const TABLE: readonly [string, () => unknown][] = [
  ['null', () => null],
  ['true', () => true],
  ['zero', () => 0],
  ['negative zero', () => -0],
  ['nested negative zero', () => ({ a: [-0] })],
  ['max double', () => Number.MAX_VALUE],
  ['min double', () => Number.MIN_VALUE],
  ['max safe integer', () => Number.MAX_SAFE_INTEGER],
  ['2^32', () => 2 ** 32],
  ['-2^31 - 1', () => -(2 ** 31) - 1],
  ['fraction', () => -42.5],
  ['empty string', () => ''],
  ['unicode', () => 'é日本 🎉 שלום \u200d'],
  ['NUL in a string', () => 'a\u0000b'],
  ['date', () => new Date('2026-01-02T03:04:05.678Z')],
  ['date before 0000', () => new Date(-8.64e15)],
  ['dollar keys', () => ({ $date: 'x', $$x: 1, $: 2, a$: 3 })],
  ['date-like object', () => ({ $date: '2024-05-01T12:00:00.000Z' })],
  ['__proto__ key', () => JSON.parse('{"__proto__": {"polluted": true}}')],
  ['constructor key', () => ({ constructor: { prototype: { polluted: true } } })],
  ['null prototype', () => Object.assign(Object.create(null), { a: 1, __proto__x: 2 })],
  ['undefined property', () => ({ a: undefined, b: 1 })],
  ['long string', () => 'x'.repeat(70_000)],
  ['many keys', () => Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i]))],
  ['long array', () => Array.from({ length: 70_000 }, (_, i) => i)],
  ['depth 32', () => JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`)],
  ['depth 33', () => JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`)],
  ['undefined', () => undefined],
  [
    'array hole',
    () => {
      const sparse: unknown[] = [1];
      sparse[2] = 3;
      return sparse;
    },
  ],
  ['undefined in an array', () => [undefined]],
  ['NaN', () => Number.NaN],
  ['Infinity', () => ({ a: [Number.POSITIVE_INFINITY] })],
  ['BigInt', () => 1n],
  ['function', () => ({ f: () => 1 })],
  ['symbol', () => Symbol('s')],
  ['invalid date', () => new Date(Number.NaN)],
  ['class instance', () => new Point()],
  ['Map', () => new Map([[1, 2]])],
  ['Set', () => new Set([1])],
  ['Uint8Array', () => new Uint8Array(2)],
  ['boxed number', () => Object(1)],
  ['toJSON', () => ({ toJSON: () => 1 })],
  ['lone surrogate', () => 'a\ud800'],
  ['lone surrogate key', () => ({ '\udc00': 1 })],
  [
    'cycle',
    () => {
      const a: Record<string, unknown> = {};
      a.self = a;
      return a;
    },
  ],
  [
    'throwing getter',
    () =>
      Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
  ],
];

describe('msgpackCodec', () => {
  it('is a binary codec named msgpack', () => {
    expect(msgpackCodec).toMatchObject({ name: 'msgpack', format: 'binary', producesJson: false });
    expect(msgpackCodec.encode({ a: 1 })).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(msgpackCodec.encode('x'))).toBe(Uint8Array.prototype);
  });

  for (const [name, make] of TABLE) {
    it(`accepts and rejects like jsonCodec: ${name}`, () => expectParity(make()));
  }

  it('writes plain MessagePack that any reader decodes (no extension types)', () => {
    const bytes = msgpackCodec.encode({ a: 1, d: new Date(0), $k: [true, null, 'x', 1.5] });
    // {"a":1,"d":{"$date":"1970-01-01T00:00:00.000Z"},"$$k":[true,nil,"x",1.5]}
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '83a16101a16481a52464617465b8313937302d30312d30315430303a30303a30302e3030305aa3242' +
        '46b94c3c0a178cb3ff8000000000000',
    );
  });

  it('is smaller than JSON for a typical session', () => {
    const value = { user: { id: 'u_123', roles: ['admin', 'editor'] }, cart: [1, 2, 3], n: 42 };
    expect(msgpackCodec.encode(value).length).toBeLessThan(jsonCodec.encode(value).length);
  });

  it('decodes __proto__ and constructor keys as own data, never touching prototypes', () => {
    const decoded = msgpackCodec.decode(
      msgpackCodec.encode(JSON.parse('{"__proto__":{"polluted":true},"constructor":1}')),
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses extension types, bin, reserved bytes and malformed framing', () => {
    const cases: [string, string][] = [
      ['timestamp extension', 'd6ff00000001'],
      ['msgpackr record extension', 'd47201'],
      ['structured-clone id extension', 'c70469000000019100'],
      ['bin 8', 'c403010203'],
      ['reserved 0xc1', 'c1'],
      ['empty input', ''],
      ['truncated string', 'a3616263'.slice(0, 6)],
      ['truncated map', '82a16101'],
      ['trailing bytes', 'c0c0'],
      ['huge array count', 'ddffffffff'],
    ];
    for (const [name, bytes] of cases) {
      expect(decodeError(hex(bytes)).message, name).toMatch(/cannot decode a session value/);
    }
  });

  it('refuses what the codec never writes: non-string keys, NaN, infinities, bad tags', () => {
    const raw = new Packr({ useRecords: false, variableMapSize: true });
    const cases: unknown[] = [
      new Map([[1, 'a']]),
      Number.NaN,
      [Number.NEGATIVE_INFINITY],
      { $x: 1 },
      { $date: 'yesterday' },
      { $date: '2024-05-01T12:00:00.000Z', other: 1 },
    ];
    for (const value of cases) expect(decodeError(raw.pack(value)).code).toBe('INVALID_VALUE');
    // A UTF-8-encoded surrogate: replaced (U+FFFD) or refused, never a lone surrogate.
    let decoded: unknown;
    try {
      decoded = msgpackCodec.decode(hex('a3eda080'));
    } catch (error) {
      decoded = isSessionError(error, 'INVALID_VALUE') ? '' : error;
    }
    expect(typeof decoded === 'string' && decoded.isWellFormed()).toBe(true);
  });

  it('refuses non-bytes', () => {
    expect(() => msgpackCodec.decode('{}' as unknown as Uint8Array)).toThrow(SessionError);
  });

  it('checks maxDepth like the JSON codec', () => {
    expect(() => createMsgpackCodec({ maxDepth: 0 })).toThrow(/MISCONFIGURED|maxDepth/);
    const shallow = createMsgpackCodec({ maxDepth: 2 });
    const json = createJsonCodec({ maxDepth: 2 });
    expect(() => shallow.encode([[[1]]])).toThrow(/nested more than 2 levels/);
    expect(() => json.encode([[[1]]])).toThrow(/nested more than 2 levels/);
    expect(shallow.decode(shallow.encode([[1]]))).toEqual([[1]]);
  });
});

/** Any Unicode scalar value, biased towards ASCII. */
const codePoint = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: 0, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
);
const text = fc.string({ unit: codePoint.map((cp) => String.fromCodePoint(cp)) });
const key = fc.oneof(
  text,
  text.map((s) => `$${s}`),
  fc.constantFrom('__proto__', 'constructor', 'toJSON', '$date', '$$date', '$', ''),
);
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    text,
    fc.date(),
    fc.constantFrom(undefined, 1n, Symbol.iterator, new Map(), new Uint8Array(1)),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));

describe('property: msgpackCodec against jsonCodec', () => {
  it('accepts exactly what jsonCodec accepts and decodes it to the same value', () => {
    fc.assert(fc.property(anyValue, expectParity), fuzzParameters(300));
  });

  it('decode throws nothing but INVALID_VALUE for arbitrary bytes, and never pollutes', () => {
    const valid = anyValue
      .filter((value) => outcome(jsonCodec, value).code === undefined)
      .map((value) => msgpackCodec.encode(value));
    const mutated = fc
      .tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([bytes, at, byte]) => {
        const copy = bytes.slice();
        if (copy.length > 0) copy[at % copy.length] = byte;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
        try {
          msgpackCodec.decode(bytes);
        } catch (error) {
          expect(isSessionError(error, 'INVALID_VALUE')).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzzParameters(500),
    );
  });
});
