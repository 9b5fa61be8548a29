import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CookieOptions } from '../../src/cookie/cookie-options.js';
import { parseCookieHeader, readCookieValues } from '../../src/cookie/parse-cookie-header.js';
import {
  type ResolvedCookieOptions,
  resolveCookieOptions,
} from '../../src/cookie/resolve-cookie-options.js';
import { type CookieLifetime, serializeSetCookie } from '../../src/cookie/serialize-set-cookie.js';
import { isSessionError } from '../../src/errors/session-error.js';
import { anyString, fuzzParameters } from '../support/fuzz.js';

const TOKEN_CHARS = [
  ..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
];
const OCTET_CHARS: string[] = [];
for (let c = 0x21; c < 0x7f; c++) {
  if (c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c)
    OCTET_CHARS.push(String.fromCharCode(c));
}

const tokenName = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 16 });
const octetValue = fc.string({ unit: fc.constantFrom(...OCTET_CHARS), maxLength: 48 });

/** Characters that stress the parser: separators, quotes, `=`, whitespace, controls, unicode. */
const trickyChar = fc.oneof(
  fc.constantFrom(';', ',', '=', '"', ' ', '\t', '\r', '\n', '\u0000', '\u007f', '%', '\\'),
  fc.constantFrom('é', '\u00a0', '\u2028', '\u{1F600}', '\ud800', '\udfff'),
  fc.constantFrom(...TOKEN_CHARS),
);
const trickyString = fc.oneof(
  fc.string({ unit: trickyChar, maxLength: 24 }),
  anyString({ maxLength: 24 }),
);
const joiner = fc.constantFrom('; ', ';', ', ', ',', ' ; ', '\t;\t', ' , ', ';;', ', ;');
const blank = fc.constantFrom('', ' ', '\t', '  ', ' \t ');

/** A header of `name=value` pieces made of tricky strings, joined with random separators. */
const structuredHeader = fc
  .array(fc.tuple(trickyString, trickyString, joiner, fc.boolean()), { maxLength: 20 })
  .map((pieces) =>
    pieces
      .map(([name, value, sep, quoted]) => `${name}=${quoted ? `"${value}"` : value}${sep}`)
      .join(''),
  );

const anyHeader = fc.oneof(anyString(), structuredHeader);

function isEdgeBlank(text: string): boolean {
  return /^[ \t]|[ \t]$/.test(text);
}

