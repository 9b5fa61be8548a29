import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../src/session/verified-token-cache.js';
import { createHarness } from '../support/harness.js';

const identity = (n: number) => ({
  id: `id-${n}`,
  key: `key-${n}`,
  signedWithOldKey: false,
  token: `token-${n}`,
});

describe('VerifiedTokenCache', () => {
  it('remembers exact tokens and drops the oldest when full', () => {
    const cache = new VerifiedTokenCache(3);
    for (let n = 1; n <= 4; n++) cache.remember(identity(n));
    expect(cache.size).toBe(3);
    expect(cache.get('token-1')).toBeUndefined();
    expect(cache.get('token-4')).toEqual(identity(4));
    expect(cache.get('token-4x')).toBeUndefined();
    cache.remember(identity(4));
    expect(cache.size).toBe(3);
    expect(cache.get('token-2')).toEqual(identity(2));
  });

  it('a remembered token does not make its tampered variants verify', async () => {
    const h = createHarness();
    await h.request((s) => s.set('user', 'ada'));
    const good = h.jar.cookies.get('sid') ?? '';
    // Verified once: now remembered.
    expect((await h.request((s) => s.get('user'))).value).toBe('ada');
    for (const variant of [`${good.slice(0, 86)}A`, `${good.slice(0, 86)}B`, `B${good.slice(1)}`]) {
      if (variant === good) continue;
      const session = h.manager.session(new Headers({ cookie: `sid=${variant}` }));
      expect(await session.get('user')).toBeUndefined();
    }
  });
});
