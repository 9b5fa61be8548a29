import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createSessionManager,
  type SessionEvent,
  type SessionStore,
} from '../../src/index.js';
import { createHarness, NEW_SECRET, SECRET } from '../support/harness.js';

const cookieOf = (result: { headers: readonly (readonly [string, string])[] }) =>
  result.headers.find(([name]) => name === 'set-cookie')?.[1];

describe('cookies', () => {
  it('issues a signed cookie with safe defaults and a Max-Age from the stored expiry', async () => {
    const h = createHarness({ expiry: { idle: '2h', absolute: '1d' } });
    const { result } = await h.request((s) => s.set('a', 1));
    const cookie = cookieOf(result) ?? '';
    expect(cookie).toMatch(
      /^sid=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=7200; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it('browser-session cookies carry no Max-Age', async () => {
    const h = createHarness({ expiry: { cookie: 'browser-session' } });
    const { result } = await h.request((s) => s.set('a', 1));
    expect(cookieOf(result)).not.toMatch(/Max-Age|Expires/);
  });

  it('a tampered, truncated or foreign cookie is no session, and never reaches the store', async () => {
    const h = createHarness();
    await h.request((s) => s.set('user', 'ada'));
    const good = h.jar.cookies.get('sid') ?? '';
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const variants = [
      flip(good, 0),
      flip(good, 50),
      flip(good, 86),
      good.slice(0, 86),
      `${good}x`,
      `${good}.x`,
      '',
      'garbage',
      good.replace('.', '..'),
    ];
    for (const value of variants) {
      h.store.reset();
      const session = h.manager.session(new Headers({ cookie: `sid=${value}` }));
      expect(await session.get('user')).toBeUndefined();
      expect(session.isNew).toBe(true);
      expect(h.store.calls).toEqual([]);
    }
  });

  it('a correctly signed ID the store does not know is a new session; writing mints a new ID', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const old = h.jar.cookies.get('sid');
    await h.request((s) => s.destroy());
    h.jar.cookies.set('sid', old ?? '');
    const { value, result } = await h.request(async (s) => {
      const before = await s.get('a');
      await s.set('b', 1);
      return { before, id: s.id };
    });
    expect(value.before).toBeUndefined();
    expect(value.id).not.toBe(old?.slice(0, 43));
    expect(cookieOf(result)).not.toContain(old);
  });

  it('two different valid session cookies in one request fail closed with AMBIGUOUS_SESSION', async () => {
    const events: SessionEvent[] = [];
    const h = createHarness({ onEvent: (e) => events.push(e) });
    await h.request((s) => s.set('who', 'first'));
    const first = h.jar.cookies.get('sid');
    h.jar.cookies.clear();
    await h.request((s) => s.set('who', 'second'));
    const second = h.jar.cookies.get('sid');
    for (const header of [`sid=${first}; sid=${second}`, `sid=${second}, sid=${first}`]) {
      const session = h.manager.session(new Headers({ cookie: header }));
      await expect(session.get('who')).rejects.toMatchObject({
        code: 'AMBIGUOUS_SESSION',
        status: 400,
      });
      expect((await session.commit()).headers).toEqual([]);
    }
    expect(events.some((e) => e.type === 'session-ambiguous')).toBe(true);
  });

  it('the same cookie twice, or a valid one next to an invalid one, is accepted', async () => {
    const h = createHarness();
    await h.request((s) => s.set('who', 'ada'));
    const good = h.jar.cookies.get('sid');
    for (const header of [
      `sid=${good}; sid=${good}`,
      `sid=bogus; sid=${good}`,
      `sid=${good}, sid="x.y"`,
    ]) {
      expect(await h.manager.session(new Headers({ cookie: header })).get('who')).toBe('ada');
    }
  });

  it('rotating secrets: old-key cookies still verify and are re-issued under the newest key', async () => {
    const store = createMemoryStore();
    const before = createSessionManager({ store, secrets: [SECRET] });
    const first = before.session(new Headers());
    await first.set('user', 'ada');
    const issued = cookieOf(await first.commit())?.split(';')[0] ?? '';
    const events: SessionEvent[] = [];
    const after = createSessionManager({
      store,
      secrets: [NEW_SECRET, SECRET],
      onEvent: (e) => events.push(e),
    });
    const second = after.session(new Headers({ cookie: issued }));
    expect(await second.get('user')).toBe('ada');
    const reissued = cookieOf(await second.commit())?.split(';')[0] ?? '';
    expect(reissued).not.toBe(issued);
    expect(reissued.slice(0, 47)).toBe(issued.slice(0, 47));
    expect(events).toContainEqual({
      type: 'token-reissued',
      session: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
    });
    // Removing the old key invalidates its cookies.
    const onlyNew = createSessionManager({ store, secrets: [NEW_SECRET] });
    expect(await onlyNew.session(new Headers({ cookie: issued })).get('user')).toBeUndefined();
    expect(await onlyNew.session(new Headers({ cookie: reissued })).get('user')).toBe('ada');
  });

  it('reports a Secure cookie issued over plain HTTP to a non-loopback host, once', async () => {
    const events: SessionEvent[] = [];
    const manager = createSessionManager({
      store: createMemoryStore(),
      secrets: [SECRET],
      onEvent: (e) => events.push(e),
    });
    for (const url of [
      'http://localhost:3000/',
      'http://example.test/',
      'http://example.test/again',
      'https://example.test/',
    ]) {
      const session = manager.session(new Request(url));
      await session.set('a', 1);
      await session.commit();
    }
    expect(events.filter((e) => e.type === 'insecure-request')).toEqual([
      { type: 'insecure-request', host: 'example.test' },
    ]);
  });
});

describe('regenerate', () => {
  it('moves the session to a new ID, carries data, and kills the old ID', async () => {
    const h = createHarness();
    await h.request((s) => s.set('cart', ['book']));
    const oldCookie = h.jar.cookies.get('sid') ?? '';
    const { result } = await h.request(async (s) => {
      await s.regenerate();
      await s.set('user', 'ada');
    });
    expect(result.outcome).toBe('rotated');
    const newCookie = h.jar.cookies.get('sid') ?? '';
    expect(newCookie.slice(0, 43)).not.toBe(oldCookie.slice(0, 43));
    expect((await h.request((s) => s.getAll())).value).toEqual({ cart: ['book'], user: 'ada' });
    expect(
      await h.manager.session(new Headers({ cookie: `sid=${oldCookie}` })).get('cart'),
    ).toBeUndefined();
  });

  it('keep: [] starts empty (a planted pre-login session carries nothing)', async () => {
    const h = createHarness();
    await h.request((s) => s.set('planted', 'attacker data'));
    await h.request(async (s) => {
      await s.regenerate({ keep: [] });
      await s.set('user', 'ada');
    });
    expect((await h.request((s) => s.getAll())).value).toEqual({ user: 'ada' });
  });

  it('keep lists the keys that carry over', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('cart', [1]);
      await s.set('csrf', 'x');
    });
    await h.request((s) => s.regenerate({ keep: ['cart'] }));
    expect((await h.request((s) => s.getAll())).value).toEqual({ cart: [1] });
  });

  it('does not extend the absolute deadline', async () => {
    const h = createHarness({ expiry: { idle: '1h', absolute: '2h' } });
    await h.request((s) => s.set('a', 1));
    for (let i = 0; i < 3; i++) {
      h.clock.advance(50 * 60_000);
      await h.request((s) => s.regenerate());
    }
    expect((await h.request((s) => s.get('a'))).value).toBeUndefined();
  });

  it('a regenerate racing a logout does not resurrect the session', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const racing = h.open();
    await racing.get('a');
    await h.request((s) => s.destroy());
    await racing.regenerate();
    const result = await racing.commit();
    expect(result.outcome).toBe('vanished');
    expect(result.headers).toEqual([]);
    expect(h.memory.size).toBe(0);
  });
});