describe('property: cookie parser', () => {
  it('never throws on any string', () => {
    fc.assert(
      fc.property(anyHeader, fc.oneof(tokenName, trickyString), (header, name) => {
        parseCookieHeader(header);
        readCookieValues(header, name);
        readCookieValues([header, header], name);
      }),
      fuzzParameters(200),
    );
  });

  it('returns names and values without separators or edge whitespace', () => {
    fc.assert(
      fc.property(anyHeader, (header) => {
        for (const [name, value] of parseCookieHeader(header)) {
          expect(name.length).toBeGreaterThan(0);
          expect(name).not.toMatch(/[;,=]/);
          expect(value).not.toMatch(/[;,]/);
          expect(isEdgeBlank(name)).toBe(false);
          expect(isEdgeBlank(value)).toBe(false);
        }
      }),
      fuzzParameters(200),
    );
  });

  it('readCookieValues agrees with parseCookieHeader', () => {
    fc.assert(
      fc.property(anyHeader, fc.oneof(tokenName, trickyString), (header, name) => {
        const expected = parseCookieHeader(header)
          .filter(([n]) => n === name)
          .map(([, v]) => v);
        expect(readCookieValues(header, name)).toEqual(expected);
      }),
      fuzzParameters(200),
    );
  });

  it('finds exactly the target values, in order, among random pairs', () => {
    const entry = fc.record({
      target: fc.boolean(),
      name: tokenName,
      value: octetValue,
      quoted: fc.boolean(),
      before: blank,
      after: blank,
      joiner,
      newLine: fc.boolean(),
    });
    fc.assert(
      fc.property(tokenName, fc.array(entry, { maxLength: 30 }), (targetName, entries) => {
        const lines: string[] = [''];
        const expected: string[] = [];
        for (const e of entries) {
          if (!e.target && e.name === targetName) continue;
          const name = e.target ? targetName : e.name;
          if (e.target) expected.push(e.value);
          const value = e.quoted ? `"${e.value}"` : e.value;
          if (e.newLine && (lines.at(-1) ?? '') !== '') lines.push('');
          const last = lines.length - 1;
          lines[last] =
            `${lines[last]}${e.before}${name}${e.after}=${e.after}${value}${e.before}${e.joiner}`;
        }
        expect(readCookieValues(lines, targetName)).toEqual(expected);
        expect(readCookieValues(lines.join(', '), targetName)).toEqual(expected);
        expect(readCookieValues(lines.join('; '), targetName)).toEqual(expected);
      }),
      fuzzParameters(200),
    );
  });

  it('returns at most one pair per piece, each an in-order slice of the header', () => {
    fc.assert(
      fc.property(anyHeader, (header) => {
        const pairs = parseCookieHeader(header);
        const pieces = header.split(/[;,]/).length;
        expect(pairs.length).toBeLessThanOrEqual(pieces);
        // Each name, then its value after the `=`, is found after the previous pair, in order.
        let cursor = 0;
        for (const [name, value] of pairs) {
          const nameAt = header.indexOf(name, cursor);
          expect(nameAt).toBeGreaterThanOrEqual(0);
          const valueAt = header.indexOf(value, nameAt + name.length + 1);
          expect(valueAt).toBeGreaterThanOrEqual(0);
          cursor = valueAt + value.length;
        }
      }),
      fuzzParameters(300),
    );
  });

  it('never throws and stays bounded on huge headers (64 KiB, 10,000 pairs)', () => {
    const MAX_HEADER = 64 * 1024;
    /** 64 KiB of one random chunk repeated: long runs of separators, quotes, controls, text. */
    const longText = fc
      .oneof(
        anyString({ minLength: 1, maxLength: 64 }),
        trickyString.filter((s) => s !== ''),
      )
      .map((chunk) => chunk.repeat(Math.ceil(MAX_HEADER / chunk.length)).slice(0, MAX_HEADER));
    /** 10,000 pairs cycling through a few random ones, joined with one random separator. */
    const manyPairs = fc
      .tuple(fc.array(fc.tuple(trickyString, trickyString), { minLength: 1, maxLength: 8 }), joiner)
      .map(([pairs, sep]) =>
        Array.from({ length: 10_000 }, (_, i) => {
          const [name, value] = pairs[i % pairs.length] as [string, string];
          return `${name}=${value}`;
        }).join(sep),
      );
    fc.assert(
      fc.property(fc.oneof(longText, manyPairs), tokenName, (header, name) => {
        const pairs = parseCookieHeader(header);
        expect(pairs.length).toBeLessThanOrEqual(header.split(/[;,]/).length);
        // Each pair takes at least a name character, `=` and a separator.
        expect(3 * pairs.length - 1).toBeLessThanOrEqual(header.length);
        for (const target of [name, pairs[0]?.[0] ?? name]) {
          const values = readCookieValues([header, header], target);
          expect(values.length).toBeLessThanOrEqual(2 * pairs.length);
        }
      }),
      fuzzParameters(20, { share: 0.01 }),
    );
  });

  it('reads the same values for a name whatever the pair order and line split', () => {
    interface Piece {
      name: string;
      value: string;
      quoted: boolean;
      joiner: string;
    }
    const piece: fc.Arbitrary<Piece> = fc.record({
      name: fc.oneof(tokenName, fc.constantFrom('sid', 'SID', 'sid2', 'xsid', '__Host-sid')),
      value: octetValue,
      quoted: fc.boolean(),
      joiner,
    });
    const pieces = fc.array(piece, { maxLength: 30 });
    const withOrder = pieces.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(
          list.map((_, i) => i),
          { minLength: list.length, maxLength: list.length },
        ),
        fc.array(fc.nat(list.length), { maxLength: 4 }),
      ),
    );
    const render = (list: readonly Piece[]) =>
      list.map((p) => `${p.name}=${p.quoted ? `"${p.value}"` : p.value}${p.joiner}`);
    fc.assert(
      fc.property(withOrder, fc.constantFrom('sid', 'SID', '__Host-sid'), (input, name) => {
        const [list, order, cuts] = input;
        const sorted = (values: string[]) => [...values].sort();
        const original = readCookieValues(render(list).join(''), name);
        expect(original).toEqual(list.filter((p) => p.name === name).map((p) => p.value));
        const shuffled = render(order.map((i) => list[i] as Piece));
        expect(sorted(readCookieValues(shuffled.join(''), name))).toEqual(sorted(original));
        // Split the same pieces into several lines: an array, or joined the way runtimes do.
        const bounds = [...new Set([0, ...cuts, shuffled.length])].sort((a, b) => a - b);
        const lines = bounds.slice(1).map((end, i) => shuffled.slice(bounds[i], end).join(''));
        const inOrder = readCookieValues(shuffled.join(''), name);
        expect(readCookieValues(lines, name)).toEqual(inOrder);
        expect(readCookieValues(lines.join(', '), name)).toEqual(inOrder);
        expect(readCookieValues(lines.join('; '), name)).toEqual(inOrder);
      }),
      fuzzParameters(200),
    );
  });
});

