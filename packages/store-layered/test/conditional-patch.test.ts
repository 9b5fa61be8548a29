import {
  createMemoryStore,
  isSessionError,
  type MemoryStore,
  type SessionStore,
} from '@sessions/core';
import { ManualClock } from '@sessions/testing';
import { describe, expect, it } from 'vitest';
import { readHotRecord } from '../src/hot-copy.js';
import { createLayeredStore, type LayeredStore } from '../src/index.js';
import { cookieFrom, managerFor, readValue, rejectionOf, storeKeyOf } from './support/engine.js';
import { logged, memoryLayers } from './support/layers.js';
import { newKey, patchOf, recordOf, valuesOf } from './support/records.js';

/** What hot holds for `key`, as a reader would see it. */
function hotView(store: MemoryStore, key: string) {
  return readHotRecord(store.load(key));
}

async function patchIf(
  store: LayeredStore,
  key: string,
  expected: string | undefined,
  set: Record<string, string>,
  now: number,
) {
  expect(typeof store.patchIf).toBe('function');
  return store.patchIf?.(key, { key: 'n', value: expected }, patchOf(now, set));
}

describe('patchIf', () => {
  it('cold decides; the hot copy is removed after ok, conflict and missing alike', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { n: '1' }));
    const cases: [string | undefined, 'ok' | 'conflict'][] = [
      ['0', 'conflict'],
      [undefined, 'conflict'],
      ['1', 'ok'],
    ];
    for (const [expected, outcome] of cases) {
      await l.store.load(key); // a hit, or a refill: hot holds a copy either way
      expect(hotView(l.hotMemory, key).kind).toBe('copy');
      l.hotLog.take();
      l.coldLog.take();
      expect(await patchIf(l.store, key, expected, { n: '2' }, now), String(expected)).toBe(
        outcome,
      );
      expect(l.coldLog.take()).toEqual(['patchIf']);
      expect(l.hotLog.take()).toEqual(['destroy']);
      expect(l.hotMemory.load(key), 'copy removed').toBeUndefined();
    }
    expect(valuesOf(await l.store.load(key))).toEqual({ n: '2' });

    await l.store.destroy(key);
    l.hotLog.take();
    l.coldLog.take();
    expect(await patchIf(l.store, key, '2', { n: '3' }, now)).toBe('missing');
    expect(l.coldLog.take()).toEqual(['patchIf']);
    expect(l.hotLog.take()).toEqual(['destroy']);
    expect(await l.store.load(key), 'nothing resurrected').toBeUndefined();
  });

  it('the condition is checked against cold, never against a hot copy', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { n: '1' }));
    // Changed behind the copy's back (another instance with its own cache, or SQL on cold).
    l.coldMemory.patch(key, patchOf(now, { n: '2' }));
    expect(valuesOf(await l.store.load(key)), 'the stale copy').toEqual({ n: '1' });
    expect(await patchIf(l.store, key, '1', { n: 'lost' }, now)).toBe('conflict');
    expect(valuesOf(await l.store.load(key)), 'reload after the conflict').toEqual({ n: '2' });
    expect(await patchIf(l.store, key, '2', { n: '3' }, now)).toBe('ok');
    expect(valuesOf(await l.store.load(key))).toEqual({ n: '3' });
  });

  it('the patch and condition are snapshotted when called', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { n: '1' }));
    // Cold reads its arguments only once released: after the caller has changed its own objects.
    l.cold.hang('patchIf');
    const condition = { key: 'n', value: '1' as string | undefined };
    const patch = patchOf(now, { n: '2' });
    const writing = l.store.patchIf?.(key, condition, patch);
    condition.value = 'changed';
    (patch.set as Map<string, { value: string }>).set('n', { value: 'mutated' });
    l.cold.heal();
    expect(await writing).toBe('ok');
    expect(valuesOf(await l.store.load(key))).toEqual({ n: '2' });
  });

  it('a cold failure (maybe applied) removes the copy; the next read shows what cold holds', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { n: '1' }));
    l.cold.failAfter('patchIf');
    const error = await rejectionOf(
      l.store.patchIf?.(key, { key: 'n', value: '1' }, patchOf(now, { n: '2' })) ??
        Promise.resolve(),
    );
    expect(String(error)).toMatch(/patchIf failed after it was applied/);
    expect(l.hotMemory.load(key)).toBeUndefined();
    expect(valuesOf(await l.store.load(key))).toEqual({ n: '2' });
    expect(l.events).toContainEqual(
      expect.objectContaining({ type: 'cold-failed', operation: 'patchIf' }),
    );
  });

  it('a copy hot cannot remove taints the key: this process reads cold for it', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { n: '1' }));
    l.hot.fail('destroy');
    expect(await patchIf(l.store, key, '1', { n: '2' }, now)).toBe('ok');
    expect(l.events).toContainEqual({ type: 'hot-invalidation-failed', key });
    expect(hotView(l.hotMemory, key).kind, 'the stale copy is still in hot').toBe('copy');
    l.coldLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ n: '2' });
    expect(l.coldLog.take()).toEqual(['load']);
  });
});