describe('destroy', () => {
  it('deletes the record and sends a deletion cookie with the same attributes', async () => {
    const h = createHarness({ cookie: { name: '__Host-sid', sameSite: 'strict' } });
    await h.request((s) => s.set('a', 1));
    const { result } = await h.request((s) => s.destroy());
    expect(result.outcome).toBe('destroyed');
    expect(cookieOf(result)).toBe(
      '__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
    );
    expect(h.memory.size).toBe(0);
  });

  it('a logout replayed with the old cookie finds nothing', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const old = h.jar.cookies.get('sid') ?? '';
    await h.request((s) => s.destroy());
    expect(await h.manager.session(new Headers({ cookie: `sid=${old}` })).get('a')).toBeUndefined();
  });

  it('writing after destroy starts a new session with a new ID', async () => {
    const h = createHarness();
    await h.request((s) => s.set('user', 'ada'));
    const old = h.jar.cookies.get('sid') ?? '';
    const { result } = await h.request(async (s) => {
      await s.destroy();
      await s.flash('notice', 'Signed out');
    });
    expect(result.outcome).toBe('created');
    expect(h.jar.cookies.get('sid')?.slice(0, 43)).not.toBe(old.slice(0, 43));
    expect((await h.request((s) => s.getFlash('notice'))).value).toBe('Signed out');
    expect(h.memory.size).toBe(1);
  });

  it('an in-flight write after a logout does not resurrect the session', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const inFlight = h.open();
    await inFlight.get('a');
    await h.request((s) => s.destroy());
    await inFlight.set('b', 2);
    const result = await inFlight.commit();
    expect(result.outcome).toBe('vanished');
    expect(result.headers).toEqual([]);
    expect(h.memory.size).toBe(0);
  });
});

