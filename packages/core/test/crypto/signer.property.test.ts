import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../../src/crypto/base64url.js';
import { SESSION_ID_LENGTH } from '../../src/crypto/session-id.js';
import { createSigner, type Secret, SIGNED_TOKEN_LENGTH } from '../../src/crypto/signer.js';
import { anyChar, anyString, fuzzParameters } from '../support/fuzz.js';

/**
 * Properties of the real HMAC signer (no mocks). Each run builds a signer over fresh secrets and
 * signs several times, so these cost more per run than the pure parsers: modest run counts by
 * default, and a fifth of `FUZZ_RUNS` in a long session.
 */
const SLOW = { share: 0.2 } as const;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A session ID as the library mints them: 32 random bytes as base64url. */
const sessionId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeBase64Url);

/** A secret of at least 32 bytes: raw bytes, or a string (its UTF-8 bytes). */
const secret: fc.Arbitrary<Secret> = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 64 }),
  anyString({ minLength: 32, maxLength: 48 }),
);

/** The key bytes of a secret, to tell secrets apart (distinct strings can encode alike). */
function keyOf(value: Secret): string {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 1 to 4 secrets with pairwise different key bytes. */
const secretList = fc.uniqueArray(secret, { minLength: 1, maxLength: 4, selector: keyOf });

/** Adds a signer over `setup`'s secrets and name. */
function withSigner<T extends { secrets: Secret[]; context: string }>(setup: T) {
  return { ...setup, signer: createSigner(setup.secrets, setup.context) };
}

/** A cookie or header name: an RFC 9110 token, which is what the engine passes as context. */
const context = fc.oneof(
  fc.constantFrom('sid', '__Host-sid', 'authorization', 'x-session-token'),
  fc.string({
    unit: fc.constantFrom(
      ..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    ),
    minLength: 1,
    maxLength: 24,
  }),
);

/** A freshly signed token with everything needed to re-sign or verify it. */
const signed = fc.record({ id: sessionId, secrets: secretList, context }).map(withSigner);

/** The same with at least two secrets: a rotation in progress. */
const rotating = fc
  .record({
    id: sessionId,
    secrets: fc.uniqueArray(secret, { minLength: 2, maxLength: 4, selector: keyOf }),
    context,
  })
  .map(withSigner);

/** Replaces the character at `at` of `text`. */
function replaceAt(text: string, at: number, char: string): string {
  return text.slice(0, at) + char + text.slice(at + 1);
}

describe('property: signer', () => {
  it('sign then verify round-trips for any ID, secret list and name', async () => {
    await fc.assert(
      fc.asyncProperty(signed, async ({ id, signer }) => {
        const token = await signer.sign(id);
        expect(token).toHaveLength(SIGNED_TOKEN_LENGTH);
        expect(token.slice(0, SESSION_ID_LENGTH + 1)).toBe(`${id}.`);
        expect(await signer.verify(token)).toEqual({ id, signedWithOldKey: false });
      }),
      fuzzParameters(100, SLOW),
    );
  });

  it('rejects a token with any single bit of any character flipped, or any character replaced', async () => {
    await fc.assert(
      fc.asyncProperty(
        signed,
        fc.nat(SIGNED_TOKEN_LENGTH - 1),
        fc.oneof(
          fc.integer({ min: 0, max: 15 }).map((bit) => (code: number) => code ^ (1 << bit)),
          anyChar.map((char) => () => char.charCodeAt(0)),
          fc.constantFrom(...ALPHABET).map((char) => () => char.charCodeAt(0)),
        ),
        async ({ id, signer }, at, change) => {
          const token = await signer.sign(id);
          const changed = replaceAt(token, at, String.fromCharCode(change(token.charCodeAt(at))));
          fc.pre(changed !== token);
          expect(await signer.verify(changed)).toBeUndefined();
        },
      ),
      fuzzParameters(300, SLOW),
    );
  });

  it('rejects a token truncated, with a character removed, or with anything added anywhere', async () => {
    const edit = fc.oneof(
      fc.nat(SIGNED_TOKEN_LENGTH - 1).map((end) => (token: string) => token.slice(0, end)),
      fc.nat(SIGNED_TOKEN_LENGTH - 1).map((end) => (token: string) => token.slice(end + 1)),
      fc
        .nat(SIGNED_TOKEN_LENGTH - 1)
        .map((at) => (token: string) => token.slice(0, at) + token.slice(at + 1)),
      fc
        .tuple(fc.nat(SIGNED_TOKEN_LENGTH), fc.oneof(anyString({ minLength: 1 }), fc.constant('=')))
        .map(
          ([at, extra]) =>
            (token: string) =>
              token.slice(0, at) + extra + token.slice(at),
        ),
    );
    await fc.assert(
      fc.asyncProperty(signed, edit, async ({ id, signer }, change) => {
        const token = await signer.sign(id);
        const changed = change(token);
        fc.pre(changed !== token);
        expect(await signer.verify(changed)).toBeUndefined();
      }),
      fuzzParameters(300, SLOW),
    );
  });

  it("rejects an ID paired with another token's signature, or a signature from another key", async () => {
    await fc.assert(
      fc.asyncProperty(
        signed,
        sessionId,
        secret,
        async ({ id, secrets, context, signer }, other, foreign) => {
          fc.pre(other !== id);
          const mine = await signer.sign(id);
          const theirs = await signer.sign(other);
          const split = SESSION_ID_LENGTH + 1;
          expect(await signer.verify(mine.slice(0, split) + theirs.slice(split))).toBeUndefined();
          expect(await signer.verify(theirs.slice(0, split) + mine.slice(split))).toBeUndefined();
          fc.pre(secrets.every((s) => keyOf(s) !== keyOf(foreign)));
          const forged = await createSigner([foreign], context).sign(id);
          expect(await signer.verify(forged)).toBeUndefined();
        },
      ),
      fuzzParameters(100, SLOW),
    );
  });

  it('accepts a token of any listed key, flagging older ones, and rejects it once the key is removed', async () => {
    await fc.assert(
      fc.asyncProperty(rotating, fc.nat(), async ({ id, secrets, context, signer }, pick) => {
        const index = pick % secrets.length;
        const token = await createSigner([secrets[index] as Secret], context).sign(id);
        expect(await signer.verify(token)).toEqual({ id, signedWithOldKey: index > 0 });
        const remaining = secrets.filter((_, i) => i !== index);
        expect(await createSigner(remaining, context).verify(token)).toBeUndefined();
      }),
      fuzzParameters(200, SLOW),
    );
  });

  it('never accepts a token issued for another cookie or header name', async () => {
    await fc.assert(
      fc.asyncProperty(signed, context, async ({ id, secrets, context: mine, signer }, other) => {
        fc.pre(other !== mine);
        const token = await signer.sign(id);
        expect(await createSigner(secrets, other).verify(token)).toBeUndefined();
        const theirs = await createSigner(secrets, other).sign(id);
        expect(await signer.verify(theirs)).toBeUndefined();
      }),
      fuzzParameters(100, SLOW),
    );
  });

  it('rejects non-canonical spellings of a valid ID or signature', async () => {
    // 32 bytes in 43 base64url characters leave 2 spare bits in the last one; canonical
    // encoding sets them to zero, and each byte string must have exactly one accepted text.
    await fc.assert(
      fc.asyncProperty(
        signed,
        fc.constantFrom(SESSION_ID_LENGTH - 1, SIGNED_TOKEN_LENGTH - 1),
        fc.integer({ min: 1, max: 3 }),
        async ({ id, signer }, at, spare) => {
          const token = await signer.sign(id);
          const digit = ALPHABET.indexOf(token.charAt(at));
          expect(digit & 3).toBe(0);
          const respelled = replaceAt(token, at, ALPHABET.charAt(digit | spare));
          expect(await signer.verify(respelled)).toBeUndefined();
          // Standard base64 or padding instead of base64url is not accepted either.
          const standard = token.replaceAll('-', '+').replaceAll('_', '/');
          if (standard !== token) expect(await signer.verify(standard)).toBeUndefined();
          expect(await signer.verify(`${token}=`)).toBeUndefined();
        },
      ),
      fuzzParameters(100, SLOW),
    );
  });

  it('no arbitrary or token-shaped string verifies, and none makes verify throw', async () => {
    const signer = createSigner(['a'.repeat(32), 'b'.repeat(32)], 'sid');
    const base64url = (length: number) =>
      fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: length, maxLength: length });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyString(),
          anyString({ minLength: SIGNED_TOKEN_LENGTH, maxLength: SIGNED_TOKEN_LENGTH }),
          fc
            .tuple(base64url(SESSION_ID_LENGTH), anyChar, base64url(SESSION_ID_LENGTH))
            .map(([id, dot, signature]) => id + dot + signature),
          fc
            .tuple(base64url(SESSION_ID_LENGTH), base64url(SESSION_ID_LENGTH))
            .map(([id, signature]) => `${id}.${signature}`),
        ),
        async (text) => {
          expect(await signer.verify(text)).toBeUndefined();
        },
      ),
      fuzzParameters(500, SLOW),
    );
  });
});
