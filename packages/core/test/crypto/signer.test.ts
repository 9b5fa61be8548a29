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
