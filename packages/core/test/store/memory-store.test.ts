import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSessionError } from '../../src/errors/session-error.js';
import { createMemoryStore, type MemoryStore } from '../../src/store/memory-store.js';
import type {
  SessionMeta,
  SessionPatch,
  SessionRecord,
  StoredEntry,
} from '../../src/store/session-record.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A controllable clock for the store. */
function manualTime(start = 1_800_000_000_000) {
  let now = start;
  return {
    clock: () => now,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const HOUR = 3_600_000;

function record(
  expiresAt: number,
  entries: [string, string][] = [['a', '1']],
  meta: SessionMeta = { createdAt: 1 },
): SessionRecord {
  return { entries: new Map(entries.map(([k, v]) => [k, { value: v }])), meta, expiresAt };
}

function patch(expiresAt: number, set: [string, string][] = []): SessionPatch {
  return {
    set: new Map(set.map(([k, v]) => [k, { value: v }])),
    remove: [],
    clear: false,
    expiresAt,
  };
}

function expectSessionError(run: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isSessionError(thrown), `expected a SessionError, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code?: unknown }).code).toBe(code);
}

/** Which of `keys` the store holds. Loading marks records as used, so call it last. */
function heldKeys(store: MemoryStore, keys: readonly string[]): string[] {
  return keys.filter((key) => store.load(key) !== undefined);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createMemoryStore: basics', () => {
  it('declares its name and capabilities and returns results synchronously', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    expect(store.name).toBe('memory');
    expect(store.capabilities).toEqual({
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      binaryValues: true,
      count: 'exact',
    });
    const created = store.create('k', record(time.now() + HOUR));
    expect(created).toBe('created');
    expect(store.patch('k', patch(time.now() + HOUR))).toBe('ok');
    expect(store.touch('k', time.now() + HOUR)).toBe('ok');
    expect(store.rotate('k', 'k2', patch(time.now() + HOUR))).toBe('ok');
    expect(store.load('k2')?.entries.get('a')?.value).toBe('1');
    expect(store.destroy('k2')).toBeUndefined();
    expect(store.deleteExpired()).toBe(0);
  });

  it('rejects unsafe options with MISCONFIGURED', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectSessionError(() => createMemoryStore({ maxEntries }), 'MISCONFIGURED');
    }
    for (const sweepIntervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectSessionError(() => createMemoryStore({ sweepIntervalMs }), 'MISCONFIGURED');
    }
  });

  it('rejects a non-finite expiry with INVALID_VALUE and changes nothing', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('k', record(time.now() + HOUR));
    expectSessionError(() => store.create('n', record(Number.NaN)), 'INVALID_VALUE');
    expectSessionError(() => store.patch('k', patch(Number.NaN, [['b', '2']])), 'INVALID_VALUE');
    expectSessionError(() => store.touch('k', Number.POSITIVE_INFINITY), 'INVALID_VALUE');
    expectSessionError(() => store.rotate('k', 'k2', patch(Number.NaN)), 'INVALID_VALUE');
    expect(store.size).toBe(1);
    const loaded = store.load('k');
    expect(loaded?.expiresAt).toBe(time.now() + HOUR);
    expect([...(loaded?.entries.keys() ?? [])]).toEqual(['a']);
    expect(store.load('k2')).toBeUndefined();
  });

  it('treats a record as live 1 ms before expiresAt and absent from exactly expiresAt', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('k', record(time.now() + 1_000));
    time.advance(999);
    expect(store.load('k')).toBeDefined();
    time.advance(1);
    expect(store.load('k')).toBeUndefined();
  });

  it('removes an expired record lazily when it is accessed', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    for (const key of ['l', 'p', 't', 'r']) store.create(key, record(time.now() + 10));
    time.advance(11);
    expect(store.size).toBe(4);
    expect(store.load('l')).toBeUndefined();
    expect(store.size).toBe(3);
    // Each write below also sweeps a few records, so everything expired is gone afterwards.
    expect(store.patch('p', patch(time.now() + HOUR))).toBe('missing');
    expect(store.touch('t', time.now() + HOUR)).toBe('missing');
    expect(store.rotate('r', 'x', patch(time.now() + HOUR))).toBe('missing');
    expect(store.size).toBe(0);
  });

  it('rotating a key onto itself is a conflict and changes nothing', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('k', record(time.now() + HOUR));
    expect(store.rotate('k', 'k', { ...patch(time.now() + 2 * HOUR), clear: true })).toBe(
      'conflict',
    );
    expect(store.load('k')?.entries.get('a')?.value).toBe('1');
    expect(store.load('k')?.expiresAt).toBe(time.now() + HOUR);
  });
});

describe('createMemoryStore: LRU bound', () => {
  it('evicts the least recently used record first', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock, maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) store.create(key, record(time.now() + HOUR));
    expect(store.size).toBe(3);
    expect(heldKeys(store, ['a', 'b', 'c', 'd', 'e'])).toEqual(['c', 'd', 'e']);
  });

  const uses = {
    load: (store: MemoryStore, _now: number) => store.load('a'),
    patch: (store: MemoryStore, now: number) => store.patch('a', patch(now + HOUR)),
    touch: (store: MemoryStore, now: number) => store.touch('a', now + HOUR),
  };
  for (const [name, use] of Object.entries(uses)) {
    it(`a ${name} marks the record as recently used`, () => {
      const time = manualTime();
      const store = createMemoryStore({ clock: time.clock, maxEntries: 3 });
      for (const key of ['a', 'b', 'c']) store.create(key, record(time.now() + HOUR));
      use(store, time.now()); // order: b, c, a
      store.create('d', record(time.now() + HOUR)); // evicts b, not a
      expect(heldKeys(store, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
    });
  }

  it('a rotated record becomes the most recently used', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock, maxEntries: 2 });
    const later = time.now() + HOUR;
    store.create('a', record(later));
    store.create('b', record(later));
    expect(store.rotate('a', 'a2', patch(later))).toBe('ok'); // order: b, a2
    store.create('c', record(later)); // evicts b
    expect(heldKeys(store, ['a', 'a2', 'b', 'c'])).toEqual(['a2', 'c']);
  });

  it('prefers evicting an expired record over the least recently used live one', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock, maxEntries: 20 });
    // 'lru' is the least recently used; 'short' sits right behind it and expires first. The
    // write-amortised sweep is elsewhere in the map at this point, so only eviction finds it.
    store.create('lru', record(time.now() + HOUR));
    store.create('short', record(time.now() + 10));
    for (let i = 1; i <= 18; i++) store.create(`l${i}`, record(time.now() + HOUR));
    time.advance(11);
    store.create('new', record(time.now() + HOUR));
    expect(store.size).toBe(20);
    expect(heldKeys(store, ['lru', 'short', 'new'])).toEqual(['lru', 'new']);
  });

  it('evicts in exact LRU order under a long random mix of creates, uses and rotations', () => {
    // A reference model: an array in recency order. Seeded, so a failure replays.
    const time = manualTime();
    const maxEntries = 50;
    const store = createMemoryStore({ clock: time.clock, maxEntries });
    const model: string[] = [];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const use = (key: string) => {
      model.splice(model.indexOf(key), 1);
      model.push(key);
    };
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      const choice = random(10);
      const held = model[random(Math.max(model.length, 1))];
      if (choice < 4 || held === undefined) {
        const key = `k${next++}`;
        expect(store.create(key, record(time.now() + HOUR))).toBe('created');
        if (model.length >= maxEntries) model.shift();
        model.push(key);
      } else if (choice < 6) {
        expect(store.load(held)).toBeDefined();
        use(held);
      } else if (choice < 8) {
        expect(store.patch(held, patch(time.now() + HOUR))).toBe('ok');
        use(held);
      } else if (choice < 9) {
        expect(store.touch(held, time.now() + HOUR)).toBe('ok');
        use(held);
      } else {
        const moved = `k${next++}`;
        expect(store.rotate(held, moved, patch(time.now() + HOUR))).toBe('ok');
        model.splice(model.indexOf(held), 1);
        model.push(moved);
      }
    }
    expect(store.size).toBe(model.length);
    const all = Array.from({ length: next }, (_, i) => `k${i}`);
    expect(heldKeys(store, all).sort()).toEqual([...model].sort());
  });

  it('stays within maxEntries under a stream of 50,000 creates, keeping the newest', () => {
    const time = manualTime();
    const maxEntries = 1_000;
    const store = createMemoryStore({ clock: time.clock, maxEntries });
    const total = 50_000;
    let largest = 0;
    for (let i = 0; i < total; i++) {
      expect(store.create(`key-${i}`, record(time.now() + HOUR))).toBe('created');
      largest = Math.max(largest, store.size);
      // Keep one early record in use: it must survive the whole stream.
      if (i % 100 === 0) store.load('key-0');
    }
    expect(largest).toBe(maxEntries);
    expect(store.size).toBe(maxEntries);
    expect(store.load('key-0')).toBeDefined();
    expect(store.load(`key-${total - 1}`)).toBeDefined();
    expect(store.load(`key-${total - maxEntries + 1}`)).toBeDefined();
    expect(store.load(`key-${total - maxEntries - 1}`)).toBeUndefined();
    expect(store.load('key-1')).toBeUndefined();
  });
});

describe('createMemoryStore: sweeping', () => {
  it('removes expired records a few per write, with no explicit call', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    const expired = 200;
    for (let i = 0; i < expired; i++) store.create(`e${i}`, record(time.now() + 10));
    store.create('live', record(time.now() + HOUR));
    time.advance(11);
    expect(store.size).toBe(expired + 1);

    // One write examines a small fixed number of records: never an O(N) scan.
    store.patch('live', patch(time.now() + HOUR));
    expect(store.size).toBeLessThan(expired + 1);
    expect(store.size).toBeGreaterThanOrEqual(expired + 1 - 16);

    for (let i = 0; i < 40; i++) store.patch('live', patch(time.now() + HOUR, [[`k${i}`, 'v']]));
    expect(store.size).toBe(1);
    expect(store.load('live')?.entries.size).toBe(41);
  });

  it('keeps sweeping after the map has been fully walked once', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('live', record(time.now() + HOUR));
    for (let i = 0; i < 5; i++) store.patch('live', patch(time.now() + HOUR));
    for (let i = 0; i < 50; i++) store.create(`e${i}`, record(time.now() + 10));
    time.advance(11);
    for (let i = 0; i < 20; i++) store.touch('live', time.now() + HOUR);
    expect(store.size).toBe(1);
  });

  it('deleteExpired removes every expired record and returns the count', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    for (let i = 0; i < 30; i++) store.create(`e${i}`, record(time.now() + 10));
    for (let i = 0; i < 5; i++) store.create(`l${i}`, record(time.now() + HOUR));
    time.advance(11);
    expect(store.size).toBe(35);
    expect(store.deleteExpired()).toBe(30);
    expect(store.size).toBe(5);
    expect(store.deleteExpired()).toBe(0);
  });

  it('sweeps on an interval when sweepIntervalMs is set, and close() stops it', () => {
    vi.useFakeTimers();
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock, sweepIntervalMs: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 10; i++) store.create(`e${i}`, record(time.now() + 10));
    time.advance(11);
    expect(store.size).toBe(10);
    vi.advanceTimersByTime(1_000);
    expect(store.size).toBe(0);

    store.close();
    expect(vi.getTimerCount()).toBe(0);
    store.close(); // idempotent
    for (let i = 0; i < 10; i++) store.create(`f${i}`, record(time.now() + 10));
    time.advance(11);
    vi.advanceTimersByTime(10_000);
    expect(store.size).toBe(10);
    // The store keeps working after close().
    expect(store.create('after', record(time.now() + HOUR))).toBe('created');
  });

  it('Symbol.dispose stops the interval too', () => {
    vi.useFakeTimers();
    {
      using store = createMemoryStore({ sweepIntervalMs: 500 });
      expect(store.size).toBe(0);
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs the timer where the runtime supports it, and tolerates numeric handles', () => {
    const unref = vi.fn();
    const handle = { unref };
    const setSpy = vi
      .spyOn(globalThis, 'setInterval')
      .mockImplementation((() => handle) as unknown as typeof setInterval);
    const clearSpy = vi.spyOn(globalThis, 'clearInterval').mockImplementation(() => undefined);
    const store = createMemoryStore({ sweepIntervalMs: 60_000 });
    expect(setSpy).toHaveBeenCalledWith(expect.any(Function), 60_000);
    expect(unref).toHaveBeenCalledTimes(1);
    store.close();
    expect(clearSpy).toHaveBeenCalledWith(handle);

    setSpy.mockImplementation((() => 42) as unknown as typeof setInterval);
    const numeric = createMemoryStore({ sweepIntervalMs: 60_000 });
    numeric.close();
    expect(clearSpy).toHaveBeenLastCalledWith(42);
  });

  it('starts no timer without sweepIntervalMs', () => {
    vi.useFakeTimers();
    createMemoryStore();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createMemoryStore: isolation', () => {
  it('is not affected by later changes to the record passed to create', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    const entry: Mutable<StoredEntry> = { value: 'v', expiresAt: time.now() + 5 };
    const entries = new Map<string, StoredEntry>([['a', entry]]);
    const meta: Mutable<SessionMeta> = { createdAt: 7, persistent: false };
    store.create('k', { entries, meta, expiresAt: time.now() + HOUR });
    entry.value = 'changed';
    entry.expiresAt = 1;
    entries.set('b', { value: 'added' });
    meta.createdAt = 0;
    meta.persistent = true;
    const loaded = store.load('k');
    expect([...(loaded?.entries ?? [])]).toEqual([
      ['a', { value: 'v', expiresAt: time.now() + 5 }],
    ]);
    expect(loaded?.meta).toEqual({ createdAt: 7, persistent: false });
  });

  it('is not affected by later changes to a patch', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('k', record(time.now() + HOUR));
    const entry: Mutable<StoredEntry> = { value: 'v' };
    const set = new Map<string, StoredEntry>([['b', entry]]);
    const remove: string[] = [];
    const meta: Mutable<SessionMeta> = { createdAt: 9 };
    store.patch('k', { set, remove, clear: false, meta, expiresAt: time.now() + HOUR });
    entry.value = 'changed';
    set.set('c', { value: 'added' });
    remove.push('a');
    meta.createdAt = 0;
    const loaded = store.load('k');
    expect([...(loaded?.entries ?? [])]).toEqual([
      ['a', { value: '1' }],
      ['b', { value: 'v' }],
    ]);
    expect(loaded?.meta).toEqual({ createdAt: 9 });
  });

  it('returns a fresh copy from every load', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create('k', record(time.now() + HOUR, [['a', '1']], { createdAt: 3, idleTimeoutMs: 5 }));
    const first = store.load('k');
    if (first === undefined) throw new Error('expected a record');
    const entries = first.entries as Map<string, StoredEntry>;
    (entries.get('a') as Mutable<StoredEntry>).value = 'changed';
    entries.set('x', { value: 'y' });
    (first.meta as Mutable<SessionMeta>).createdAt = 0;
    (first as Mutable<SessionRecord>).expiresAt = 0;
    const second = store.load('k');
    expect(second).not.toBe(first);
    expect(second?.entries).not.toBe(first.entries);
    expect([...(second?.entries ?? [])]).toEqual([['a', { value: '1' }]]);
    expect(second?.meta).toEqual({ createdAt: 3, idleTimeoutMs: 5 });
    expect(second?.expiresAt).toBe(time.now() + HOUR);
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    store.create(
      '__proto__',
      record(time.now() + HOUR, [
        ['__proto__', 'p'],
        ['constructor', 'c'],
      ]),
    );
    expect(store.load('__proto__')?.entries.get('__proto__')).toEqual({ value: 'p' });
    expect(store.load('constructor')).toBeUndefined();
    expect(({} as Record<string, unknown>).value).toBeUndefined();
  });
});

describe('createMemoryStore: size', () => {
  it('counts held records, including expired ones not yet swept', () => {
    const time = manualTime();
    const store = createMemoryStore({ clock: time.clock });
    expect(store.size).toBe(0);
    store.create('a', record(time.now() + 10));
    store.create('b', record(time.now() + HOUR));
    expect(store.size).toBe(2);
    expect(store.create('b', record(time.now() + HOUR))).toBe('conflict');
    expect(store.size).toBe(2);
    store.rotate('b', 'c', patch(time.now() + HOUR));
    expect(store.size).toBe(2);
    time.advance(11);
    expect(store.size).toBe(2);
    store.destroy('c');
    expect(store.size).toBe(0); // the destroy's sweep step removed the expired 'a' too
  });
});
