import { describe, expect, it } from 'vitest';
import { cookieHeader, createSealedHarness } from './sealed-harness.js';

const MINUTE = 60_000;

describe('sealed cookies: expiry is enforced on the server from the sealed instants', () => {
  it('idle: a session unused for longer than the idle timeout is gone, whatever the cookie Max-Age', async () => {
    const h = createSealedHarness({ expiry: { idle: '30m', absolute: '1d' } });
    const browser = h.client();
    const { setCookie } = await browser.request((s) => s.set('user', 'ada'));
    expect(setCookie).toMatch(/Max-Age=1800;/);
    h.clock.advance(29 * MINUTE);
    expect((await browser.request((s) => s.get('user'))).value).toBe('ada');
    // That read re-sealed the cookie with a new idle deadline (touch).
    h.clock.advance(29 * MINUTE);
    expect((await browser.request((s) => s.get('user'))).value).toBe('ada');
    h.clock.advance(30 * MINUTE);
    h.events.length = 0;
    const expired = await browser.request(async (s) => [await s.get('user'), s.isNew] as const);
    expect(expired.value).toEqual([undefined, true]);
    expect(h.events).toContainEqual({ type: 'session-expired', session: expect.any(String) });
  });

  it('idle: a copy of the cookie replayed after its idle deadline is refused (the browser is not trusted to drop it)', async () => {
    const h = createSealedHarness({ expiry: { idle: '30m' } });
    const browser = h.client();
    await browser.request((s) => s.set('user', 'ada'));
    const copy = browser.cookie() as string;
    h.clock.advance(30 * MINUTE);
    const replay = h.open(browser.jar, cookieHeader(copy));
    expect(await replay.get('user')).toBeUndefined();
  });

  it('absolute: activity never extends the session past its absolute deadline', async () => {
    const h = createSealedHarness({ expiry: { idle: '30m', absolute: '2h', touchInterval: '1m' } });
    const browser = h.client();
    await browser.request((s) => s.set('user', 'ada'));
    for (let elapsed = 20; elapsed < 120; elapsed += 20) {
      h.clock.advance(20 * MINUTE);
      const { value, setCookie } = await browser.request((s) => s.get('user'));
      expect(value).toBe('ada');
      // The touch never reaches past the absolute deadline: Max-Age shrinks towards it.
      const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie ?? '')?.[1]);
      expect(maxAge).toBe(Math.min(30, 120 - elapsed) * 60);
    }
    h.clock.advance(20 * MINUTE);
    expect((await browser.request((s) => s.get('user'))).value).toBeUndefined();
  });

  it('per-key TTLs expire inside a live session and are dropped from the next seal', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    await browser.request(async (s) => {
      await s.set('otp', '123456', { ttl: '5m' });
      await s.set('user', 'ada');
    });
    const withOtp = browser.cookie() as string;
    h.clock.advance(5 * MINUTE);
    const { value } = await browser.request(async (s) => {
      await s.set('n', 1);
      return s.getAll();
    });
    expect(value).toEqual({ user: 'ada', n: 1 });
    // The OTP (6 characters and its TTL) left the cookie although a key was added.
    expect((browser.cookie() as string).length).toBeLessThan(withOtp.length);
    // A replay of the earlier cookie does not revive the expired key either.
    const replay = h.open(browser.jar, cookieHeader(withOtp));
    expect(await replay.get('otp')).toBeUndefined();
  });

  it('setExpiry ("remember me") is sealed with the session and applies on later requests', async () => {
    const h = createSealedHarness({ expiry: { idle: '30m', absolute: '1d' } });
    const browser = h.client();
    const { setCookie } = await browser.request(async (s) => {
      await s.set('user', 'ada');
      await s.setExpiry({ idle: '7d', absolute: '30d' });
    });
    expect(setCookie).toMatch(/Max-Age=604800;/);
    h.clock.advance(3 * 24 * 60 * MINUTE);
    expect((await browser.request((s) => s.get('user'))).value).toBe('ada');
  });
});
