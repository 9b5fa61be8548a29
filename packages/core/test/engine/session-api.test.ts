import { describe, expect, it } from 'vitest';
import { isSessionError } from '../../src/index.js';
import { createHarness } from '../support/harness.js';

describe('Session API', () => {
  it('get/set/has/remove/keys/getAll round-trip across requests', async () => {
    const h = createHarness();
    const when = new Date('2026-01-02T03:04:05.678Z');
    await h.request(async (s) => {
      await s.set('name', 'ada');
      await s.set('when', when);
      await s.set('prefs', { theme: 'dark', sizes: [1, 2] });
    });
    const { value } = await h.request(async (s) => ({
      name: await s.get('name'),
      when: await s.get('when'),
      has: [await s.has('name'), await s.has('missing')],
      keys: await s.keys(),
      all: await s.getAll(),
    }));
    expect(value.name).toBe('ada');
    expect(value.when).toBeInstanceOf(Date);
    expect((value.when as Date).getTime()).toBe(when.getTime());
    expect(value.has).toEqual([true, false]);
    expect(value.keys).toEqual(['name', 'when', 'prefs']);
    expect(value.all).toEqual({ name: 'ada', when, prefs: { theme: 'dark', sizes: [1, 2] } });
    await h.request((s) => s.remove('name'));
    expect((await h.request((s) => s.keys())).value).toEqual(['when', 'prefs']);
  });

  it('get returns a fresh copy: mutating it or the value passed to set changes nothing stored', async () => {
    const h = createHarness();
    const prefs = { theme: 'dark' };
    await h.request(async (s) => {
      await s.set('prefs', prefs);
      prefs.theme = 'light';
      const copy = (await s.get('prefs')) as { theme: string };
      copy.theme = 'blue';
      expect(await s.get('prefs')).toEqual({ theme: 'dark' });
    });
    expect((await h.request((s) => s.get('prefs'))).value).toEqual({ theme: 'dark' });
  });

  it('clear drops the data but keeps the ID', async () => {
    const h = createHarness();
    const first = await h.request(async (s) => {
      await s.set('a', 1);
      await s.set('b', 2);
      return s.id;
    });
    const second = await h.request(async (s) => {
      await s.clear();
      await s.set('c', 3);
      return s.id;
    });
    expect(second.value).toBe(first.value);
    expect(second.calls).toEqual(['load', 'patch']);
    expect((await h.request((s) => s.getAll())).value).toEqual({ c: 3 });
  });

  it('id, isNew and isModified describe the session', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.get('x');
      expect(s.id).toBeUndefined();
      expect(s.isNew).toBe(true);
      expect(s.isModified).toBe(false);
      await s.set('x', 1);
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(s.isModified).toBe(true);
    });
    await h.request(async (s) => {
      await s.get('x');
      expect(s.isNew).toBe(false);
      expect(s.isModified).toBe(false);
    });
  });

  it('rejects bad keys and values at set, with typed errors, before any store call', async () => {
    const h = createHarness();
    const { value: errors, calls } = await h.request(async (s) => {
      const attempts: [string, unknown][] = [
        ['', 1],
        ['a\u0000b', 1],
        ['\u0001flash:x', 1],
        ['x'.repeat(257), 1],
        ['big', 10n],
        ['fn', () => 1],
        ['nan', Number.NaN],
      ];
      const codes: string[] = [];
      for (const [key, value] of attempts) {
        try {
          await s.set(key, value as never);
          codes.push('accepted');
        } catch (error) {
          codes.push(isSessionError(error) ? error.code : 'untyped');
        }
      }
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await s.set('circular', circular as never).catch((error) => codes.push(error.code));
      return codes;
    });
    expect(errors).toEqual([
      'INVALID_KEY',
      'INVALID_KEY',
      'INVALID_KEY',
      'INVALID_KEY',
      'INVALID_VALUE',
      'INVALID_VALUE',
      'INVALID_VALUE',
      'INVALID_VALUE',
    ]);
    expect(calls).toEqual([]);
  });

  it('names the session key in value errors', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await expect(s.set('profile', { age: 1n } as never)).rejects.toThrow(
        /session key "profile": value at age is a BigInt/,
      );
    });
  });

  it('enforces size limits with PAYLOAD_TOO_LARGE before any store call', async () => {
    const h = createHarness({ limits: { maxBytes: 1000, maxKeys: 3 } });
    await h.request(async (s) => {
      await expect(s.set('huge', 'x'.repeat(2000))).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
      });
      await s.set('a', 'x'.repeat(400));
      await s.set('b', 'x'.repeat(400));
      await expect(s.set('c', 'x'.repeat(400))).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
      });
      await s.set('a', 'small');
      await s.set('c', 'x'.repeat(400));
      await expect(s.set('d', 1)).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: /maxKeys/,
      });
    });
    expect(h.store.calls).toEqual(['create']);
  });

  it('does not pollute prototypes with __proto__ or constructor keys', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('__proto__', { polluted: true });
      await s.set('constructor', { prototype: { polluted: true } });
      await s.set('data', JSON.parse('{"__proto__": {"polluted": true}}'));
    });
    const { value } = await h.request(async (s) => ({
      all: await s.getAll(),
      data: await s.get('data'),
      proto: await s.get('__proto__'),
    }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value.all)).toBe(Object.prototype);
    expect(Object.keys(value.all)).toEqual(['__proto__', 'constructor', 'data']);
    expect(value.proto).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(value.data)).toBe(Object.prototype);
    expect(Object.hasOwn(value.data as object, '__proto__')).toBe(true);
  });

  it('flash values are read once', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.flash('notice', 'Signed in as ada');
      await s.set('user', 'ada');
    });
    const read = await h.request(async (s) => ({
      flash: await s.getFlash('notice'),
      keys: await s.keys(),
    }));
    expect(read.value).toEqual({ flash: 'Signed in as ada', keys: ['user'] });
    expect(read.calls).toEqual(['load', 'patch']);
    expect((await h.request((s) => s.getFlash('notice'))).value).toBeUndefined();
  });

  it('per-key TTL: the key disappears after its TTL while the session lives on', async () => {
    const h = createHarness({ expiry: { idle: '1h' } });
    await h.request(async (s) => {
      await s.set('otp', '123456', { ttl: '5m' });
      await s.set('user', 'ada');
    });
    h.clock.advance(4 * 60_000);
    expect((await h.request((s) => s.get('otp'))).value).toBe('123456');
    h.clock.advance(2 * 60_000);
    const later = await h.request(async (s) => ({
      otp: await s.get('otp'),
      has: await s.has('otp'),
      all: await s.getAll(),
    }));
    expect(later.value).toEqual({ otp: undefined, has: false, all: { user: 'ada' } });
  });

  it('an expired per-key entry is removed from the store in the next write', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('otp', '1', { ttl: 60 });
      await s.set('user', 'ada');
    });
    h.clock.advance(61_000);
    const removed: string[][] = [];
    const inner = h.store.patch.bind(h.store);
    h.store.patch = (key, patch) => {
      removed.push([...patch.remove]);
      return inner(key, patch);
    };
    await h.request((s) => s.set('user', 'grace'));
    expect(removed).toEqual([['otp']]);
  });

  it('save() writes before the commit, and the commit writes only later changes', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    h.clock.advance(61_000); // past the touch interval: this request's writes move the expiry
    const { calls, result } = await h.request(async (s) => {
      await s.set('a', 2);
      expect(await s.save()).toBe('updated');
      expect(s.isModified).toBe(false);
      expect(await s.save()).toBe('unchanged');
      await s.set('b', 3);
    });
    expect(calls).toEqual(['load', 'patch', 'patch']);
    expect(result.outcome).toBe('updated');
    expect(result.headers.filter(([n]) => n === 'set-cookie')).toHaveLength(1);
  });

  it('a write moves the expiry, and re-issues the cookie, at most once per touch interval', async () => {
    const h = createHarness({ expiry: { idle: '30m', touchInterval: '1m' } });
    await h.request((s) => s.set('n', 1));
    const expiries: number[] = [];
    const inner = h.store.patch.bind(h.store);
    h.store.patch = (key, patch) => {
      expiries.push(patch.expiresAt);
      return inner(key, patch);
    };
    const created = h.clock.now();
    h.clock.advance(59_000);
    const within = await h.request((s) => s.set('n', 2));
    expect(within.result.outcome).toBe('updated');
    expect(within.result.headers).toEqual([]);
    expect(expiries).toEqual([created + 30 * 60_000]);
    h.clock.advance(2_000);
    const past = await h.request((s) => s.set('n', 3));
    expect(past.result.outcome).toBe('updated');
    const cookies = past.result.headers.filter(([n]) => n === 'set-cookie');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]?.[1]).toContain('Max-Age=1800');
    expect(expiries).toEqual([created + 30 * 60_000, h.clock.now() + 30 * 60_000]);
    expect(await h.request((s) => s.get('n'))).toMatchObject({ value: 3 });
  });

  it('a meta change on write (setExpiry) always moves the expiry', async () => {
    const h = createHarness({ expiry: { idle: '30m', touchInterval: '1m' } });
    await h.request((s) => s.set('n', 1));
    h.clock.advance(1_000);
    const { result } = await h.request((s) => s.setExpiry({ idle: '2h' }));
    expect(result.outcome).toBe('updated');
    const cookie = result.headers.find(([n]) => n === 'set-cookie')?.[1];
    expect(cookie).toContain('Max-Age=7200');
  });

  it('commit waits for operations the handler forgot to await', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      void s.set('a', 1);
      void s.set('b', 2);
    });
    expect((await h.request((s) => s.getAll())).value).toEqual({ a: 1, b: 2 });
  });

  it('commit twice, or writing after commit, is an INVALID_STATE error', async () => {
    const h = createHarness();
    const session = h.open();
    await session.set('a', 1);
    await session.commit();
    await expect(session.commit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(session.set('a', 2)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('a failed commit', () => {
  it('is not retried by a second commit() call', async () => {
    const { createMemoryStore, createSessionManager } = await import('../../src/index.js');
    let creates = 0;
    const inner = createMemoryStore();
    const store = {
      ...inner,
      create: () => {
        creates++;
        return Promise.reject(new Error('down'));
      },
    };
    const session = createSessionManager({ store, secrets: ['s'.repeat(32)] }).session(
      new Headers(),
    );
    await session.set('a', 1);
    await expect(session.commit()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(session.commit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(creates).toBe(1);
  });
});
