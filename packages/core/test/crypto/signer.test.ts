import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSessionId } from '../../src/crypto/session-id.js';
import { createSigner } from '../../src/crypto/signer.js';

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(32);

describe('signer', () => {
  it('signs and verifies; older secrets verify and are flagged for re-issue', async () => {
    const id = generateSessionId();
    const oldSigner = createSigner([SECRET_A], 'sid');
    const rotated = createSigner([SECRET_B, SECRET_A], 'sid');
    const oldToken = await oldSigner.sign(id);
    expect(await rotated.verify(oldToken)).toEqual({ id, signedWithOldKey: true });
    const newToken = await rotated.sign(id);
    expect(await rotated.verify(newToken)).toEqual({ id, signedWithOldKey: false });
    expect(await createSigner([SECRET_B], 'sid').verify(oldToken)).toBeUndefined();
  });

  it('binds the cookie name: a token for one name does not verify under another', async () => {
    const token = await createSigner([SECRET_A], 'sid').sign(generateSessionId());
    expect(await createSigner([SECRET_A], 'other').verify(token)).toBeUndefined();
  });

  it('accepts Uint8Array secrets and rejects short or missing ones', () => {
    expect(() => createSigner([new Uint8Array(32)], 'sid')).not.toThrow();
    for (const secrets of [[], ['x'.repeat(31)], [new Uint8Array(31)], [42 as never]]) {
      expect(() => createSigner(secrets, 'sid')).toThrowError(
        expect.objectContaining({ code: 'MISCONFIGURED' }),
      );
    }
  });
});

describe('signature verification properties', () => {
  const signer = createSigner([SECRET_A, SECRET_B], 'sid');

  it('any single bit flip anywhere in a valid token is rejected', async () => {
    const token = await signer.sign(generateSessionId());
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: token.length - 1 }),
        fc.integer({ min: 0, max: 6 }),
        async (at, bit) => {
          const flipped =
            token.slice(0, at) +
            String.fromCharCode(token.charCodeAt(at) ^ (1 << bit)) +
            token.slice(at + 1);
          fc.pre(flipped !== token);
          expect(await signer.verify(flipped)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no arbitrary string verifies, and none makes verify throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ minLength: 87, maxLength: 87 }),
          fc.base64String({ minLength: 86, maxLength: 88 }),
        ),
        async (text) => {
          expect(await signer.verify(text)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a valid ID with a signature from any other key, or appended bytes, is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 4 }),
        async (key, suffix) => {
          const id = generateSessionId();
          const forged = await createSigner([key], 'sid').sign(id);
          fc.pre(key.some((b) => b !== 0x61) && key.some((b) => b !== 0x62));
          expect(await signer.verify(forged)).toBeUndefined();
          const valid = await signer.sign(id);
          expect(await signer.verify(valid + suffix)).toBeUndefined();
          expect(await signer.verify(suffix + valid)).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});