describe('expiry', () => {
  it('idle timeout: a session unused for longer than idle is gone', async () => {
    const h = createHarness({ expiry: { idle: '30m' } });
    await h.request((s) => s.set('a', 1));
    h.clock.advance(30 * 60_000 - 1);
    expect((await h.request((s) => s.get('a'))).value).toBe(1);
    h.clock.advance(30 * 60_000);
    expect((await h.request((s) => s.get('a'))).value).toBeUndefined();
  });

  it('activity slides the idle deadline (via throttled touches)', async () => {
    const h = createHarness({ expiry: { idle: '30m', absolute: 'none' } });
    await h.request((s) => s.set('a', 1));
    for (let i = 0; i < 10; i++) {
      h.clock.advance(20 * 60_000);
      expect((await h.request((s) => s.get('a'))).value).toBe(1);
    }
  });

  it('absolute timeout ends the session even with constant activity', async () => {
    const h = createHarness({ expiry: { idle: '30m', absolute: '2h' } });
    await h.request((s) => s.set('a', 1));
    const seen: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      h.clock.advance(20 * 60_000);
      seen.push(
        (
          await h.request(async (s) => {
            const a = await s.get('a');
            if (a !== undefined) await s.set('n', i);
            return a;
          })
        ).value,
      );
    }
    expect(seen).toEqual([1, 1, 1, 1, 1, undefined, undefined, undefined]);
  });

  it('an expired record still present in the store is treated as absent', async () => {
    const records = new Map<string, import('../../src/index.js').SessionRecord>();
    // A deliberately careless store that never hides expired records.
    const careless: SessionStore = {
      name: 'careless',
      capabilities: { atomicRotate: true, deleteExpired: false },
      load: (key) => records.get(key),
      create: (key, record) => {
        records.set(key, record);
        return 'created';
      },
      patch: () => 'ok',
      touch: () => 'ok',
      rotate: () => 'ok',
      destroy: (key) => void records.delete(key),
    };
    const h = createHarness({ store: careless, expiry: { idle: '10m' } });
    await h.request((s) => s.set('a', 1));
    h.clock.advance(11 * 60_000);
    expect((await h.request((s) => s.get('a'))).value).toBeUndefined();
  });

  it('remember me: setExpiry overrides idle and cookie lifetime for this session only', async () => {
    const h = createHarness({
      expiry: { idle: '30m', absolute: '30d', cookie: 'browser-session' },
    });
    const { result } = await h.request(async (s) => {
      await s.set('user', 'ada');
      await s.setExpiry({ idle: '14d', cookie: 'persistent' });
    });
    expect(cookieOf(result)).toMatch(/Max-Age=1209600;/);
    h.clock.advance(2 * 24 * 3_600_000);
    expect((await h.request((s) => s.get('user'))).value).toBe('ada');
    const other = createHarness({
      expiry: { idle: '30m', absolute: '30d', cookie: 'browser-session' },
    });
    await other.request((s) => s.set('user', 'bob'));
    other.clock.advance(2 * 24 * 3_600_000);
    expect((await other.request((s) => s.get('user'))).value).toBeUndefined();
  });
});

