import { describe, expect, it } from 'vitest';
import { isSessionError, type SessionError } from '../../src/index.js';
import { createSealedHarness } from './sealed-harness.js';

describe('sealed cookies: the 4096-byte limit', () => {
  it('a session that fits is sealed into one cookie of at most 4096 bytes', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    const { setCookie } = await browser.request((s) => s.set('note', 'x'.repeat(2500)));
    const pair = (setCookie as string).split(';')[0] as string;
    expect(pair.length).toBeLessThanOrEqual(4096);
    const read = await browser.request((s) => s.get('note'));
    expect(read.value).toBe('x'.repeat(2500));
  });

  it('commit throws COOKIE_TOO_LARGE (typed, with what to do) when the sealed cookie would not fit', async () => {
    const h = createSealedHarness();
    const session = h.open(h.client().jar);
    // Under limits.maxBytes (4096), but sealing adds the ID, bookkeeping, a tag and base64url's third.
    await session.set('note', 'x'.repeat(3500));
    const error = await session.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSessionError(error, 'COOKIE_TOO_LARGE')).toBe(true);
    expect((error as SessionError).status).toBe(500);
    expect((error as SessionError).message).toMatch(
      /over the 4096-byte browser limit.*Store less in the session.*createSessionManager with a server store/s,
    );
  });

  it('the limit counts the cookie name', async () => {
    const value = 'x'.repeat(2700);
    const short = createSealedHarness();
    await short.client().request((s) => s.set('note', value));
    const long = createSealedHarness({ cookie: { name: `s${'x'.repeat(400)}` } });
    await expect(long.client().request((s) => s.set('note', value))).rejects.toMatchObject({
      code: 'COOKIE_TOO_LARGE',
    });
  });

  it('a session that grows past the limit keeps its previous cookie (no Set-Cookie is sent)', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    await browser.request((s) => s.set('note', 'short'));
    const before = browser.cookie();
    await expect(browser.request((s) => s.set('note', 'x'.repeat(3500)))).rejects.toMatchObject({
      code: 'COOKIE_TOO_LARGE',
    });
    expect(browser.cookie()).toBe(before);
    expect((await browser.request((s) => s.get('note'))).value).toBe('short');
  });

  it('errorStatus remaps COOKIE_TOO_LARGE', async () => {
    const h = createSealedHarness({ errorStatus: { COOKIE_TOO_LARGE: 507 } });
    const session = h.open(h.client().jar);
    await session.set('note', 'x'.repeat(3500));
    await expect(session.commit()).rejects.toMatchObject({ code: 'COOKIE_TOO_LARGE', status: 507 });
  });

  it('a value that can never fit fails early at set() with PAYLOAD_TOO_LARGE', async () => {
    const h = createSealedHarness();
    const session = h.open(h.client().jar);
    await expect(session.set('note', 'x'.repeat(4100))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });
});
