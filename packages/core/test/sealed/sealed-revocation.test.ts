import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createSealedSessionManager,
  type SessionStore,
} from '../../src/index.js';
import { epochStoreKey } from '../../src/sealed/revocation-epoch.js';
import { CookieJar } from '../support/harness.js';
import { cookieHeader, createSealedHarness, KEY } from './sealed-harness.js';

const SECOND = 1_000;

/** Signs `userId` in from three browsers, a second apart. */
async function threeClients(h: ReturnType<typeof createSealedHarness>, userId = 'user-1') {
  const clients = [h.client(), h.client(), h.client()] as const;
  for (const client of clients) {
    h.clock.advance(SECOND);
    await client.request((s) => s.signIn(userId));
  }
  h.clock.advance(SECOND);
  return clients;
}

describe('sealed cookies: revocation through a per-user epoch', () => {
  it('revokeUserSessions(except) ends every other client on its next request; the kept one survives', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const [laptop, phone, tablet] = await threeClients(h);
    const phoneBefore = phone.cookie() as string;
    const laptopBefore = laptop.cookie() as string;

    const revoke = await laptop.request(async (s) => {
      expect(await s.getUserId()).toBe('user-1');
      return h.manager.revokeUserSessions('user-1', { except: s });
    });
    // The count is unknowable (the cookies live in browsers).
    expect(revoke.value).toBe(0);
    // The kept session was re-sealed after the epoch in the same response.
    expect(revoke.setCookie).toMatch(/^sid=s1\./);
    expect(laptop.cookie()).not.toBe(laptopBefore);

    h.events.length = 0;
    expect((await phone.request((s) => s.getUserId())).value).toBeUndefined();
    expect((await tablet.request((s) => s.getUserId())).value).toBeUndefined();
    expect(h.events.filter((e) => e.type === 'session-revoked')).toHaveLength(2);
    expect((await laptop.request((s) => s.getUserId())).value).toBe('user-1');

    // Replayed later, revoked cookies stay dead, including the kept client's pre-revocation one.
    h.clock.advance(60 * 60 * SECOND);
    expect(await h.open(phone.jar, cookieHeader(phoneBefore)).getUserId()).toBeUndefined();
    expect(await h.open(laptop.jar, cookieHeader(laptopBefore)).getUserId()).toBeUndefined();
    expect((await laptop.request((s) => s.getUserId())).value).toBe('user-1');
  });

  it('without except, every session of the user ends; other users are untouched', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const clients = await threeClients(h);
    const other = h.client();
    await other.request((s) => s.signIn('user-2'));
    h.clock.advance(SECOND);
    await expect(h.manager.revokeUserSessions('user-1')).resolves.toBe(0);
    for (const client of clients) {
      expect((await client.request((s) => s.getUserId())).value).toBeUndefined();
    }
    expect((await other.request((s) => s.getUserId())).value).toBe('user-2');
  });

  it('a sign-in after the revocation works', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const [phone] = await threeClients(h);
    await h.manager.revokeUserSessions('user-1');
    h.clock.advance(SECOND);
    await phone.request((s) => s.signIn('user-1'));
    h.clock.advance(SECOND);
    expect((await phone.request((s) => s.getUserId())).value).toBe('user-1');
  });

  it('a cookie sealed in the same millisecond as the epoch is revoked (at or before)', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const phone = h.client();
    await phone.request((s) => s.signIn('user-1'));
    await h.manager.revokeUserSessions('user-1');
    expect((await phone.request((s) => s.getUserId())).value).toBeUndefined();
  });

  it('a request in flight while the revocation lands cannot re-seal its way past it', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const phone = h.client();
    await phone.request((s) => s.signIn('user-1'));
    h.clock.advance(SECOND);
    const inFlight = h.open(phone.jar);
    expect(await inFlight.getUserId()).toBe('user-1'); // passed its check here
    h.clock.advance(SECOND);
    await h.manager.revokeUserSessions('user-1');
    h.clock.advance(SECOND);
    await inFlight.set('cart', ['apple']); // a write: the cookie is re-sealed...
    phone.jar.apply(await inFlight.commit());
    h.clock.advance(SECOND);
    // ...but with the instant of its check, so the next request still sees it revoked.
    expect((await phone.request((s) => s.getUserId())).value).toBeUndefined();
  });

  it('costs one epoch read per request that loads a signed-in session, none for anonymous ones', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const anonymous = h.client();
    await anonymous.request((s) => s.set('n', 1));
    const user = h.client();
    await user.request((s) => s.signIn('user-1'));
    h.revocationStore.reset();
    await anonymous.request((s) => s.get('n'));
    expect(h.revocationStore.calls).toEqual([]);
    await user.request((s) => s.getUserId());
    expect(h.revocationStore.calls).toEqual(['load']);
  });

  it('keeps the epoch under a 43-character derived key, never the user ID, for longer than any cookie', async () => {
    const h = createSealedHarness({ withRevocation: true, expiry: { idle: '1h', absolute: '1d' } });
    const store = createMemoryStore({ clock: h.clock.now });
    const manager = createSealedSessionManager({
      keys: [KEY],
      clock: h.clock.now,
      revocation: { store },
    });
    await manager.revokeUserSessions('user-1');
    const key = await epochStoreKey('user-1');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const record = store.load(key);
    expect(record?.meta.userId).toBeUndefined();
    expect(JSON.stringify([...(record?.entries ?? [])])).not.toContain('user-1');
    // Outlives the longest persistent cookie the engine allows (400 days), plus a day.
    expect(record?.expiresAt).toBe(h.clock.now() + 401 * 86_400_000);
  });

  it('raises the epoch on a second revocation and never lowers it', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const phone = h.client();
    await h.manager.revokeUserSessions('user-1');
    h.clock.advance(SECOND);
    await phone.request((s) => s.signIn('user-1'));
    h.clock.advance(SECOND);
    await h.manager.revokeUserSessions('user-1');
    expect((await phone.request((s) => s.getUserId())).value).toBeUndefined();
  });

  it('a failing revocation store is STORE_UNAVAILABLE, never "not revoked"', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const phone = h.client();
    await phone.request((s) => s.signIn('user-1'));
    const broken: SessionStore = {
      ...h.revocationStore,
      load: () => {
        throw new Error('down');
      },
    };
    const manager = createSealedSessionManager({
      keys: [KEY],
      clock: h.clock.now,
      revocation: { store: broken },
    });
    const session = manager.session(new Headers({ cookie: phone.jar.header() }));
    await expect(session.getUserId()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    // Logout still works: destroy never opens the session, so it needs no epoch.
    const logout = manager.session(new Headers({ cookie: phone.jar.header() }));
    await logout.destroy();
    expect((await logout.commit()).outcome).toBe('destroyed');
  });

  it('except must be a session of this manager, and must not be committed yet', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const [phone] = await threeClients(h);
    const other = createSealedHarness({ withRevocation: true });
    await expect(
      h.manager.revokeUserSessions('user-1', { except: other.open(new CookieJar()) }),
    ).rejects.toMatchObject({ code: 'MISCONFIGURED' });
    const committed = h.open(phone.jar);
    await committed.getUserId();
    await committed.commit();
    h.revocationStore.reset();
    await expect(
      h.manager.revokeUserSessions('user-1', { except: committed }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // Nothing was revoked.
    expect(h.revocationStore.calls).not.toContain('create');
    expect((await phone.request((s) => s.getUserId())).value).toBe('user-1');
  });

  it('except for a session of another user keeps nothing special', async () => {
    const h = createSealedHarness({ withRevocation: true });
    const [phone] = await threeClients(h);
    const admin = h.client();
    await admin.request((s) => s.signIn('admin'));
    h.clock.advance(SECOND);
    const { setCookie } = await admin.request((s) =>
      h.manager.revokeUserSessions('user-1', { except: s }),
    );
    expect(setCookie).toBeUndefined();
    expect((await phone.request((s) => s.getUserId())).value).toBeUndefined();
    expect((await admin.request((s) => s.getUserId())).value).toBe('admin');
  });
});

describe('sealed cookies without a revocation store', () => {
  it('revokeUserSessions throws MISCONFIGURED explaining why', async () => {
    const h = createSealedHarness();
    await expect(h.manager.revokeUserSessions('user-1')).rejects.toMatchObject({
      code: 'MISCONFIGURED',
      message: expect.stringMatching(/cannot be revoked without a revocation store/),
    });
  });

  it('listUserSessions and revokeUserSession throw MISCONFIGURED (not listable one by one)', async () => {
    for (const withRevocation of [false, true]) {
      const h = createSealedHarness({ withRevocation });
      await expect(h.manager.listUserSessions('user-1')).rejects.toMatchObject({
        code: 'MISCONFIGURED',
        message: expect.stringMatching(/cannot be listed or revoked one by one/),
      });
      await expect(h.manager.revokeUserSession('user-1', 'A'.repeat(22))).rejects.toMatchObject({
        code: 'MISCONFIGURED',
      });
    }
  });

  it('signIn still binds the user', async () => {
    const h = createSealedHarness();
    const phone = h.client();
    await phone.request((s) => s.signIn('user-1', { info: { userAgent: 'test' } }));
    expect((await phone.request((s) => s.getUserId())).value).toBe('user-1');
  });
});