describe('consent', () => {
  it('stores nothing and sets no cookie until storage is allowed', async () => {
    const h = createHarness({ requireConsent: true });
    const denied = await h.request(async (s) => {
      await s.set('a', 1);
      return s.storable;
    });
    expect(denied.value).toBe(false);
    expect(denied.result.outcome).toBe('not-storable');
    expect(denied.result.headers).toEqual([]);
    expect(denied.calls).toEqual([]);
    const allowed = await h.request(async (s) => {
      s.allowStorage();
      await s.set('a', 1);
    });
    expect(allowed.result.outcome).toBe('created');
    const later = await h.request(async (s) => ({ a: await s.get('a'), storable: s.storable }));
    expect(later.value).toEqual({ a: 1, storable: true });
  });
});

describe('header transport', () => {
  it('reads Authorization: Bearer and returns new tokens in x-session-token', async () => {
    const manager = createSessionManager({
      store: createMemoryStore(),
      secrets: [SECRET],
      transport: { type: 'header' },
    });
    const first = manager.session(new Headers());
    await first.set('user', 'ada');
    const { headers } = await first.commit();
    expect(headers).toHaveLength(1);
    const [name, token] = headers[0] ?? ['', ''];
    expect(name).toBe('x-session-token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    const second = manager.session(new Headers({ authorization: `Bearer ${token}` }));
    expect(await second.get('user')).toBe('ada');
    expect((await second.commit()).headers).toEqual([]);
    const third = manager.session(new Headers({ authorization: `bearer ${token}` }));
    await third.destroy();
    expect((await third.commit()).headers).toEqual([['x-session-token', '']]);
  });

  it('a named request header carries the bare token; cookies are ignored', async () => {
    const manager = createSessionManager({
      store: createMemoryStore(),
      secrets: [SECRET],
      transport: { type: 'header', requestHeader: 'X-Session', responseHeader: 'X-Session' },
    });
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const [[, token] = ['', '']] = (await first.commit()).headers;
    expect(await manager.session(new Headers({ 'x-session': token })).get('n')).toBe(1);
    expect(await manager.session(new Headers({ cookie: `sid=${token}` })).get('n')).toBeUndefined();
  });
});

describe('store failures', () => {
  const failing = (operation: keyof SessionStore): SessionStore => {
    const inner = createMemoryStore();
    return new Proxy(inner, {
      get(target, property, receiver) {
        if (property === operation) return () => Promise.reject(new Error('connection refused'));
        return Reflect.get(target, property, receiver);
      },
    });
  };

  it('a failing load is STORE_UNAVAILABLE (503), never a fresh session', async () => {
    const store = failing('load');
    const manager = createSessionManager({ store, secrets: [SECRET] });
    const seed = createSessionManager({ store, secrets: [SECRET] }).session(new Headers());
    await seed.set('a', 1);
    const cookie = cookieOf(await seed.commit())?.split(';')[0] ?? '';
    const session = manager.session(new Headers({ cookie }));
    const error = await session.get('a').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await session.set('a', 2).catch((e: { code: string }) => e.code)).toBe(
      'STORE_UNAVAILABLE',
    );
    const result = await session.commit();
    expect(result.headers).toEqual([]);
  });

  it('a failing write is STORE_UNAVAILABLE from commit', async () => {
    const manager = createSessionManager({ store: failing('create'), secrets: [SECRET] });
    const session = manager.session(new Headers());
    await session.set('a', 1);
    await expect(session.commit()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('misconfiguration is rejected at construction', () => {
  const base = { store: createMemoryStore(), secrets: [SECRET] };
  const cases: [string, Parameters<typeof createSessionManager>[0]][] = [
    ['no secrets', { ...base, secrets: [] }],
    ['short secret', { ...base, secrets: ['too-short'] }],
    ['short old secret', { ...base, secrets: [SECRET, 'short'] }],
    ['__Host- with domain', { ...base, cookie: { name: '__Host-sid', domain: 'example.com' } }],
    ['SameSite=None without Secure', { ...base, cookie: { sameSite: 'none', secure: false } }],
    ['cookie over 400 days', { ...base, expiry: { idle: '401d', absolute: 'none' } }],
    ['bad duration', { ...base, expiry: { idle: 'forever' as never } }],
    ['touch interval not below idle', { ...base, expiry: { idle: '1m', touchInterval: '1m' } }],
    ['attribute injection in path', { ...base, cookie: { path: '/; Domain=evil.test' } }],
    ['not a store', { ...base, store: {} as SessionStore }],
    ['bad limit', { ...base, limits: { maxBytes: -1 } }],
    ['bad header name', { ...base, transport: { type: 'header', requestHeader: 'bad header' } }],
  ];
  for (const [name, options] of cases) {
    it(name, () => {
      expect(() => createSessionManager(options)).toThrowError(
        expect.objectContaining({ code: 'MISCONFIGURED' }),
      );
    });
  }
});

describe('per-request stores', () => {
  it('a manager without a store serves requests that bring their own, and rejects others', async () => {
    const store = createMemoryStore();
    const manager = createSessionManager({ secrets: [SECRET] });
    const session = manager.session(new Headers(), { store });
    await session.set('a', 1);
    await session.commit();
    expect(store.size).toBe(1);
    expect(() => manager.session(new Headers())).toThrowError(
      expect.objectContaining({ code: 'MISCONFIGURED' }),
    );
    expect(() => manager.session(new Headers(), { store: {} as SessionStore })).toThrowError(
      expect.objectContaining({ code: 'MISCONFIGURED' }),
    );
  });
});

describe('audit events', () => {
  it('report the lifecycle with a short tag of the store key, never the ID', async () => {
    const events: SessionEvent[] = [];
    const h = createHarness({ onEvent: (e) => events.push(e) });
    await h.request((s) => s.set('user', 'ada'));
    const id = h.jar.cookies.get('sid')?.slice(0, 43) ?? '';
    await h.request((s) => s.regenerate());
    const newId = h.jar.cookies.get('sid')?.slice(0, 43) ?? '';
    await h.request((s) => s.destroy());
    h.jar.cookies.set('sid', `${newId}.${'A'.repeat(43)}`);
    await h.request((s) => s.get('user'));
    const [created, regenerated, destroyed, rejected] = events;
    expect(created).toMatchObject({ type: 'session-created' });
    expect(regenerated).toMatchObject({ type: 'session-regenerated' });
    expect(destroyed).toMatchObject({ type: 'session-destroyed' });
    expect(rejected).toEqual({ type: 'token-rejected', reason: 'bad-signature' });
    if (created?.type !== 'session-created' || regenerated?.type !== 'session-regenerated')
      throw new Error('order');
    expect(regenerated.previous).toBe(created.session);
    expect(destroyed).toEqual({ type: 'session-destroyed', session: regenerated.session });
    const text = JSON.stringify(events);
    expect(text).not.toContain(id);
    expect(text).not.toContain(newId);
    expect(created.session).toHaveLength(12);
  });

  it('report unknown sessions, vanished writes and store errors', async () => {
    const events: SessionEvent[] = [];
    const h = createHarness({ onEvent: (e) => events.push(e) });
    await h.request((s) => s.set('a', 1));
    const cookie = h.jar.header();
    const inFlight = h.open();
    await inFlight.get('a');
    await h.request((s) => s.destroy());
    await inFlight.set('b', 2);
    await inFlight.commit();
    await h.request((s) => s.get('a'), { cookie });
    expect(events.map((e) => e.type)).toEqual([
      'session-created',
      'session-destroyed',
      'session-vanished',
      'session-unknown',
    ]);
    const failing = createHarness({ onEvent: (e) => events.push(e) });
    failing.store.create = () => Promise.reject(new Error('down'));
    const session = failing.open();
    await session.set('a', 1);
    await expect(session.commit()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(events.at(-1)).toEqual({ type: 'store-error', operation: 'create the session' });
  });
});
