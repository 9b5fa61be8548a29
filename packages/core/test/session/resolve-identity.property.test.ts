import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeHeaderSource } from '../../src/adapter/header-source.js';
import { readCookieValues } from '../../src/cookie/parse-cookie-header.js';
import { generateSessionId } from '../../src/crypto/session-id.js';
import { createSigner, SIGNED_TOKEN_LENGTH } from '../../src/crypto/signer.js';
import { isSessionError } from '../../src/errors/session-error.js';
import type { HeaderSource } from '../../src/index.js';
import { anyString, fuzzParameters } from '../support/fuzz.js';
import { createHarness, NEW_SECRET, SECRET } from '../support/harness.js';

/** Mirrors `MAX_CANDIDATE_TOKENS` in src/session/resolve-identity.ts. */
const MAX_CANDIDATE_TOKENS = 4;
const COOKIE = 'sid';

/** The newest secret signs; `SECRET` is the older one, still accepted. */
const h = createHarness({ secrets: [NEW_SECRET, SECRET] });

interface Known {
  /** Which session the token names. */
  readonly id: string;
  /** What `session.get('x')` returns for it (undefined: validly signed, unknown to the store). */
  readonly value: string | undefined;
}
/** Every validly signed token the property uses, by token. */
const known = new Map<string, Known>();
/** Valid tokens, then tokens that look right but must be rejected. */
const tokens: string[] = [];

async function createSession(value: string): Promise<string> {
  const session = h.manager.session(new Headers());
  await session.set('x', value);
  await session.commit();
  if (session.id === undefined) throw new Error('no session ID after commit');
  return session.id;
}

beforeAll(async () => {
  const current = createSigner([NEW_SECRET], COOKIE);
  const old = createSigner([SECRET], COOKIE);
  const idA = await createSession('A');
  const idB = await createSession('B');
  const idC = generateSessionId();
  for (const [id, value] of [
    [idA, 'A'],
    [idB, 'B'],
    [idC, undefined],
  ] as const) {
    known.set(await current.sign(id), { id, value });
    if (value !== undefined) known.set(await old.sign(id), { id, value });
  }
  tokens.push(
    ...known.keys(),
    // A removed key, another cookie name: well-shaped, never valid.
    await createSigner(['z'.repeat(32)], COOKIE).sign(idA),
    await createSigner([NEW_SECRET], 'other').sign(idA),
  );
});

/** Picks one of the prepared tokens (chosen when the property runs, after `beforeAll`). */
const token = fc.nat().map((i) => () => tokens[i % tokens.length] as string);

/** A cookie value: a prepared token as is, altered, quoted, or padded, or arbitrary text. */
const cookieValue: fc.Arbitrary<() => string> = fc.oneof(
  { weight: 4, arbitrary: token },
  fc
    .tuple(token, fc.nat(SIGNED_TOKEN_LENGTH - 1), fc.constantFrom(...'AQgw-_.=x \u00e9'))
    .map(([t, at, char]) => () => {
      const text = t();
      return text.slice(0, at) + char + text.slice(at + 1);
    }),
  token.map((t) => () => `"${t()}"`),
  fc.tuple(token, anyString({ minLength: 1, maxLength: 4 })).map(
    ([t, extra]) =>
      () =>
        t() + extra,
  ),
  anyString({ maxLength: 40 }).map((text) => () => text),
);

const blank = fc.constantFrom('', ' ', '\t');

/** One piece of a Cookie header: a pair (mostly for the session cookie) or arbitrary text. */
const piece: fc.Arbitrary<() => string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(COOKIE) },
          fc.constantFrom('SID', 'sid2', '__Host-sid', 's'),
          anyString({ maxLength: 6 }),
        ),
        blank,
        cookieValue,
        blank,
      )
      .map(
        ([name, b1, value, b2]) =>
          () =>
            `${b1}${name}${b1}=${b2}${value()}${b2}`,
      ),
  },
  anyString({ maxLength: 20 }).map((text) => () => text),
);

const joiner = fc.constantFrom('; ', ';', ', ', ',', ' ; ');

/** How the header reaches the engine. */
type Delivery = 'one header' | 'node lines' | 'Headers lines';

/** A HeaderSource carrying `lines` as Cookie header lines, the way `delivery` says. */
function sourceFor(lines: string[], delivery: Delivery): HeaderSource {
  if (delivery === 'node lines') return nodeHeaderSource({ cookie: lines });
  if (delivery === 'Headers lines') {
    try {
      const headers = new Headers();
      for (const line of lines) headers.append('cookie', line);
      return headers;
    } catch {
      // Not a valid header value for Fetch (NUL, CR, LF, beyond Latin-1): send it raw.
    }
  }
  const joined = lines.join('; ');
  return { get: (name) => (name === 'cookie' ? joined : null) };
}

type Outcome =
  | { readonly value: string | undefined; readonly calls: string[] }
  | { readonly error: 'AMBIGUOUS_SESSION'; readonly calls: string[] };

/** What the engine must do for a request presenting `header`. */
function expected(header: string | null): Outcome {
  const values = readCookieValues(header, COOKIE);
  const candidates = new Set(values.filter((v) => v.length === SIGNED_TOKEN_LENGTH));
  if (candidates.size > MAX_CANDIDATE_TOKENS) return { error: 'AMBIGUOUS_SESSION', calls: [] };
  const valid = [...candidates].flatMap((t) => known.get(t) ?? []);
  const ids = new Set(valid.map((k) => k.id));
  if (ids.size > 1) return { error: 'AMBIGUOUS_SESSION', calls: [] };
  const [found] = valid;
  if (found === undefined) return { value: undefined, calls: [] };
  return { value: found.value, calls: ['load'] };
}

/** What the engine does: `session.get('x')`, and the store calls it made. */
async function actual(source: HeaderSource): Promise<Outcome> {
  h.store.reset();
  const session = h.manager.session(source);
  try {
    const value = await session.get('x');
    return { value: value as string | undefined, calls: [...h.store.calls] };
  } catch (error) {
    if (!isSessionError(error, 'AMBIGUOUS_SESSION')) throw error;
    return { error: 'AMBIGUOUS_SESSION', calls: [...h.store.calls] };
  }
}

describe('property: resolving the session of a request', () => {
  it('any Cookie header yields no session, the one validly signed session, or AMBIGUOUS_SESSION', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(piece, joiner), { maxLength: 8 }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom<Delivery>('one header', 'node lines', 'Headers lines'),
        async (layout, delivery) => {
          const lines = layout.map((line) => line.map(([p, j]) => p() + j).join(''));
          const source = sourceFor(lines, delivery);
          const outcome = await actual(source);
          expect(outcome).toEqual(expected(source.get('cookie')));
          // The same pieces in reverse order: duplicates are resolved the same way.
          const reversed = [...layout].reverse().map((line) =>
            [...line]
              .reverse()
              .map(([p, j]) => p() + j)
              .join(''),
          );
          expect(await actual(sourceFor(reversed, delivery))).toEqual(outcome);
        },
      ),
      fuzzParameters(200, { share: 0.2 }),
    );
  });
});
