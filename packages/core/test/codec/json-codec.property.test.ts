import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonCodec, jsonCodec } from '../../src/codec/json-codec.js';
import { utf8ByteLength } from '../../src/codec/utf8-byte-length.js';
import { isSessionError } from '../../src/errors/session-error.js';
import { fuzzParameters } from '../support/fuzz.js';

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
        '"$$__proto__"',
        '"constructor"',
        '"prototype"',
        '{"__proto__":{"polluted":true}}',
        '{"$$__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"$date":"2024-05-01T12:00:00.000Z","__proto__":{"polluted":true}}',
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

class Point {
  x = 1;
}
class ArrayList extends Array<number> {}
class Instant extends Date {}

/** Builders of values outside the domain (fresh each time: some are mutable objects). */
const outsideDomain: fc.Arbitrary<() => unknown> = fc.oneof(
  fc.bigInt().map((n) => () => n),
  illFormedString.map((text) => () => text),
  illFormedString.map((text) => () => ({ [text]: 1 })),
  fc.constantFrom<() => unknown>(
    () => () => 1,
    () => class {},
    () => Symbol('s'),
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => Number.NEGATIVE_INFINITY,
    () => new Date(Number.NaN),
    () => new Point(),
    () => ArrayList.from([1]),
    () => new Instant(0),
    () => new Map([[1, 2]]),
    () => new Set([1]),
    () => new Uint8Array(2),
    () => new ArrayBuffer(1),
    () => Object(1),
    () => Object('s'),
    () => Object(true),
    () => /re/,
    () => new Error('e'),
    () => Promise.resolve(1),
    () => new WeakMap(),
    () => ({ toJSON: () => 1 }),
    () => Object.assign([1], { toJSON: () => 1 }),
    () => Object.create({ inherited: 1 }),
    () => [undefined],
    () => {
      const sparse: unknown[] = [];
      sparse[1] = 1;
      return sparse;
    },
    () =>
      Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
    () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
  ),
);

/** One enclosing container: an array with neighbours, or an object with sibling keys. */
type Step =
  | { kind: 'array'; before: unknown[]; after: unknown[] }
  | { kind: 'object'; key: string; siblings: Record<string, unknown> };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('array' as const),
    before: fc.array(sessionValue, { maxLength: 2 }),
    after: fc.array(sessionValue, { maxLength: 2 }),
  }),
  fc.record({
    kind: fc.constant('object' as const),
    key,
    siblings: fc.dictionary(key, sessionValue, { maxKeys: 3, noNullPrototype: true }),
  }),
);

/**
 * Builds the containers of `steps` (outermost first) and returns the root, the containers, and
 * a function that puts a value in the innermost slot (the root itself when there are no steps).
 */
function nest(steps: readonly Step[]): {
  root: () => unknown;
  containers: object[];
  place: (value: unknown) => void;
} {
  let root: unknown;
  const containers: object[] = [];
  let place = (value: unknown): void => {
    root = value;
  };
  for (const s of steps) {
    if (s.kind === 'array') {
      const array: unknown[] = [...s.before, null, ...s.after];
      const index = s.before.length;
      place(array);
      containers.push(array);
      place = (value) => {
        array[index] = value;
      };
    } else {
      const object: Record<string, unknown> = { ...s.siblings };
      place(object);
      containers.push(object);
      place = (value) => {
        Object.defineProperty(object, s.key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      };
    }
  }
  return { root: () => root, containers, place };
}

/** Runs `encode` and fails unless it throws a SessionError with code INVALID_VALUE. */
function expectInvalidValue(encode: () => unknown): void {
  let thrown: unknown;
  try {
    encode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ code: 'INVALID_VALUE' });
  expect(isSessionError(thrown, 'INVALID_VALUE')).toBe(true);
}

/** Own keys of the built-in prototypes before any test ran, to detect pollution. */
const PRISTINE = new Map<object, string[]>(
  [Object.prototype, Array.prototype, Function.prototype].map((proto) => [
    proto,
    Reflect.ownKeys(proto).map(String).sort(),
  ]),
);

/** Fails when any built-in prototype gained a property (e.g. through a `__proto__` key). */
function expectNoPollution(): void {
  for (const [proto, keys] of PRISTINE) {
    expect(Reflect.ownKeys(proto).map(String).sort()).toEqual(keys);
  }
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

/** Fails when a decoded object (at any depth) has a prototype other than Object.prototype. */
function expectPlainObjects(decoded: unknown): void {
  const stack: unknown[] = [decoded];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || item instanceof Date) continue;
    if (Array.isArray(item)) expect(Object.getPrototypeOf(item)).toBe(Array.prototype);
    else expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    stack.push(...Object.values(item));
  }
}

