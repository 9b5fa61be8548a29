import { describe, expect, it } from 'vitest';
import { createJsonCodec, jsonCodec } from '../../src/codec/json-codec.js';
import { isSessionError } from '../../src/errors/session-error.js';

const { encode, decode } = jsonCodec;

/** Encodes then decodes. */
function roundTrip(value: unknown): unknown {
  return decode(encode(value));
}

/** Runs `fn` and returns the SessionError it throws (failing the test otherwise). */
function catchError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isSessionError(error)) return error;
    throw new Error(`expected a SessionError, got ${String(error)}`);
  }
  throw new Error('expected a SessionError, nothing was thrown');
}

/** Asserts `encode(value)` throws INVALID_VALUE whose message matches `message`. */
function expectRejected(value: unknown, message: RegExp): void {
  const error = catchError(() => encode(value));
  expect(error.code).toBe('INVALID_VALUE');
  expect(error.message).toMatch(message);
}

/** Builds `levels` nested arrays around `leaf`: 1 level is `[leaf]`. */
function nestedArrays(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Builds `levels` nested objects `{ a: { a: ... } }` around `leaf`. */
function nestedObjects(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('jsonCodec metadata', () => {
  it('is named json and produces JSON', () => {
    expect(jsonCodec.name).toBe('json');
    expect(jsonCodec.producesJson).toBe(true);
    expect(createJsonCodec().name).toBe('json');
  });
});

describe('accepted values', () => {
  it('round-trips null', () => {
    expect(roundTrip(null)).toBeNull();
  });

  it('round-trips booleans', () => {
    expect(roundTrip(true)).toBe(true);
    expect(roundTrip(false)).toBe(false);
  });

  it('round-trips finite numbers', () => {
    for (const n of [0, 1, -1, 1.5, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip(n)).toBe(n);
    }
  });

  it('stores -0 as 0', () => {
    expect(encode(-0)).toBe('0');
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
    expect(Object.is((roundTrip([-0]) as number[])[0], 0)).toBe(true);
  });

  it('rejects strings and keys with lone surrogates (UTF-8 stores and jsonb cannot hold them)', () => {
    for (const bad of [
      '\ud800',
      'a\udc00b',
      ['ok', '\udbff'],
      { nested: { s: '\udc00' } },
      { '\ud800': 1 },
    ]) {
      expect(() => encode(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_VALUE' }));
    }
  });

  it('round-trips strings, including unicode and "$" text', () => {
    for (const s of ['', 'hello', 'é日本🎉', '$date', '"$', '\\u0024', '\u0000']) {
      expect(roundTrip(s)).toBe(s);
    }
  });

  it('round-trips a Date as a Date with the same time', () => {
    const date = new Date('2024-05-01T12:34:56.789Z');
    const decoded = roundTrip(date);
    expect(decoded).toBeInstanceOf(Date);
    expect((decoded as Date).getTime()).toBe(date.getTime());
  });

  it('round-trips Dates at the ends of the valid range and before year 0', () => {
    for (const time of [8.64e15, -8.64e15, -62198755200000, 0]) {
      expect((roundTrip(new Date(time)) as Date).getTime()).toBe(time);
    }
  });

  it('round-trips Dates inside arrays and nested objects', () => {
    const value = {
      createdAt: new Date(1),
      list: [new Date(2), { at: new Date(3) }, [new Date(4)]],
      deep: { deeper: { when: new Date(5) } },
    };
    const decoded = roundTrip(value) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.deep.deeper.when).toBeInstanceOf(Date);
    expect(decoded.list[0]).toBeInstanceOf(Date);
  });

  it('round-trips dense arrays', () => {
    expect(roundTrip([1, 'a', null, true, [2]])).toEqual([1, 'a', null, true, [2]]);
    expect(roundTrip([])).toEqual([]);
  });

  it('round-trips plain objects', () => {
    const value = { a: 1, b: { c: 'x', d: [null] }, e: {} };
    expect(roundTrip(value)).toEqual(value);
  });

  it('accepts null-prototype objects and decodes them with Object.prototype', () => {
    const value = Object.create(null) as Record<string, unknown>;
    value.a = 1;
    const decoded = roundTrip(value);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded).toEqual({ a: 1 });
  });

  it('omits object properties whose value is undefined', () => {
    expect(encode({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(Object.hasOwn(roundTrip({ a: 1, b: undefined }) as object, 'b')).toBe(false);
  });

  it('duplicates a shared, non-circular reference', () => {
    const shared = { n: 1 };
    const decoded = roundTrip({ x: shared, y: [shared] }) as { x: object; y: object[] };
    expect(decoded).toEqual({ x: { n: 1 }, y: [{ n: 1 }] });
    expect(decoded.x).not.toBe(decoded.y[0]);
  });

  it('accepts a non-function toJSON property as data', () => {
    expect(roundTrip({ toJSON: 'text' })).toEqual({ toJSON: 'text' });
  });

  it('produces JSON text', () => {
    expect(JSON.parse(encode({ a: [1, 'b'] }))).toEqual({ a: [1, 'b'] });
  });

  it('does not change what an earlier encoding decodes to when the original is mutated', () => {
    const value = { list: [1, 2], nested: { when: new Date(10) } };
    const encoded = encode(value);
    value.list.push(3);
    value.nested.when.setTime(20);
    (value as Record<string, unknown>).extra = true;
    expect(decode(encoded)).toEqual({ list: [1, 2], nested: { when: new Date(10) } });
  });
});

describe('wire format', () => {
  it('writes a value without Dates or $-keys as plain JSON.stringify output', () => {
    const value = { a: [1, 'x', null], b: { c: true } };
    expect(encode(value)).toBe(JSON.stringify(value));
  });

  it('encodes a Date as {"$date": ISO string}', () => {
    expect(encode(new Date('2024-05-01T12:00:00.000Z'))).toBe(
      '{"$date":"2024-05-01T12:00:00.000Z"}',
    );
    expect(encode([new Date(0)])).toBe('[{"$date":"1970-01-01T00:00:00.000Z"}]');
  });

  it('escapes keys starting with "$" by prepending one more "$"', () => {
    expect(encode({ $date: 1 })).toBe('{"$$date":1}');
    expect(encode({ $$date: 1 })).toBe('{"$$$date":1}');
    expect(encode({ $: 1 })).toBe('{"$$":1}');
    expect(encode({ a$: 1 })).toBe('{"a$":1}');
  });

  it('decodes JSON written by another writer with an escaped "$"', () => {
    expect(decode('{"\\u0024$date":1}')).toEqual({ $date: 1 });
    expect(decode('{"\\u0024date":"2024-05-01T12:00:00.000Z"}')).toEqual(
      new Date('2024-05-01T12:00:00.000Z'),
    );
  });
});

describe('$-key escaping round trips', () => {
  it.each(['$date', '$$date', '$$$date', '$', '$$', '$x', '$$x'])(
    'round-trips the key %s',
    (key) => {
      const value = { [key]: 'v', other: 1 };
      const decoded = roundTrip(value) as Record<string, unknown>;
      expect(decoded).toEqual(value);
      expect(Object.keys(decoded)).toEqual([key, 'other']);
    },
  );

  it('round-trips a user object shaped like a Date tag', () => {
    const value = { $date: '2024-05-01T12:00:00.000Z' };
    const decoded = roundTrip(value);
    expect(decoded).not.toBeInstanceOf(Date);
    expect(decoded).toEqual(value);
  });

  it('round-trips a $date key holding a real Date', () => {
    const value = { $date: new Date(7), list: [{ $: new Date(8) }] };
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips $-keys nested inside arrays', () => {
    const value = [{ $a: [{ $$b: 1 }] }];
    expect(roundTrip(value)).toEqual(value);
  });
});

describe('prototype safety', () => {
  it('decodes a __proto__ key as an own data property without pollution', () => {
    const decoded = decode('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(decoded.polluted).toBeUndefined();
  });

  it('decodes __proto__ as own data on the revive path too', () => {
    const decoded = decode(
      '{"$$x":1,"__proto__":{"polluted":1},"nested":{"$$y":{"__proto__":{"polluted":2}}}}',
    ) as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    const inner = decoded.nested?.$y as Record<string, unknown>;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.hasOwn(inner, '__proto__')).toBe(true);
  });

  it('round-trips an own __proto__ property (for example from JSON.parse) as data', () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"a":1}') as object;
    expect(encode(value)).toBe('{"__proto__":{"polluted":1},"a":1}');
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(decoded).toEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps an own __proto__ property as data when the value needs the wire copy', () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"$a":1}') as Record<string, unknown>;
    value.when = new Date(1);
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(decoded).toEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips constructor and prototype keys as own data', () => {
    const value = { constructor: { prototype: { polluted: 1 } }, prototype: 1 };
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(decoded).toEqual(value);
    expect(Object.hasOwn(decoded, 'constructor')).toBe(true);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('rejected values', () => {
  it('rejects top-level undefined and points to session.remove', () => {
    expectRejected(undefined, /^value is undefined.*session\.remove\(key\)/);
  });

  it('rejects undefined array elements', () => {
    expectRejected({ list: [1, undefined] }, /^value at list\[1\] is undefined.*use null/);
  });

  it('rejects holes in sparse arrays', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    expectRejected([1, , 3], /^value at \[1\] is a hole in a sparse array/);
  });

  it('rejects NaN', () => {
    expectRejected({ n: Number.NaN }, /^value at n is NaN; only finite numbers/);
  });

  it('rejects Infinity and -Infinity', () => {
    expectRejected(Number.POSITIVE_INFINITY, /^value is Infinity/);
    expectRejected([Number.NEGATIVE_INFINITY], /^value at \[0\] is -Infinity/);
  });

  it('rejects BigInt with the path, saying to store a string', () => {
    expectRejected(
      { user: { tags: ['a', 'b', 1n] } },
      /^value at user\.tags\[2\] is a BigInt; store it as a string/,
    );
  });

  it('rejects functions', () => {
    expectRejected({ f: () => 1 }, /^value at f is a function/);
  });

  it('rejects symbols', () => {
    expectRejected([Symbol('s')], /^value at \[0\] is a symbol/);
  });

  it('rejects invalid Dates', () => {
    expectRejected({ when: new Date(Number.NaN) }, /^value at when is an invalid Date/);
  });

  it('rejects class instances', () => {
    class User {
      name = 'a';
    }
    expectRejected({ u: new User() }, /^value at u is an instance of User; store a plain object/);
  });

  it('rejects objects with a custom prototype', () => {
    expectRejected(Object.create({ inherited: 1 }), /^value is an object with a custom prototype/);
  });

  it('rejects Map', () => {
    expectRejected(new Map([[1, 2]]), /^value is a Map; convert it/);
  });

  it('rejects Set', () => {
    expectRejected(new Set([1]), /^value is a Set; convert it to an array/);
  });

  it('rejects RegExp', () => {
    expectRejected(/x/, /^value is a RegExp/);
  });

  it('rejects typed arrays and ArrayBuffer', () => {
    expectRejected(new Uint8Array(2), /^value is a Uint8Array; encode the bytes/);
    expectRejected(new ArrayBuffer(2), /^value is an ArrayBuffer; encode the bytes/);
  });

  it('rejects Error', () => {
    expectRejected(new TypeError('x'), /^value is an instance of TypeError; store the fields/);
    expectRejected(new Error('x'), /^value is an Error/);
  });

  it('rejects Promise', () => {
    expectRejected(Promise.resolve(1), /^value is a Promise; await it/);
  });

  it('rejects boxed primitives', () => {
    expectRejected(Object(1n), /^value is a BigInt/);
    expectRejected(new Number(1), /^value is a Number; store the primitive value/);
    expectRejected(new String('s'), /^value is a String; store the primitive value/);
    expectRejected(new Boolean(true), /^value is a Boolean; store the primitive value/);
  });

  it('rejects subclasses of Date and Array', () => {
    class MyDate extends Date {}
    class MyArray extends Array<number> {}
    expectRejected(
      { d: new MyDate(0) },
      /^value at d is an instance of MyDate; store a plain Date/,
    );
    expectRejected(MyArray.from([1]), /^value is an instance of MyArray; store a plain array/);
  });

  it('rejects plain objects and arrays with a toJSON method', () => {
    expectRejected({ a: { toJSON: () => 'x' } }, /^value at a has a toJSON\(\) method/);
    const array = Object.assign([1], { toJSON: () => 'x' });
    expectRejected(array, /^value has a toJSON\(\) method/);
  });

  it('rejects circular references, naming both paths', () => {
    const root: Record<string, unknown> = { a: 1 };
    root.self = root;
    expectRejected(root, /^value at self is a circular reference \(to the value itself\)/);
    const inner: Record<string, unknown> = {};
    const outer = { user: { data: [inner] } };
    inner.back = outer.user;
    expectRejected(
      outer,
      /^value at user\.data\[0\]\.back is a circular reference \(to value at user\)/,
    );
  });

  it('quotes keys that are not identifiers in the path', () => {
    expectRejected({ 'a b': { 'x-y': [1n] } }, /^value at \["a b"\]\["x-y"\]\[0\] is a BigInt/);
  });

  it('reports the path of a rejected Date-like value beside $-keys', () => {
    expectRejected({ $date: { $x: [Number.NaN] } }, /^value at \$date\.\$x\[0\] is NaN/);
  });

  it('rejects a value whose getter throws, as INVALID_VALUE', () => {
    const value = {
      get broken(): never {
        throw new Error('boom');
      },
    };
    expectRejected(value, /boom/);
  });
});

describe('maxDepth', () => {
  it('defaults to 32 levels: 32 nested arrays are accepted, 33 rejected', () => {
    expect(roundTrip(nestedArrays(32))).toEqual(nestedArrays(32));
    expectRejected(nestedArrays(33), /is nested more than 32 levels deep/);
  });

  it('counts objects like arrays and Dates as leaves', () => {
    expect(roundTrip(nestedObjects(32, new Date(1)))).toEqual(nestedObjects(32, new Date(1)));
    expectRejected(nestedObjects(33), /^value at a(\.a){31} is nested more than 32 levels/);
  });

  it('honours a custom maxDepth: exactly maxDepth is accepted, one more rejected', () => {
    const codec = createJsonCodec({ maxDepth: 3 });
    expect(codec.decode(codec.encode(nestedObjects(3)))).toEqual(nestedObjects(3));
    expect(() => codec.encode(nestedObjects(4))).toThrow(/nested more than 3 levels/);
  });

  it('accepts maxDepth 1 (one flat container) and undefined (the default)', () => {
    const flat = createJsonCodec({ maxDepth: 1 });
    expect(flat.encode([1, 2])).toBe('[1,2]');
    expect(() => flat.encode([[1]])).toThrow(/nested more than 1 levels/);
    expect(createJsonCodec({ maxDepth: undefined }).encode(nestedArrays(32))).toBeTypeOf('string');
  });

  it('rejects an invalid maxDepth with MISCONFIGURED', () => {
    for (const maxDepth of [0, -1, 1.5, Number.NaN, 1001]) {
      const error = catchError(() => createJsonCodec({ maxDepth }));
      expect(error.code).toBe('MISCONFIGURED');
    }
  });
});

describe('decode errors', () => {
  it.each(['', '{', 'undefined', "{'a':1}", '[1,]', 'NaN', '{"a":1}x'])(
    'throws INVALID_VALUE for malformed text %j',
    (text) => {
      const error = catchError(() => decode(text));
      expect(error.code).toBe('INVALID_VALUE');
      expect(error.message).toMatch(/not valid JSON/);
    },
  );

  it('throws INVALID_VALUE for malformed text that contains "$"', () => {
    expect(catchError(() => decode('{"$date":')).code).toBe('INVALID_VALUE');
  });

  it('rejects an unknown single-$ tag', () => {
    const error = catchError(() => decode('{"$set":1}'));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toMatch(/single "\$"/);
    expect(catchError(() => decode('{"$":1}')).code).toBe('INVALID_VALUE');
  });

  it('rejects a $date tag beside other keys', () => {
    expect(catchError(() => decode('{"$date":"2024-05-01T12:00:00.000Z","a":1}')).code).toBe(
      'INVALID_VALUE',
    );
  });

  it.each([
    '{"$date":1}',
    '{"$date":null}',
    '{"$date":"yesterday"}',
    '{"$date":"2024-05-01"}',
    '{"$date":"2024-13-01T00:00:00.000Z"}',
    '{"$date":"2024-05-01T12:00:00Z"}',
    '{"$date":"-000000-01-01T00:00:00.000Z"}',
  ])('rejects a malformed $date tag %s', (text) => {
    expect(catchError(() => decode(text)).code).toBe('INVALID_VALUE');
  });

  it('rejects a non-string input', () => {
    expect(catchError(() => decode(42 as unknown as string)).code).toBe('INVALID_VALUE');
  });

  it('turns a stack overflow from very deep input into INVALID_VALUE', () => {
    const deep = `${'{"$$a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    expect(catchError(() => decode(deep)).code).toBe('INVALID_VALUE');
  });
});

describe('decode: foreign text outside the value domain (found by fuzzing)', () => {
  it('rejects numbers too large for a double and escaped lone surrogates with INVALID_VALUE', () => {
    for (const text of [
      '1e999',
      '[1e999]',
      '{"a":-1e999}',
      '"\\ud800"',
      '{"\\ud800":1}',
      '["\\udc00x"]',
    ]) {
      expect(() => jsonCodec.decode(text), text).toThrow(
        expect.objectContaining({ code: 'INVALID_VALUE' }),
      );
    }
    // Escapes of well-formed text, and finite exponents, still decode.
    expect(jsonCodec.decode('"\\ud83d\\ude00 \\u00e9"')).toBe('😀 é');
    expect(jsonCodec.decode('[1e308, -2.5e-300]')).toEqual([1e308, -2.5e-300]);
  });
});
