import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  isSessionError,
  type Session,
  type SessionEvent,
  type SessionStore,
  userSessionHandle,
} from '../../src/index.js';
import { createHarness, TestClock } from '../support/harness.js';

const MINUTE = 60_000;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSessionError(error, code as never), `expected SessionError ${code}`).toBe(true);
}

describe('signIn', () => {
  it('regenerates the ID, drops pre-sign-in data unless kept, binds the user and records info', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('planted', 'by attacker');
      await s.set('cart', [1, 2]);
    });
    const before = h.jar.cookies.get('sid');
    const { result, calls } = await h.request((s) =>
      s.signIn('user-1', { info: { userAgent: 'Firefox' }, keep: ['cart'] }),
    );
    expect(result.outcome).toBe('rotated');
    expect(calls).toEqual(['load', 'rotate']);
    expect(h.jar.cookies.get('sid')).not.toBe(before);
    const { value } = await h.request(async (s) => ({
      user: await s.getUserId(),
      all: await s.getAll(),
    }));
    expect(value).toEqual({ user: 'user-1', all: { cart: [1, 2] } });
    // The old cookie is dead.
    const old = h.manager.session(new Headers({ cookie: `sid=${before}` }));
    expect(await old.getUserId()).toBeUndefined();
    const [listed] = await h.manager.listUserSessions('user-1');
    expect(listed?.info).toEqual({ userAgent: 'Firefox' });
  });

  it('stores a new, empty session when it is signed in (the binding is its content)', async () => {
    const h = createHarness();
    const { result, calls } = await h.request((s) => s.signIn('user-1'));
    expect(result.outcome).toBe('created');
    expect(calls).toEqual(['create']);
    expect(h.jar.cookies.has('sid')).toBe(true);
    expect((await h.manager.listUserSessions('user-1')).length).toBe(1);
  });

  it('rejects hostile user IDs and info with INVALID_VALUE before any store call', async () => {
    const h = createHarness();
    const bad: unknown[] = ['', 'a\u0000b', 'line\nbreak', '\ud800', 'x'.repeat(257), 42, null];
    for (const userId of bad) {
      h.store.reset();
      const session = h.open();
      await expectCode(session.signIn(userId as string), 'INVALID_VALUE');
      expect(h.store.calls).toEqual([]);
    }
    const infos: unknown[] = [
      'text',
      [],
      { a: 1 },
      { a: 'x\u0000' },
      { '': 'x' },
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])),
      { ua: 'x'.repeat(3000) },
    ];
    for (const info of infos) {
      await expectCode(
        h.open().signIn('user', { info: info as Record<string, string> }),
        'INVALID_VALUE',
      );
    }
    // `__proto__` in info stays plain data.
    await h.request((s) => s.signIn('proto', { info: JSON.parse('{"__proto__": "x"}') }));
    const [listed] = await h.manager.listUserSessions('proto');
    expect(Object.keys(listed?.info ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('reports session-signed-in with a tag, never the user ID', async () => {
    const events: SessionEvent[] = [];
    const h = createHarness({ onEvent: (e) => events.push(e) });
    await h.request((s) => s.signIn('secret-user-id'));
    const signedIn = events.find((e) => e.type === 'session-signed-in');
    expect(signedIn).toMatchObject({ type: 'session-signed-in', session: expect.any(String) });
    expect(JSON.stringify(events)).not.toContain('secret-user-id');
  });
});

describe('writes of a signed-in session', () => {
  it('send meta (lastActiveAt) with every write and refresh expiry by patch, not touch', async () => {
    const h = createHarness({ expiry: { idle: '1h', touchInterval: '1m' } });
    await h.request((s) => s.signIn('user-1'));
    h.clock.advance(10 * MINUTE);
    const refreshed = await h.request((s) => s.get('anything'));
    expect(refreshed.result.outcome).toBe('touched');
    expect(refreshed.calls).toEqual(['load', 'patch']);
    const [listed] = await h.manager.listUserSessions('user-1');
    expect(listed?.lastActiveAt).toBe(h.clock.time);
    expect(listed?.expiresAt).toBe(h.clock.time + 60 * MINUTE);
    // Within the touch interval nothing is written.
    h.clock.advance(MINUTE / 2);
    expect((await h.request((s) => s.get('anything'))).calls).toEqual(['load']);
  });

  it('an anonymous session still refreshes with touch and writes no meta', async () => {
    const h = createHarness({ expiry: { idle: '1h', touchInterval: '1m' } });
    await h.request((s) => s.set('a', 1));
    h.clock.advance(10 * MINUTE);
    expect((await h.request((s) => s.get('a'))).calls).toEqual(['load', 'touch']);
  });

  it('setExpiry keeps the sign-in binding', async () => {
    const h = createHarness();
    await h.request((s) => s.signIn('user-1', { info: { ua: 'x' } }));
    await h.request((s) => s.setExpiry({ idle: '30d', absolute: '90d' }));
    const [listed] = await h.manager.listUserSessions('user-1');
    expect(listed?.info).toEqual({ ua: 'x' });
    expect(await h.open().getUserId()).toBe('user-1');
  });
});

