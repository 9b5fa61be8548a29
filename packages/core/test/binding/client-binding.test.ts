import { describe, expect, it } from 'vitest';
import {
  type ClientBindingRequest,
  createMemoryStore,
  createSealedSessionManager,
  createSessionManager,
  type DefaultSessionData,
  type Session,
  type SessionEvent,
  type SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { type CountingStore, countingStore } from '../support/counting-store.js';
import { CookieJar, SECRET, TestClock } from '../support/harness.js';

const ENCRYPTION_KEY = 'binding-encryption-key-0123456789abcdef';
const SEALING_KEY = 'binding-sealing-key-0123456789abcdefghij';

/** A browser: its cookie jar, user agent and IP, and how often the adapter was asked for the IP. */
interface Browser {
  readonly jar: CookieJar;
  userAgent: string;
  ip: string | undefined;
  addressReads: number;
}

const browser = (userAgent: string, ip?: string): Browser => ({
  jar: new CookieJar(),
  userAgent,
  ip,
  addressReads: 0,
});

function setup(options: Partial<SessionManagerOptions> = {}, sealed = false) {
  const clock = new TestClock();
  const events: SessionEvent[] = [];
  const memory = createMemoryStore({ clock: clock.now });
  const store: CountingStore = countingStore(memory);
  const common = { clock: clock.now, onEvent: (event: SessionEvent) => events.push(event) };
  const manager: SessionManager<DefaultSessionData> = sealed
    ? createSealedSessionManager({ keys: [SEALING_KEY], ...common, binding: options.binding })
    : createSessionManager({ secrets: [SECRET], store, ...common, ...options });
  const open = (client: Browser, cookie?: string) =>
    manager.session(
      new Headers({ cookie: cookie ?? client.jar.header(), 'user-agent': client.userAgent }),
      {
        clientAddress: () => {
          client.addressReads++;
          return client.ip;
        },
      },
    );
  /** Runs one request from `client`: opens, runs `handler`, commits, updates the jar. */
  const request = async <T>(client: Browser, handler: (session: Session) => Promise<T>) => {
    store.reset();
    const session = open(client);
    const value = await handler(session);
    const result = await session.commit();
    client.jar.apply(result);
    return { value, result, session, calls: [...store.calls] };
  };
  return { clock, events, memory, store, manager, open, request };
}

const mismatches = (events: readonly SessionEvent[]) =>
  events.filter((event) => event.type === 'session-binding-mismatch');

describe('client binding: options', () => {
  const make = (binding: unknown) => () =>
    createSessionManager({
      store: createMemoryStore(),
      secrets: [SECRET],
      binding: binding as SessionManagerOptions['binding'],
    });

  it('rejects settings that bind nothing or cannot be meant', () => {
    for (const binding of [
      {},
      { userAgent: false, ip: false },
      null,
      'ua',
      { userAgent: 'yes' },
      { useragent: true },
      { ip: 'true' },
      { ip: { v4Prefix: 33, v6Prefix: 64 } },
      { ip: { v4Prefix: 24, v6Prefix: 129 } },
      { ip: { v4Prefix: 24 } },
      { ip: { v4Prefix: -1, v6Prefix: 64 } },
      { ip: { v4Prefix: 24.5, v6Prefix: 64 } },
      { fingerprint: 'device' },
    ]) {
      expect(make(binding), JSON.stringify(binding)).toThrowError(
        expect.objectContaining({ code: 'MISCONFIGURED' }),
      );
    }
  });

  it('accepts each attribute alone and together', () => {
    for (const binding of [
      { userAgent: true },
      { ip: true },
      { ip: { v4Prefix: 24, v6Prefix: 64 } },
      { fingerprint: () => 'x' },
      { userAgent: true, ip: true, fingerprint: () => 'x' },
    ]) {
      expect(make(binding), JSON.stringify(binding)).not.toThrow();
    }
  });
});

describe('client binding: the engine', () => {
  it('stores only a hash of the bound attributes, never the raw values', async () => {
    const h = setup({ binding: { userAgent: true, ip: true } });
    const ada = browser('Mozilla/5.0 (Ada)', '203.0.113.7');
    const { session } = await h.request(ada, (s) => s.set('a', 1));
    const record = await h.memory.load(
      (await import('../../src/crypto/hash-session-id.js')).sessionStoreKey(session.id as string),
    );
    const binding = record?.meta.clientBinding;
    expect(binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(record?.meta);
    expect(stored).not.toContain('Ada');
    expect(stored).not.toContain('203.0.113');
  });

  it('the same client keeps its session; another user agent gets none, and the record survives', async () => {
    const h = setup({ binding: { userAgent: true } });
    const ada = browser('Mozilla/5.0 (Ada)');
    await h.request(ada, (s) => s.set('user', 'ada'));
    const cookie = ada.jar.cookies.get('sid') as string;
    expect((await h.request(ada, (s) => s.get('user'))).value).toBe('ada');

    const thief = browser('curl/8.0');
    thief.jar.cookies.set('sid', cookie);
    const stolen = await h.request(thief, async (s) => {
      const value = await s.get('user');
      return { value, isNew: s.isNew, id: s.id };
    });
    expect(stolen.value).toEqual({ value: undefined, isNew: true, id: undefined });
    expect(stolen.calls).toEqual(['load']);
    expect(stolen.result.headers).toEqual([]);
    const [event] = mismatches(h.events);
    expect(event).toEqual({
      type: 'session-binding-mismatch',
      session: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
    });
    expect(JSON.stringify(h.events)).not.toContain('curl');
    expect(JSON.stringify(h.events)).not.toContain(cookie.slice(0, 43));

    expect((await h.request(ada, (s) => s.get('user'))).value).toBe('ada');
  });

  it('a mismatched request that writes gets a new session under a new ID, never the presented one', async () => {
    const h = setup({ binding: { userAgent: true } });
    const ada = browser('Mozilla/5.0 (Ada)');
    await h.request(ada, (s) => s.set('user', 'ada'));
    const cookie = ada.jar.cookies.get('sid') as string;
    const thief = browser('curl/8.0');
    thief.jar.cookies.set('sid', cookie);
    const written = await h.request(thief, (s) => s.set('user', 'mallory'));
    expect(written.calls).toEqual(['load', 'create']);
    const issued = thief.jar.cookies.get('sid') as string;
    expect(issued.slice(0, 43)).not.toBe(cookie.slice(0, 43));
    expect((await h.request(ada, (s) => s.get('user'))).value).toBe('ada');
    expect((await h.request(thief, (s) => s.get('user'))).value).toBe('mallory');
  });

  it("another client's destroy() neither ends the session nor reaches the store's destroy", async () => {
    const h = setup({ binding: { userAgent: true } });
    const ada = browser('Mozilla/5.0 (Ada)');
    await h.request(ada, (s) => s.set('user', 'ada'));
    const thief = browser('curl/8.0');
    thief.jar.cookies.set('sid', ada.jar.cookies.get('sid') as string);
    const logout = await h.request(thief, (s) => s.destroy());
    expect(logout.calls).toEqual(['load']);
    expect((await h.request(ada, (s) => s.get('user'))).value).toBe('ada');
    const own = await h.request(ada, (s) => s.destroy());
    expect(own.calls).toEqual(['load', 'destroy']);
    expect((await h.request(ada, (s) => s.get('user'))).value).toBeUndefined();
  });

  it('IP binding by network: moving within the prefix keeps the session, leaving it does not', async () => {
    const h = setup({ binding: { ip: { v4Prefix: 24, v6Prefix: 64 } } });
    const phone = browser('Phone', '198.51.100.20');
    await h.request(phone, (s) => s.set('n', 1));
    phone.ip = '::ffff:198.51.100.200';
    expect((await h.request(phone, (s) => s.get('n'))).value).toBe(1);
    phone.ip = '198.51.101.20';
    expect((await h.request(phone, (s) => s.get('n'))).value).toBeUndefined();
    expect(mismatches(h.events)).toHaveLength(1);

    const laptop = browser('Laptop', '2001:db8:aa:bb::1');
    await h.request(laptop, (s) => s.set('n', 2));
    laptop.ip = '2001:db8:aa:bb:ffff::9';
    expect((await h.request(laptop, (s) => s.get('n'))).value).toBe(2);
    laptop.ip = '2001:db8:aa:bc::1';
    expect((await h.request(laptop, (s) => s.get('n'))).value).toBeUndefined();
  });

  it('exact IP binding, and a fingerprint the app computes from the request', async () => {
    const seen: string[] = [];
    const fingerprint = (request: ClientBindingRequest) => {
      seen.push(`${request.headers.get('user-agent')}@${request.clientAddress()}`);
      return request.headers.get('user-agent')?.split('/')[0] ?? '';
    };
    const h = setup({ binding: { ip: true, fingerprint } });
    const ada = browser('Firefox/1', '203.0.113.7');
    await h.request(ada, (s) => s.set('n', 1));
    ada.userAgent = 'Firefox/2';
    expect((await h.request(ada, (s) => s.get('n'))).value).toBe(1);
    ada.userAgent = 'Chrome/2';
    expect((await h.request(ada, (s) => s.get('n'))).value).toBeUndefined();
    ada.userAgent = 'Firefox/3';
    ada.ip = '203.0.113.8';
    expect((await h.request(ada, (s) => s.get('n'))).value).toBeUndefined();
    expect(seen[0]).toBe('Firefox/1@203.0.113.7');
  });

  it('is lazy: an untouched request computes nothing, and a request computes it once', async () => {
    let prints = 0;
    const h = setup({ binding: { ip: true, fingerprint: () => String(++prints > 0) } });
    const ada = browser('UA', '203.0.113.7');
    await h.request(ada, async () => undefined);
    expect([prints, ada.addressReads]).toEqual([0, 0]);
    await h.request(ada, async (s) => {
      await s.set('a', 1);
      await s.set('b', 2);
    });
    expect(prints).toBe(1);
    await h.request(ada, async () => undefined);
    expect(prints).toBe(1);
    await h.request(ada, async (s) => {
      await s.get('a');
      await s.regenerate();
    });
    expect(prints).toBe(2);
  });

  it('costs nothing when off: the client address is never read', async () => {
    const h = setup();
    const ada = browser('UA', '203.0.113.7');
    const { session } = await h.request(ada, async (s) => {
      await s.set('a', 1);
      await s.signIn('ada');
    });
    await h.request(ada, (s) => s.regenerate());
    await h.request(ada, (s) => s.destroy());
    expect(ada.addressReads).toBe(0);
    expect(session.id).toBeDefined();
  });

  it('a session stored without a binding (before binding was turned on) still opens, and signIn or regenerate binds it', async () => {
    const clock = new TestClock();
    const memory = createMemoryStore({ clock: clock.now });
    const before = createSessionManager({ store: memory, secrets: [SECRET], clock: clock.now });
    const after = createSessionManager({
      store: memory,
      secrets: [SECRET],
      clock: clock.now,
      binding: { userAgent: true },
    });
    const jar = new CookieJar();
    const run = async <T>(
      manager: SessionManager,
      userAgent: string,
      handler: (session: Session) => Promise<T>,
    ) => {
      const session = manager.session(
        new Headers({ cookie: jar.header(), 'user-agent': userAgent }),
      );
      const value = await handler(session);
      jar.apply(await session.commit());
      return value;
    };
    await run(before, 'A', (s) => s.set('n', 1));
    expect(await run(after, 'B', (s) => s.get('n'))).toBe(1);
    await run(after, 'A', (s) => s.signIn('ada', { keep: ['n'] }));
    expect(await run(after, 'B', (s) => s.get('n'))).toBeUndefined();
    expect(await run(after, 'A', (s) => s.get('n'))).toBe(1);

    // regenerate binds such a session too.
    const other = new CookieJar();
    const session = before.session(new Headers({ 'user-agent': 'C' }));
    await session.set('m', 2);
    other.apply(await session.commit());
    const regenerated = after.session(new Headers({ cookie: other.header(), 'user-agent': 'C' }));
    await regenerated.regenerate();
    other.apply(await regenerated.commit());
    const open = (userAgent: string) =>
      after.session(new Headers({ cookie: other.header(), 'user-agent': userAgent }));
    expect(await open('D').get('m')).toBeUndefined();
    expect(await open('C').get('m')).toBe(2);
  });

  it('binding.ip without a client address fails with MISCONFIGURED, never silently unbound', async () => {
    const h = setup({ binding: { ip: true } });
    const nowhere = browser('UA', undefined);
    await expect(h.request(nowhere, (s) => s.set('a', 1))).rejects.toMatchObject({
      code: 'MISCONFIGURED',
    });
    const direct = h.manager.session(new Request('https://app.test/'));
    await expect(direct.set('a', 1).then(() => direct.commit())).rejects.toMatchObject({
      code: 'MISCONFIGURED',
    });
  });

  it('a fingerprint that returns a non-string fails with MISCONFIGURED', async () => {
    const h = setup({ binding: { fingerprint: (() => 42) as unknown as () => string } });
    await expect(h.request(browser('UA'), (s) => s.set('a', 1))).rejects.toMatchObject({
      code: 'MISCONFIGURED',
    });
  });

  it('works through encryption at rest (meta, with the binding, stays readable)', async () => {
    const h = setup({ binding: { userAgent: true }, encryption: { keys: [ENCRYPTION_KEY] } });
    const ada = browser('Ada');
    await h.request(ada, (s) => s.set('secret', 'x'));
    expect((await h.request(ada, (s) => s.get('secret'))).value).toBe('x');
    const thief = browser('Thief');
    thief.jar.cookies.set('sid', ada.jar.cookies.get('sid') as string);
    expect((await h.request(thief, (s) => s.get('secret'))).value).toBeUndefined();
    expect(mismatches(h.events)).toHaveLength(1);
  });

  it('works with sealed cookies: a copied cookie opens only for the same client', async () => {
    const h = setup({ binding: { userAgent: true } }, true);
    const ada = browser('Ada');
    await h.request(ada, (s) => s.set('cart', 3));
    expect((await h.request(ada, (s) => s.get('cart'))).value).toBe(3);
    const thief = browser('Thief');
    thief.jar.cookies.set('sid', ada.jar.cookies.get('sid') as string);
    expect((await h.request(thief, (s) => s.get('cart'))).value).toBeUndefined();
    expect(mismatches(h.events)).toHaveLength(1);
    expect((await h.request(ada, (s) => s.get('cart'))).value).toBe(3);
  });
});
