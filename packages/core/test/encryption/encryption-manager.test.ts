import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  createSessionManager,
  type EncryptionOptions,
  hashSessionId,
  isSessionError,
  type MemoryStore,
  type Session,
  type SessionEvent,
  type SessionManager,
  type SessionManagerOptions,
  type SessionPatch,
  type SessionStore,
} from '../../src/index.js';
import { CookieJar, SECRET, TestClock } from '../support/harness.js';
import { ENCRYPTED, keyIdOf, NEW_KEY, OLD_KEY, recordingStore, tamper } from './support.js';

type Data = Record<string, string | number | { [key: string]: string }>;

afterEach(() => {
  vi.restoreAllMocks();
});

/** One memory store on a test clock, shared by every manager a test makes over it. */
function world() {
  const clock = new TestClock();
  const memory = createMemoryStore({ clock: clock.now });
  const events: SessionEvent[] = [];
  const manager = (
    encryption: EncryptionOptions | undefined,
    options: Partial<SessionManagerOptions> = {},
  ): SessionManager<Data> =>
    createSessionManager<Data>({
      store: memory,
      secrets: [SECRET],
      clock: clock.now,
      onEvent: (event) => events.push(event),
      ...(encryption === undefined ? {} : { encryption }),
      ...options,
    });
  return { clock, memory, events, manager };
}

/** A browser: a cookie jar, sending real `Request`s. */
function browser() {
  const jar = new CookieJar();
  return {
    jar,
    /** Runs one request against `manager` (optionally with a per-request store). */
    async request<T>(
      manager: SessionManager<Data>,
      handler: (session: Session<Data>) => Promise<T>,
      store?: SessionStore,
    ): Promise<T> {
      const headers = new Headers();
      if (jar.cookies.size > 0) headers.set('cookie', jar.header());
      const session = manager.session(
        new Request('https://app.test/', { headers }),
        store === undefined ? undefined : { store },
      );
      const value = await handler(session);
      jar.apply(await session.commit());
      return value;
    },
    /** The store key of the session this browser holds. */
    async storeKey(): Promise<string> {
      const token = jar.cookies.get('sid') ?? '';
      return hashSessionId(token.slice(0, token.indexOf('.')));
    },
  };
}

/** The raw values the memory store holds for `key`. */
function rawValues(memory: MemoryStore, key: string): Record<string, string> {
  const record = memory.load(key);
  return Object.fromEntries(
    [...(record?.entries ?? [])].map(([name, e]) => [name, e.value as string]),
  );
}

const undecodable = (events: SessionEvent[]) =>
  events.flatMap((event) => (event.type === 'value-undecodable' ? [event.key] : []));