describe('listing and revoking', () => {
  it('lists newest activity first with handles that are not cookies, marking current', async () => {
    const h = createHarness();
    const cookies: string[] = [];
    for (const agent of ['a', 'b', 'c']) {
      h.jar.cookies.clear();
      await h.request((s) => s.signIn('u', { info: { agent } }));
      cookies.push(h.jar.cookies.get('sid') ?? '');
      h.clock.advance(MINUTE);
    }
    const current = h.manager.session(new Headers({ cookie: `sid=${cookies[1]}` }));
    const listed = await h.manager.listUserSessions('u', { current });
    expect(listed.map((s) => s.info.agent)).toEqual(['c', 'b', 'a']);
    expect(listed.map((s) => s.current)).toEqual([false, true, false]);
    for (const entry of listed) {
      expect(entry.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const cookie of cookies) expect(cookie).not.toContain(entry.handle);
    }
  });

  it('revokeUserSession rejects malformed handles without a store call, and foreign handles', async () => {
    const h = createHarness();
    await h.request((s) => s.signIn('alice'));
    h.jar.cookies.clear();
    await h.request((s) => s.signIn('bob'));
    const [bobs] = await h.manager.listUserSessions('bob');
    for (const handle of [
      '',
      'x',
      '*',
      "'; DROP TABLE x; --",
      'a'.repeat(23),
      `${'a'.repeat(21)}!`,
    ]) {
      h.store.reset();
      expect(await h.manager.revokeUserSession('alice', handle)).toBe(false);
      expect(h.store.calls).toEqual([]);
    }
    expect(await h.manager.revokeUserSession('alice', bobs?.handle ?? '')).toBe(false);
    expect((await h.manager.listUserSessions('bob')).length).toBe(1);
  });

  it('revocation is effective on the next request and reported without IDs', async () => {
    const events: SessionEvent[] = [];
    const h = createHarness({ onEvent: (e) => events.push(e) });
    await h.request((s) => s.signIn('u'));
    const revoked = h.jar.cookies.get('sid');
    expect(await h.manager.revokeUserSessions('u')).toBe(1);
    expect(events.filter((e) => e.type === 'session-revoked').length).toBe(1);
    const { value, result } = await h.request((s) => s.getUserId());
    expect(value).toBeUndefined();
    expect(result.headers).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(revoked?.slice(0, 43) ?? 'none');
  });

  it('a request whose session is revoked mid-flight cannot resurrect it', async () => {
    const h = createHarness();
    await h.request((s) => s.signIn('u'));
    const session = h.open();
    await session.set('late', 'write');
    await h.manager.revokeUserSessions('u');
    expect((await session.commit()).outcome).toBe('vanished');
    expect(await h.manager.listUserSessions('u')).toEqual([]);
  });

  it('needs a store with a user index: MISCONFIGURED otherwise', async () => {
    const memory = createMemoryStore({ clock: new TestClock().now });
    const plain: SessionStore = {
      name: 'plain',
      capabilities: { atomicRotate: true, deleteExpired: false },
      load: (k) => memory.load(k),
      create: (k, r) => memory.create(k, r),
      patch: (k, p) => memory.patch(k, p),
      touch: (k, e) => memory.touch(k, e),
      rotate: (f, t, p) => memory.rotate(f, t, p),
      destroy: (k) => memory.destroy(k),
    };
    const h = createHarness({ store: plain });
    await expectCode(h.manager.listUserSessions('u'), 'MISCONFIGURED');
    await expectCode(h.manager.revokeUserSessions('u'), 'MISCONFIGURED');
    await expectCode(h.manager.revokeUserSession('u', 'a'.repeat(22)), 'MISCONFIGURED');
    // Signing in still works: the binding is stored, just not indexed.
    await h.request((s) => s.signIn('u'));
    expect(await h.open().getUserId()).toBe('u');
  });

  it('rejects a Session the manager did not open as `current`', async () => {
    const h = createHarness();
    const foreign = { get: async () => undefined } as unknown as Session;
    await expectCode(h.manager.listUserSessions('u', { current: foreign }), 'MISCONFIGURED');
    await expectCode(h.manager.revokeUserSessions('u', { except: foreign }), 'MISCONFIGURED');
  });

  it('a handle is a one-way function of the store key', async () => {
    const a = await userSessionHandle('k'.repeat(43));
    expect(a).toHaveLength(22);
    expect(await userSessionHandle('k'.repeat(43))).toBe(a);
    expect(await userSessionHandle('j'.repeat(43))).not.toBe(a);
  });
});