const optionsArbitrary: fc.Arbitrary<CookieOptions> = fc.record(
  {
    name: fc.oneof(
      tokenName,
      fc.constantFrom('__Host-sid', '__Secure-sid', '__host-x'),
      trickyString,
    ),
    path: fc.oneof(fc.constantFrom('/', '/app', '/a/b'), trickyString),
    domain: fc.oneof(fc.constantFrom('example.com', '.example.com'), trickyString),
    secure: fc.boolean(),
    httpOnly: fc.boolean(),
    sameSite: fc.constantFrom('lax', 'strict', 'none'),
    partitioned: fc.boolean(),
    priority: fc.constantFrom('low', 'medium', 'high'),
  },
  { requiredKeys: [] },
);

const lifetimeArbitrary: fc.Arbitrary<CookieLifetime> = fc.oneof(
  fc.constant<CookieLifetime>({ kind: 'session' }),
  fc.constant<CookieLifetime>({ kind: 'delete' }),
  fc
    .oneof(fc.double(), fc.integer({ min: -10, max: 2 ** 40 }))
    .map((maxAgeSeconds): CookieLifetime => ({ kind: 'persistent', maxAgeSeconds })),
);

describe('property: Set-Cookie serializer', () => {
  it('round-trips any token name and cookie-octet value through the parser', () => {
    const options = resolveCookieOptions();
    fc.assert(
      fc.property(tokenName, octetValue, lifetimeArbitrary, (name, value, lifetime) => {
        fc.pre(lifetime.kind !== 'delete');
        // NaN is rejected with MISCONFIGURED (covered by the property below); round-trip the rest.
        fc.pre(lifetime.kind !== 'persistent' || !Number.isNaN(lifetime.maxAgeSeconds));
        const header = serializeSetCookie(name, value, options, lifetime);
        expect(readCookieValues(header.split(';')[0], name)).toEqual([value]);
      }),
      fuzzParameters(200),
    );
  });

  it('never emits CR/LF and either returns one cookie or throws a SessionError', () => {
    fc.assert(
      fc.property(
        optionsArbitrary,
        fc.oneof(tokenName, anyString({ maxLength: 40 })),
        fc.oneof(octetValue, anyString({ maxLength: 60 })),
        lifetimeArbitrary,
        (given, name, value, lifetime) => {
          let options: ResolvedCookieOptions;
          try {
            options = resolveCookieOptions(given);
          } catch (error) {
            expect(isSessionError(error, 'MISCONFIGURED')).toBe(true);
            return;
          }
          let header: string;
          try {
            header = serializeSetCookie(name, value, options, lifetime);
          } catch (error) {
            expect(isSessionError(error)).toBe(true);
            return;
          }
          expect(header).not.toMatch(/[\r\n]/);
          expect(header).not.toMatch(/[^\x20-\x7e]/);
          expect(header.startsWith(`${name}=`)).toBe(true);
          expect(readCookieValues(header.split(';')[0], name)).toHaveLength(1);
        },
      ),
      fuzzParameters(200),
    );
  });

  it('reads back exactly what the serializer wrote for the session cookie, among other cookies', () => {
    const SESSION = 'sid';
    const options = resolveCookieOptions();
    /** A signed token's shape, and any other cookie-octet value. */
    const base64url = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
      minLength: 43,
      maxLength: 43,
    });
    const tokenLike = fc.tuple(base64url, base64url).map(([id, signature]) => `${id}.${signature}`);
    const cookie = fc.record({
      name: fc.oneof(
        { weight: 3, arbitrary: fc.constant(SESSION) },
        fc.constantFrom('SID', 'sid2', 'xsid', 's', '__Host-sid', 'sid.sig'),
        tokenName,
      ),
      value: fc.oneof(tokenLike, octetValue),
      lifetime: fc.constantFrom<CookieLifetime>(
        { kind: 'session' },
        { kind: 'persistent', maxAgeSeconds: 3600 },
      ),
    });
    /** How the browser's `name=value` pairs reach the server: one line, or lines joined or not. */
    const delivery = fc.constantFrom('one line', 'lines', 'comma-joined lines');
    fc.assert(
      fc.property(fc.array(cookie, { maxLength: 20 }), delivery, fc.nat(), (cookies, how, seed) => {
        const pairs = cookies.map(({ name, value, lifetime }) => {
          const header = serializeSetCookie(name, value, options, lifetime);
          return header.slice(0, header.indexOf(';'));
        });
        const expected = cookies.filter((c) => c.name === SESSION).map((c) => c.value);
        const cut = pairs.length === 0 ? 0 : seed % pairs.length;
        const lines = [pairs.slice(0, cut).join('; '), pairs.slice(cut).join('; ')];
        const header =
          how === 'one line' ? pairs.join('; ') : how === 'lines' ? lines : lines.join(', ');
        expect(readCookieValues(header, SESSION)).toEqual(expected);
      }),
      fuzzParameters(200),
    );
  });
});