describe('createSessionManager({ encryption })', () => {
  it('round-trips values while the store holds only ciphertext', async () => {
    const { memory, manager } = world();
    const app = manager({ keys: [OLD_KEY] });
    const user = browser();
    await user.request(app, async (s) => {
      await s.set('profile', { name: 'ada lovelace', card: '4111 1111 1111 1111' });
      await s.set('views', 1);
      await s.flash('notice', 'welcome back');
    });
    const raw = rawValues(memory, await user.storeKey());
    expect(Object.keys(raw).sort()).toEqual(['\u0001flash:notice', 'profile', 'views']);
    for (const value of Object.values(raw)) {
      expect(value).toMatch(ENCRYPTED);
      expect(value).not.toMatch(/ada|4111|welcome/);
    }
    const seen = await user.request(app, async (s) => [
      await s.get('profile'),
      await s.get('views'),
      await s.getFlash('notice'),
    ]);
    expect(seen).toEqual([
      { name: 'ada lovelace', card: '4111 1111 1111 1111' },
      1,
      'welcome back',
    ]);
  });

  it('a ciphertext copied into another session is dropped and reported, never returned', async () => {
    const { memory, events, manager } = world();
    const app = manager({ keys: [OLD_KEY] });
    const admin = browser();
    const guest = browser();
    await admin.request(app, (s) => s.set('role', 'admin'));
    await guest.request(app, async (s) => {
      await s.set('role', 'guest');
      await s.set('name', 'eve');
    });
    const adminRole = rawValues(memory, await admin.storeKey()).role as string;
    const patch: SessionPatch = {
      set: new Map([
        ['role', { value: adminRole }],
        ['name', { value: adminRole }],
      ]),
      remove: [],
      clear: false,
      expiresAt: memory.load(await guest.storeKey())?.expiresAt as number,
    };
    memory.patch(await guest.storeKey(), patch);
    const seen = await guest.request(app, async (s) => [await s.get('role'), await s.getAll()]);
    expect(seen).toEqual([undefined, {}]);
    expect(undecodable(events).sort()).toEqual(['name', 'role']);
    // The session itself lives on: writing the key again stores a fresh, readable value.
    await guest.request(app, (s) => s.set('role', 'guest'));
    expect(await guest.request(app, (s) => s.get('role'))).toBe('guest');
  });

  it('a tampered value is dropped; the other values of the session stay readable', async () => {
    const { memory, events, manager } = world();
    const app = manager({ keys: [OLD_KEY] });
    const user = browser();
    await user.request(app, async (s) => {
      await s.set('a', 'one');
      await s.set('b', 'two');
    });
    const key = await user.storeKey();
    const raw = rawValues(memory, key);
    memory.patch(key, {
      set: new Map([['a', { value: tamper(raw.a as string) }]]),
      remove: [],
      clear: false,
      expiresAt: memory.load(key)?.expiresAt as number,
    });
    expect(await user.request(app, (s) => s.getAll())).toEqual({ b: 'two' });
    expect(undecodable(events)).toEqual(['a']);
  });

  it('key rotation: old values still read, writes and regenerate move them to the new key', async () => {
    const { memory, manager } = world();
    const user = browser();
    await user.request(manager({ keys: [OLD_KEY] }), async (s) => {
      await s.set('a', 'one');
      await s.set('b', 'two');
    });
    const oldId = keyIdOf(rawValues(memory, await user.storeKey()).a);

    const rotated = manager({ keys: [NEW_KEY, OLD_KEY] });
    expect(await user.request(rotated, (s) => s.getAll())).toEqual({ a: 'one', b: 'two' });
    await user.request(rotated, (s) => s.set('b', 'TWO'));
    let raw = rawValues(memory, await user.storeKey());
    const newId = keyIdOf(raw.b);
    expect(newId).not.toBe(oldId);
    expect(keyIdOf(raw.a)).toBe(oldId);

    await user.request(rotated, (s) => s.regenerate());
    raw = rawValues(memory, await user.storeKey());
    expect(Object.values(raw).map(keyIdOf)).toEqual([newId, newId]);

    // The old key can now be retired without losing anything.
    const retired = manager({ keys: [NEW_KEY] });
    expect(await user.request(retired, (s) => s.getAll())).toEqual({ a: 'one', b: 'TWO' });
  });

  it('a short or missing key fails at start-up with MISCONFIGURED', () => {
    const { manager } = world();
    for (const keys of [[], ['too short'], [NEW_KEY, new Uint8Array(16)]]) {
      let thrown: unknown;
      try {
        manager({ keys } as EncryptionOptions);
      } catch (error) {
        thrown = error;
      }
      expect(isSessionError(thrown, 'MISCONFIGURED'), `keys ${String(keys)}`).toBe(true);
    }
  });

  it('plaintext sessions from before: dropped by default, kept and migrated with acceptPlaintext', async () => {
    const { memory, events, manager } = world();
    const user = browser();
    await user.request(manager(undefined), async (s) => {
      await s.set('a', 'one');
      await s.set('b', 'two');
    });
    expect(rawValues(memory, await user.storeKey()).a).toBe('"one"');

    const strict = manager({ keys: [NEW_KEY] });
    expect(await user.request(strict, (s) => s.getAll())).toEqual({});
    expect(undecodable(events).sort()).toEqual(['a', 'b']);

    const migrating = manager({ keys: [NEW_KEY], acceptPlaintext: true });
    expect(await user.request(migrating, (s) => s.getAll())).toEqual({ a: 'one', b: 'two' });
    await user.request(migrating, (s) => s.set('b', 'TWO'));
    let raw = rawValues(memory, await user.storeKey());
    expect(raw.a).toBe('"one"');
    expect(raw.b).toMatch(ENCRYPTED);
    await user.request(migrating, (s) => s.signIn('ada', { keep: ['a', 'b'] }));
    raw = rawValues(memory, await user.storeKey());
    expect(raw.a).toMatch(ENCRYPTED);
    expect(await user.request(strict, (s) => s.getAll())).toEqual({ a: 'one', b: 'TWO' });
  });

  it('a patch carries only the changed keys', async () => {
    const { clock, memory } = world();
    const inner = recordingStore(memory);
    const app = createSessionManager<Data>({
      store: inner,
      secrets: [SECRET],
      clock: clock.now,
      encryption: { keys: [OLD_KEY] },
    });
    const user = browser();
    await user.request(app, async (s) => {
      for (const key of ['a', 'b', 'c', 'd']) await s.set(key, key.repeat(100));
    });
    inner.reset();
    await user.request(app, async (s) => {
      await s.set('b', 'changed');
      await s.remove('c');
    });
    expect(inner.ops()).toEqual(['load', 'patch']);
    const patch = inner.calls[1]?.patch as SessionPatch;
    expect([...patch.set.keys()]).toEqual(['b']);
    expect(patch.set.get('b')?.value).toMatch(ENCRYPTED);
    expect(patch.remove).toEqual(['c']);
  });

  it('sign-in costs one rotate; regenerate without keep re-encrypts what moved in one patch', async () => {
    const { clock, memory } = world();
    const inner = recordingStore(memory);
    const app = createSessionManager<Data>({
      store: inner,
      secrets: [SECRET],
      clock: clock.now,
      encryption: { keys: [OLD_KEY] },
    });
    const user = browser();
    await user.request(app, async (s) => {
      await s.set('cart', 'book');
      await s.set('theme', 'dark');
    });
    inner.reset();
    await user.request(app, (s) => s.signIn('ada', { keep: ['cart'] }));
    expect(inner.ops()).toEqual(['load', 'rotate']);
    inner.reset();
    await user.request(app, async (s) => {
      await s.regenerate();
      await s.set('step', 'two');
    });
    expect(inner.ops()).toEqual(['load', 'rotate', 'load', 'patch']);
    expect(await user.request(app, (s) => s.getAll())).toEqual({ cart: 'book', step: 'two' });
  });

  it('wraps per-request stores too, deriving the keys once per manager', async () => {
    const deriveKey = vi.spyOn(crypto.subtle, 'deriveKey');
    const clock = new TestClock();
    const app = createSessionManager<Data>({
      secrets: [SECRET],
      clock: clock.now,
      encryption: { keys: [OLD_KEY] },
    });
    const stores = [
      createMemoryStore({ clock: clock.now }),
      createMemoryStore({ clock: clock.now }),
    ];
    for (const store of stores) {
      const user = browser();
      for (let i = 0; i < 3; i++) await user.request(app, (s) => s.set('n', i), store);
      expect(await user.request(app, (s) => s.get('n'), store)).toBe(2);
      expect(rawValues(store, await user.storeKey()).n).toMatch(ENCRYPTED);
    }
    expect(deriveKey).toHaveBeenCalledTimes(1);
  });

  it('the default store passed per request is the same encrypted store', async () => {
    const { memory, manager } = world();
    const app = manager({ keys: [OLD_KEY] });
    const user = browser();
    await user.request(app, (s) => s.set('a', 'one'), memory);
    expect(await user.request(app, (s) => s.get('a'))).toBe('one');
    expect(rawValues(memory, await user.storeKey()).a).toMatch(ENCRYPTED);
  });

  it("lists and revokes a user's sessions through the encrypted store", async () => {
    const { manager } = world();
    const app = manager({ keys: [OLD_KEY] });
    const phone = browser();
    const laptop = browser();
    await phone.request(app, (s) => s.signIn('ada', { info: { device: 'phone' } }));
    await laptop.request(app, (s) => s.signIn('ada', { info: { device: 'laptop' } }));
    const listed = await app.listUserSessions('ada');
    expect(listed.map((info) => info.info.device).sort()).toEqual(['laptop', 'phone']);
    expect(await app.revokeUserSessions('ada')).toBe(2);
    expect(await phone.request(app, (s) => s.getUserId())).toBeUndefined();
  });
});
