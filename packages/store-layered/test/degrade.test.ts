import { isSessionError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { FILL_LEASE_MS } from '../src/hot-copy.js';
import { managerFor, readValue, rejectionOf, signIn, storeKeyOf } from './support/engine.js';
import { memoryLayers } from './support/layers.js';
import { newKey, patchOf, recordOf, valuesOf } from './support/records.js';

// Failure behaviour, with faults injected into two memory stores (a manual clock drives backoff
// and taint windows; hot deadlines use real timers). The same behaviour against a real
// redis-server and Postgres is in hot-outage.test.ts and cold-outage.test.ts.

describe('hot fails', () => {
  it('errors: reads and writes succeed from cold, and every failure is reported', async () => {
    const l = memoryLayers({ hotFailureThreshold: 100 });
    const manager = managerFor(l.store);
    const cookie = await signIn(manager, { user: 'ada' });
    for (const operation of ['load', 'create', 'patch', 'destroy'] as const) l.hot.fail(operation);

    expect(await readValue(manager, cookie, 'user')).toBe('ada');
    const session = manager.session(new Headers({ cookie }));
    await session.set('cart', 3);
    expect((await session.commit()).outcome).toBe('updated');
    const other = await signIn(manager, { user: 'bob' });
    expect(await readValue(manager, other, 'user')).toBe('bob');
    expect(await readValue(manager, cookie, 'cart')).toBe(3);

    const failed = l.events.filter((event) => event.type === 'hot-failed');
    expect(failed.length).toBeGreaterThan(3);
    expect(failed.every((event) => event.type === 'hot-failed' && event.reason === 'error')).toBe(
      true,
    );
    // The write could not remove the copy: reported, and the copy is read around (below).
    expect(l.events).toContainEqual({
      type: 'hot-invalidation-failed',
      key: await storeKeyOf(cookie),
    });
  });

  it('slow: each hot operation costs at most hotTimeoutMs, then cold answers', async () => {
    const l = memoryLayers({ hotTimeoutMs: 50, hotFailureThreshold: 100 });
    const key = newKey();
    await l.store.create(key, recordOf(l.clock.now(), { a: '1' }));
    l.hot.hang('load');
    const started = performance.now();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(1_000);
    expect(l.events).toContainEqual(
      expect.objectContaining({ type: 'hot-failed', operation: 'load', reason: 'timeout' }),
    );
    l.hot.heal();
  });

  it('after hotFailureThreshold failures in a row hot is skipped for hotBackoffMs', async () => {
    const l = memoryLayers({ hotFailureThreshold: 2, hotBackoffMs: 1_000 });
    const key = newKey();
    l.coldMemory.create(key, recordOf(l.clock.now(), { a: '1' }));
    l.hot.fail('load');
    await l.store.load(key);
    await l.store.load(key);
    expect(l.events.filter((event) => event.type === 'hot-failed')).toHaveLength(2);
    expect(l.events).toContainEqual({
      type: 'hot-suspended',
      until: l.clock.now() + 1_000,
      failures: 2,
    });
    l.hotLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.hotLog.take()).toEqual([]); // skipped entirely while suspended

    // Back after the backoff: a failure suspends again at once, a success resumes.
    l.clock.advance(1_000);
    await l.store.load(key);
    expect(l.hotLog.take()).toEqual(['load']);
    expect(l.events.filter((event) => event.type === 'hot-suspended')).toHaveLength(2);
    l.clock.advance(1_000);
    l.hot.heal();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.events).toContainEqual({ type: 'hot-resumed' });
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.hotLog.take()).toEqual(['load', 'create', 'patch', 'load']);
  });

  it('writes while hot is suspended taint their keys; the next read clears the copy first', async () => {
    const l = memoryLayers({ hotFailureThreshold: 1, hotBackoffMs: 1_000 });
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: '1' }));
    l.hot.fail('load');
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' }); // suspends hot
    expect(await l.store.patch(key, patchOf(now, { a: '2' }))).toBe('ok');
    expect(l.events).toContainEqual({ type: 'hot-invalidation-failed', key });
    l.hot.heal();
    l.clock.advance(1_000);
    l.hotLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '2' });
    expect(l.hotLog.take()).toEqual(['destroy', 'create', 'patch']);
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '2' });
    expect(l.hotLog.take()).toEqual(['load']);
  });

  it('a copy a write could not remove is never served by this process', async () => {
    const l = memoryLayers();
    const key = newKey();
    await l.store.create(key, recordOf(l.clock.now(), { user: 'ada' }));
    l.hot.fail('destroy');
    await l.store.destroy(key); // succeeds: cold is the authority
    expect(l.events).toContainEqual({ type: 'hot-invalidation-failed', key });
    expect(l.hotMemory.load(key)).toBeDefined(); // the copy is still in hot...
    expect(await l.store.load(key)).toBeUndefined(); // ...and never served
    expect(l.coldLog.calls.at(-1)).toBe('load');

    // Once hot works, the next read removes the copy and the key is cached normally again.
    l.hot.heal();
    expect(await l.store.load(key)).toBeUndefined();
    expect(l.hotMemory.load(key)).toBeUndefined();
  });

  it('a taint ends once the copy it guards must have expired', async () => {
    const l = memoryLayers({ hotTtlMs: 10_000 });
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: '1' }));
    l.hot.fail('destroy');
    expect(await l.store.patch(key, patchOf(now, { a: '2' }))).toBe('ok');
    l.hot.heal();
    // The stale copy (hot TTL 10 s) expires by itself; past the taint window the key reads hot
    // again without a removal first.
    l.clock.advance(10_000 + FILL_LEASE_MS + 1_000);
    l.hotLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '2' });
    expect(l.hotLog.take()).toEqual(['load', 'create', 'patch']);
  });

  it('past maxTaintedKeys, every read goes to cold until possibly stale copies have expired', async () => {
    const l = memoryLayers({ maxTaintedKeys: 2, hotTtlMs: 10_000 });
    const keys = [newKey(), newKey(), newKey()];
    const now = l.clock.now();
    for (const key of keys) await l.store.create(key, recordOf(now, { a: '1' }));
    l.hot.fail('destroy');
    for (const key of keys) await l.store.patch(key, patchOf(now, { a: '2' }));
    expect(l.events).toContainEqual({
      type: 'hot-bypassed',
      until: now + 10_000 + FILL_LEASE_MS + 1_000,
    });
    l.hot.heal();
    l.hotLog.take();
    for (const key of keys) expect(valuesOf(await l.store.load(key))).toEqual({ a: '2' });
    expect(l.hotLog.take()).toEqual([]);
    l.clock.advance(10_000 + FILL_LEASE_MS + 1_000);
    for (const key of keys) expect(valuesOf(await l.store.load(key))).toEqual({ a: '2' });
    expect(l.hotLog.take()).toHaveLength(9); // load, lease, fill each: cached again
  });

  it('a taint added while an earlier removal was in flight is not forgotten with it', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { v: '1' }));
    // 1. A removal of the copy reaches hot, but its answer is slow to come back.
    const removal = l.hot.pauseAfter('destroy');
    const invalidating = l.store.invalidate(key);
    await removal.reached;
    // 2. Another process reads v1 (leasing first) and is slow to fill.
    const read = l.cold.pauseAfter('load');
    const reading = l.another().load(key);
    await read.reached;
    // 3. A write here makes v2, and its removal fails: the lease survives, and the key is tainted.
    l.hot.fail('destroy');
    expect(await l.store.patch(key, patchOf(now, { v: '2' }))).toBe('ok');
    l.hot.heal();
    // 4. The other reader fills v1: a stale copy, valid as far as hot can tell.
    read.release();
    await reading;
    expect(l.hotMemory.load(key)).toBeDefined();
    // 5. The first removal's answer arrives: it must not clear the newer taint.
    removal.release();
    await invalidating;
    expect(valuesOf(await l.store.load(key))).toEqual({ v: '2' });
  });
});