describe('capability', () => {
  /** A cold store with only the required methods, declaring `conditionalPatch: declared`. */
  function plain(inner: SessionStore, declared: boolean | undefined): SessionStore {
    return {
      name: 'plain',
      capabilities: { atomicRotate: true, deleteExpired: false, conditionalPatch: declared },
      load: (key) => inner.load(key),
      create: (key, record) => inner.create(key, record),
      patch: (key, patch) => inner.patch(key, patch),
      touch: (key, expiresAt) => inner.touch(key, expiresAt),
      rotate: (from, to, patch) => inner.rotate(from, to, patch),
      destroy: (key) => inner.destroy(key),
    };
  }

  it('is cold’s: false (and no patchIf) unless cold declares it and has the method', async () => {
    const cold = createMemoryStore();
    for (const declared of [undefined, false, true]) {
      // `true` without the method is a broken cold store: still no patchIf.
      const store = createLayeredStore({ hot: createMemoryStore(), cold: plain(cold, declared) });
      expect(store.capabilities.conditionalPatch).toBe(false);
      expect(store.patchIf).toBeUndefined();
      const manager = managerFor(store);
      const first = manager.session(new Headers());
      await first.set('count', 0);
      const cookie = cookieFrom(await first.commit());
      const session = manager.session(new Headers({ cookie }));
      await session.get('count');
      const error = await rejectionOf(session.update('count', (n) => Number(n) + 1));
      expect(isSessionError(error) && error.code).toBe('MISCONFIGURED');
    }
    const declaredFalse = createLayeredStore({
      hot: createMemoryStore(),
      cold: { ...plain(cold, false), patchIf: (key, c, p) => cold.patchIf(key, c, p) },
    });
    expect(declaredFalse.capabilities.conditionalPatch).toBe(false);
    expect(declaredFalse.patchIf).toBeUndefined();
  });

  it('is true over a cold store with patchIf, whatever hot is', () => {
    const store = createLayeredStore({
      hot: plain(createMemoryStore(), undefined),
      cold: createMemoryStore(),
    });
    expect(store.capabilities.conditionalPatch).toBe(true);
    expect(typeof store.patchIf).toBe('function');
  });
});

describe('update() through the engine', () => {
  it('with a hot copy present, an update() is never followed by a stale read', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const other = managerFor(l.another()); // another process sharing the hot store
    const first = manager.session(new Headers());
    await first.set('count', 0);
    const cookie = cookieFrom(await first.commit());
    const key = await storeKeyOf(cookie);
    for (let round = 1; round <= 3; round++) {
      // Both processes read it: hot holds a valid copy of the current value.
      expect(await readValue(manager, cookie, 'count')).toBe(round - 1);
      expect(await readValue(other, cookie, 'count')).toBe(round - 1);
      expect(hotView(l.hotMemory, key).kind).toBe('copy');
      const session = manager.session(new Headers({ cookie }));
      expect(await session.update('count', (n) => Number(n) + 1)).toBe(round);
      await session.commit();
      expect(await readValue(manager, cookie, 'count'), `round ${round}, same process`).toBe(round);
      expect(await readValue(other, cookie, 'count'), `round ${round}, other process`).toBe(round);
    }
  });

  /**
   * Two processes, each with its own memory cache, over one cold store: a copy can go stale behind
   * a process's back. `update()` starting from it must conflict once, reload from cold (not from
   * the same copy) and land, with a single retry.
   */
  function twoProcesses() {
    const clock = new ManualClock();
    const coldMemory = createMemoryStore({ clock: clock.clock });
    const cold = logged(coldMemory);
    const instance = () =>
      createLayeredStore({
        hot: createMemoryStore({ clock: clock.clock }),
        cold: cold.store,
        clock: clock.clock,
      });
    return { a: instance(), b: instance(), coldLog: cold.log };
  }

  it('a copy made stale by another process: one conflict, a reload from cold, then it lands', async () => {
    const { a, b, coldLog } = twoProcesses();
    const managerA = managerFor(a);
    const managerB = managerFor(b);
    const first = managerA.session(new Headers());
    await first.set('count', 0);
    const cookie = cookieFrom(await first.commit());

    expect(await readValue(managerA, cookie, 'count')).toBe(0); // A's copy: 0
    const atB = managerB.session(new Headers({ cookie }));
    expect(await atB.update('count', (n) => Number(n) + 1)).toBe(1);
    await atB.commit();
    expect(await readValue(managerA, cookie, 'count'), 'A still serves its copy (its TTL)').toBe(0);

    coldLog.take();
    const atA = managerA.session(new Headers({ cookie }));
    expect(await atA.update('count', (n) => Number(n) + 1, { retries: 1 })).toBe(2);
    await atA.commit();
    expect(coldLog.take(), 'conflict, reload from cold, applied').toEqual([
      'patchIf',
      'load',
      'patchIf',
    ]);
    expect(await readValue(managerA, cookie, 'count')).toBe(2);
    expect(await readValue(managerB, cookie, 'count')).toBe(2);
  });

  it('100 parallel update() calls split over two processes with their own caches end at 100', async () => {
    const { a, b } = twoProcesses();
    const managers = [managerFor(a), managerFor(b)];
    const first = managers[0]?.session(new Headers());
    await first?.set('count', 0);
    const cookie = cookieFrom(await (first as NonNullable<typeof first>).commit());
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const manager = managers[i % 2] as (typeof managers)[number];
        // Reading first puts (possibly soon stale) copies in each process's cache.
        const session = manager.session(new Headers({ cookie }));
        await session.get('count');
        await session.update('count', (n) => Number(n) + 1, { retries: 100 });
        await session.commit();
      }),
    );
    for (const manager of managers) expect(await readValue(manager, cookie, 'count')).toBe(100);
  });
});