describe('property: JSON codec', () => {
  it('decode(encode(v)) equals v for every value in the domain', () => {
    fc.assert(
      fc.property(sessionValue, (value) => {
        expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(value);
      }),
      fuzzParameters(500),
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
      fuzzParameters(300),
    );
  });

  it('encode produces valid, well-formed JSON text with no raw U+0000', () => {
    fc.assert(
      fc.property(sessionValue, (value) => {
        const encoded = jsonCodec.encode(value);
        expect(() => JSON.parse(encoded)).not.toThrow();
        expect(encoded.isWellFormed()).toBe(true);
        expect(encoded.includes('\u0000')).toBe(false);
      }),
      fuzzParameters(300),
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
      fuzzParameters(200),
    );
  });

  it('decode throws nothing but SessionError INVALID_VALUE for arbitrary text, and never pollutes', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeString, jsonish, fc.json()), (text) => {
        let decoded: unknown;
        try {
          decoded = jsonCodec.decode(text);
        } catch (error) {
          expect(isSessionError(error, 'INVALID_VALUE')).toBe(true);
        }
        expectPlainObjects(decoded);
        expectNoPollution();
      }),
      fuzzParameters(1000),
    );
  });

  it('round-trips __proto__, constructor and $ keys made by JSON.parse or Object.fromEntries', () => {
    const special = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'polluted',
      '$date',
      '$$date',
      '$',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(special, key), sessionValue), { maxLength: 6 }),
        (entries) => {
          const fromEntries = Object.fromEntries(entries);
          const fields = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const parsed = JSON.parse(`{${fields.join(',')}}`) as Record<string, unknown>;
          for (const value of [fromEntries, parsed, { nested: [fromEntries, parsed] }]) {
            const decoded = jsonCodec.decode(jsonCodec.encode(value));
            expect(decoded).toEqual(value);
            expect(Object.keys(decoded as object)).toEqual(Object.keys(value));
            expectPlainObjects(decoded);
          }
          expectNoPollution();
        },
      ),
      fuzzParameters(300),
    );
  });

  it('round-trips null-prototype objects as plain objects with the same entries', () => {
    fc.assert(
      fc.property(fc.dictionary(key, sessionValue, { maxKeys: 5 }), (entries) => {
        const bare: Record<string, unknown> = Object.assign(Object.create(null), entries);
        const decoded = jsonCodec.decode(jsonCodec.encode({ bare }));
        expect(decoded).toEqual({ bare: { ...bare } });
        expectPlainObjects(decoded);
        expectNoPollution();
      }),
      fuzzParameters(200),
    );
  });

  it('rejects every value outside the domain, at any depth, with INVALID_VALUE only', () => {
    fc.assert(
      fc.property(outsideDomain, fc.array(step, { maxLength: 4 }), (make, steps) => {
        const { root, place } = nest(steps);
        place(make());
        expectInvalidValue(() => jsonCodec.encode(root()));
      }),
      fuzzParameters(500),
    );
  });

  it('rejects a circular reference at any depth with INVALID_VALUE', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 5 }), fc.nat(), (steps, pick) => {
        const { root, containers, place } = nest(steps);
        place(containers[pick % containers.length]);
        expectInvalidValue(() => jsonCodec.encode(root()));
      }),
      fuzzParameters(200),
    );
  });

  it('accepts nesting up to maxDepth and rejects one level more', () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      finiteDouble,
      unicodeString,
      fc.date({ noInvalidDate: true }),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(32), fc.integer({ min: 1, max: 40 })),
        fc.array(fc.option(key, { nil: undefined }), { minLength: 41, maxLength: 41 }),
        leaf,
        (maxDepth, levels, inner) => {
          const codec = maxDepth === 32 ? jsonCodec : createJsonCodec({ maxDepth });
          const build = (depth: number) =>
            levels
              .slice(0, depth)
              .reduceRight<unknown>(
                (value, k) => (k === undefined ? [value] : { [k]: value }),
                inner,
              );
          expect(codec.decode(codec.encode(build(maxDepth)))).toEqual(build(maxDepth));
          expectInvalidValue(() => codec.encode(build(maxDepth + 1)));
        },
      ),
      fuzzParameters(200),
    );
  });
});

describe('property: utf8ByteLength', () => {
  it('matches TextEncoder for arbitrary full-unicode strings', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(unicodeString, illFormedString), (text) => {
        expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
      }),
      fuzzParameters(1000),
    );
  });
});