describe('cold fails', () => {
  it('a failed write is thrown and still removes the hot copy (it may have applied)', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: '1' }));
    l.cold.fail('patch');
    const error = await rejectionOf(l.store.patch(key, patchOf(now, { a: '2' })));
    expect(String(error)).toMatch(/patch failed/);
    expect(l.hotMemory.load(key)).toBeUndefined();
    expect(l.events).toContainEqual(
      expect.objectContaining({ type: 'cold-failed', operation: 'patch' }),
    );
  });

  it('through the engine: STORE_UNAVAILABLE, never an empty session', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const cookie = await signIn(manager, { user: 'ada' });
    l.cold.fail('patch');
    l.cold.fail('create');
    const session = manager.session(new Headers({ cookie }));
    await session.set('cart', 1);
    expect(isSessionError(await rejectionOf(session.commit()), 'STORE_UNAVAILABLE')).toBe(true);
    const fresh = manager.session(new Headers());
    await fresh.set('user', 'bob');
    expect(isSessionError(await rejectionOf(fresh.commit()), 'STORE_UNAVAILABLE')).toBe(true);
  });

  it('after a cold failure reads go to cold until it answers: the store is down, not half up', async () => {
    const l = memoryLayers();
    const cached = newKey();
    const now = l.clock.now();
    await l.store.create(cached, recordOf(now, { a: '1' }));
    l.cold.fail('load');
    l.cold.fail('touch');
    await rejectionOf(l.store.touch(newKey(), now + 1));
    expect(String(await rejectionOf(l.store.load(cached)))).toMatch(/load failed/);
    l.cold.heal();
    expect(valuesOf(await l.store.load(cached))).toEqual({ a: '1' });
    expect(l.events.at(-1)).toEqual({ type: 'cold-recovered' });
  });

  it('input cold refuses is the caller’s error, not an outage', async () => {
    const l = memoryLayers();
    const key = newKey();
    await l.store.create(key, recordOf(l.clock.now(), { a: '1' }));
    const error = await rejectionOf(l.store.touch(key, Number.NaN));
    expect(isSessionError(error, 'INVALID_VALUE')).toBe(true);
    l.coldLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.coldLog.take()).toEqual(['load']); // the failed touch removed the copy: one refill
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.coldLog.take()).toEqual([]); // and reads are hits again: cold is not "down"
  });

  it('serveHotWhenColdDown: hits are served, misses and writes fail', async () => {
    const l = memoryLayers({ serveHotWhenColdDown: true });
    const [cached, uncached] = [newKey(), newKey()];
    const now = l.clock.now();
    await l.store.create(cached, recordOf(now, { a: '1' }));
    l.coldMemory.create(uncached, recordOf(now, { b: '2' }));
    for (const operation of ['load', 'create', 'patch', 'touch', 'rotate', 'destroy'] as const) {
      l.cold.fail(operation);
    }
    await rejectionOf(l.store.touch(uncached, now + 1));
    expect(valuesOf(await l.store.load(cached))).toEqual({ a: '1' });
    await rejectionOf(l.store.load(uncached));
    await rejectionOf(l.store.create(newKey(), recordOf(now)));
    expect(l.hotMemory.size).toBe(1); // the failed create left no lease behind
  });

  it('serveHotWhenColdDown never serves a copy a failed write may have changed', async () => {
    const l = memoryLayers({ serveHotWhenColdDown: true });
    const manager = managerFor(l.store);
    const cookie = await signIn(manager, { user: 'ada' });
    l.cold.fail('destroy');
    l.cold.fail('load');
    // A sign-out while cold is down fails, and takes the cached copy with it...
    const session = manager.session(new Headers({ cookie }));
    await session.destroy();
    expect(isSessionError(await rejectionOf(session.commit()), 'STORE_UNAVAILABLE')).toBe(true);
    // ...so the session is not served from hot afterwards (cold decides when it is back).
    const after = manager.session(new Headers({ cookie }));
    expect(isSessionError(await rejectionOf(after.get('user')), 'STORE_UNAVAILABLE')).toBe(true);

    // With hot failing too, the copy stays in hot but is tainted: still never served.
    l.cold.heal();
    const other = await signIn(manager, { user: 'bob' });
    l.cold.fail('destroy');
    l.cold.fail('load');
    l.hot.fail('destroy');
    const signOut = manager.session(new Headers({ cookie: other }));
    await signOut.destroy();
    await rejectionOf(signOut.commit());
    l.hot.heal();
    l.hot.fail('destroy');
    expect(l.hotMemory.load(await storeKeyOf(other))).toBeDefined();
    const again = manager.session(new Headers({ cookie: other }));
    expect(isSessionError(await rejectionOf(again.get('user')), 'STORE_UNAVAILABLE')).toBe(true);
  });
});
