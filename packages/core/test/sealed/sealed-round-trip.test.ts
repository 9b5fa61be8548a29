import { describe, expect, it } from 'vitest';
import { cookieHeader, createSealedHarness } from './sealed-harness.js';

const SEALED =
  /^sid=s1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/;

describe('sealed cookies: a round trip over several requests', () => {
  it('keeps data, flash values, per-key TTLs and the ID across requests, with no server store', async () => {
    const h = createSealedHarness();
    const browser = h.client();

    const first = await browser.request(async (s) => {
      await s.set('views', 1);
      await s.set('cart', ['apple', 'pear']);
      await s.set('promo', 'SPRING', { ttl: '10m' });
      await s.flash('notice', 'welcome');
      return s.id;
    });
    expect(first.result.outcome).toBe('created');
    expect(first.setCookie).toMatch(SEALED);
    const id = first.value;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The cookie carries the session encrypted: neither the ID nor any value shows.
    expect(browser.cookie()).not.toContain(id);
    expect(browser.cookie()).not.toContain('apple');

    const second = await browser.request(async (s) => {
      const views = ((await s.get('views')) as number) + 1;
      await s.set('views', views);
      return {
        id: s.id,
        isNew: s.isNew,
        views,
        cart: await s.get('cart'),
        promo: await s.get('promo'),
        notice: await s.getFlash('notice'),
      };
    });
    expect(second.value).toEqual({
      id,
      isNew: false,
      views: 2,
      cart: ['apple', 'pear'],
      promo: 'SPRING',
      notice: 'welcome',
    });
    expect(second.result.outcome).toBe('updated');
    expect(second.setCookie).toMatch(SEALED);

    h.clock.advance(11 * 60_000);
    const third = await browser.request(async (s) => ({
      all: await s.getAll(),
      notice: await s.getFlash('notice'),
    }));
    expect(third.value).toEqual({ all: { views: 2, cart: ['apple', 'pear'] }, notice: undefined });
  });

  it('re-seals on every write, even for a browser-session cookie (the cookie is the record)', async () => {
    const h = createSealedHarness({ expiry: { cookie: 'browser-session' } });
    const browser = h.client();
    await browser.request((s) => s.set('n', 1));
    const { result, setCookie } = await browser.request((s) => s.set('n', 2));
    expect(result.outcome).toBe('updated');
    expect(setCookie).toMatch(/^sid=s1\.[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const read = await browser.request((s) => s.get('n'));
    expect(read.value).toBe(2);
  });

  it('an untouched request reads no cookie, sends no Set-Cookie and makes no store call', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const browser = h.client();
    await browser.request((s) => s.signIn('ada'));
    h.revocationStore.reset();
    const untouched = await browser.request(async () => 'hello');
    expect(untouched.result).toEqual({ headers: [], outcome: 'unchanged' });
    expect(h.revocationStore.calls).toEqual([]);
  });

  it('a read-only request re-seals only when the idle deadline moves by the touch interval', async () => {
    const h = createSealedHarness({ expiry: { idle: '30m', touchInterval: '5m' } });
    const browser = h.client();
    await browser.request((s) => s.set('n', 1));
    const before = browser.cookie();
    h.clock.advance(60_000);
    const early = await browser.request((s) => s.get('n'));
    expect(early.result).toEqual({ headers: [], outcome: 'unchanged' });
    h.clock.advance(5 * 60_000);
    const touched = await browser.request((s) => s.get('n'));
    expect(touched.result.outcome).toBe('touched');
    expect(touched.setCookie).toMatch(/Max-Age=1800;/);
    expect(browser.cookie()).not.toBe(before);
  });

  it('destroy sends a deletion cookie without opening the cookie first', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const browser = h.client();
    await browser.request((s) => s.signIn('ada'));
    h.revocationStore.reset();
    const { result, setCookie } = await browser.request((s) => s.destroy());
    expect(result.outcome).toBe('destroyed');
    expect(setCookie).toBe(
      'sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    );
    expect(browser.cookie()).toBeUndefined();
    expect(h.revocationStore.calls).toEqual([]);
    expect(h.events.map((e) => e.type)).toContain('session-destroyed');
  });

  it('documents the limit of destroy: a copy of the old cookie still opens until it expires', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    await browser.request((s) => s.set('user', 'ada'));
    const copied = browser.cookie() as string;
    await browser.request((s) => s.destroy());
    const replay = h.open(browser.jar, cookieHeader(copied));
    expect(await replay.get('user')).toBe('ada');
  });

  it('destroy then write in one request starts a new session with a new ID', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    const { value: oldId } = await browser.request(async (s) => {
      await s.set('user', 'ada');
      return s.id;
    });
    const { value: newId, setCookie } = await browser.request(async (s) => {
      await s.destroy();
      await s.flash('notice', 'bye');
      return s.id;
    });
    expect(setCookie).toMatch(SEALED);
    expect(newId).not.toBe(oldId);
    const next = await browser.request(async (s) => [
      await s.get('user'),
      await s.getFlash('notice'),
    ]);
    expect(next.value).toEqual([undefined, 'bye']);
  });

  it('signIn regenerates the ID, keeps only `keep`, and binds the user', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    const { value: anonymousId } = await browser.request(async (s) => {
      await s.set('cart', ['apple']);
      await s.set('planted', 'x');
      return s.id;
    });
    const login = await browser.request(async (s) => {
      await s.signIn('user-1', { keep: ['cart'] });
      return s.id;
    });
    expect(login.result.outcome).toBe('rotated');
    expect(login.value).not.toBe(anonymousId);
    const next = await browser.request(async (s) => ({
      user: await s.getUserId(),
      all: await s.getAll(),
      id: s.id,
    }));
    expect(next.value).toEqual({ user: 'user-1', all: { cart: ['apple'] }, id: login.value });
    expect(h.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['session-created', 'session-regenerated', 'session-signed-in']),
    );
  });

  it('enforces the engine limits (maxBytes defaults to 4096 here)', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    await expect(browser.request((s) => s.set('big', 'x'.repeat(5000)))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('fails closed on two different valid cookies, like the server mode', async () => {
    const h = createSealedHarness();
    const a = h.client();
    const b = h.client();
    await a.request((s) => s.set('n', 1));
    await b.request((s) => s.set('n', 2));
    const session = h.open(a.jar, { cookie: `sid=${a.cookie()}; sid=${b.cookie()}` });
    await expect(session.get('n')).rejects.toMatchObject({
      code: 'AMBIGUOUS_SESSION',
      status: 400,
    });
  });

  it('never reports a cookie value or ID in events', async () => {
    const h = createSealedHarness();
    const browser = h.client();
    const { value: id } = await browser.request(async (s) => {
      await s.set('n', 1);
      return s.id as string;
    });
    await browser.request((s) => s.destroy());
    const text = JSON.stringify(h.events);
    expect(text).not.toContain(id);
    expect(text).not.toContain('s1.');
  });
});
