import { describe, expect, it } from 'vitest';
import { FILL_LEASE_MS, leaseRecord } from '../src/hot-copy.js';
import { memoryLayers } from './support/layers.js';
import { newKey, patchOf, recordOf, valuesOf } from './support/records.js';

// What each operation costs on each layer, and the fill protocol's races, on two memory stores
// with a manual clock (the same sequences run against Redis and Postgres in round-trips.test.ts).

describe('what each operation costs', () => {
  it('create: a lease in hot, the create in cold, the fill; the next read is a hit', async () => {
    const l = memoryLayers();
    const key = newKey();
    const record = recordOf(l.clock.now(), { user: 'ada' });
    expect(await l.store.create(key, record)).toBe('created');
    expect(l.hotLog.take()).toEqual(['create', 'patch']);
    expect(l.coldLog.take()).toEqual(['create']);

    const loaded = await l.store.load(key);
    expect(valuesOf(loaded)).toEqual({ user: 'ada' });
    expect(loaded?.expiresAt).toBe(record.expiresAt);
    expect(loaded?.meta).toEqual(record.meta);
    expect(l.hotLog.take()).toEqual(['load']);
    expect(l.coldLog.take()).toEqual([]);
  });

  it('a miss: hot read, lease, one cold read, fill; then hits', async () => {
    const l = memoryLayers();
    const key = newKey();
    l.coldMemory.create(key, recordOf(l.clock.now(), { user: 'ada' }));
    expect(valuesOf(await l.store.load(key))).toEqual({ user: 'ada' });
    expect(l.hotLog.take()).toEqual(['load', 'create', 'patch']);
    expect(l.coldLog.take()).toEqual(['load']);
    expect(valuesOf(await l.store.load(key))).toEqual({ user: 'ada' });
    expect(l.hotLog.take()).toEqual(['load']);
    expect(l.coldLog.take()).toEqual([]);
  });

  it('a miss for an absent session releases its lease', async () => {
    const l = memoryLayers();
    const key = newKey();
    expect(await l.store.load(key)).toBeUndefined();
    expect(l.hotLog.take()).toEqual(['load', 'create', 'destroy']);
    expect(l.coldLog.take()).toEqual(['load']);
    expect(l.hotMemory.load(key)).toBeUndefined();
  });

  it('patch, touch and destroy: cold, then the hot copy is removed', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: '1' }));
    l.hotLog.take();
    l.coldLog.take();

    expect(await l.store.patch(key, patchOf(now, { b: '2' }))).toBe('ok');
    expect(l.coldLog.take()).toEqual(['patch']);
    expect(l.hotLog.take()).toEqual(['destroy']);
    expect(l.hotMemory.load(key)).toBeUndefined();
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1', b: '2' });
    l.hotLog.take();
    l.coldLog.take();

    expect(await l.store.touch(key, now + 9_000_000)).toBe('ok');
    expect(l.coldLog.take()).toEqual(['touch']);
    expect(l.hotLog.take()).toEqual(['destroy']);
    expect((await l.store.load(key))?.expiresAt).toBe(now + 9_000_000);
    l.hotLog.take();
    l.coldLog.take();

    await l.store.destroy(key);
    expect(l.coldLog.take()).toEqual(['destroy']);
    expect(l.hotLog.take()).toEqual(['destroy']);
    expect(await l.store.load(key)).toBeUndefined();
  });

  it('rotate works whether or not hot holds a copy, and removes both keys’ copies', async () => {
    const l = memoryLayers();
    const now = l.clock.now();
    const [cached, uncached, to1, to2] = [newKey(), newKey(), newKey(), newKey()];
    await l.store.create(cached, recordOf(now, { a: '1' }));
    l.coldMemory.create(uncached, recordOf(now, { b: '2' }));
    l.hotLog.take();
    l.coldLog.take();

    expect(await l.store.rotate(cached, to1, patchOf(now, { moved: 'yes' }))).toBe('ok');
    expect(l.coldLog.take()).toEqual(['rotate']);
    expect(l.hotLog.take()).toEqual(['destroy', 'destroy']);
    expect(l.hotMemory.load(cached)).toBeUndefined();
    expect(await l.store.load(cached)).toBeUndefined();
    expect(valuesOf(await l.store.load(to1))).toEqual({ a: '1', moved: 'yes' });

    expect(await l.store.rotate(uncached, to2, patchOf(now, { moved: 'yes' }))).toBe('ok');
    expect(valuesOf(await l.store.load(to2))).toEqual({ b: '2', moved: 'yes' });
    expect(await l.store.load(uncached)).toBeUndefined();
  });

  it('a rotation that conflicts changes nothing, in hot either', async () => {
    const l = memoryLayers();
    const now = l.clock.now();
    const [from, to] = [newKey(), newKey()];
    await l.store.create(from, recordOf(now, { a: '1' }));
    await l.store.create(to, recordOf(now, { b: '2' }));
    l.hotLog.take();
    expect(await l.store.rotate(from, to, patchOf(now))).toBe('conflict');
    expect(l.hotLog.take()).toEqual([]);
    expect(await l.store.load(from)).toBeDefined();
    expect(l.coldLog.take()).toEqual(['create', 'create', 'rotate']);
  });

  it('load reports the true expiry; the hot copy expires at min(now + hotTtlMs, expiry)', async () => {
    const l = memoryLayers({ hotTtlMs: 60_000 });
    const now = l.clock.now();
    const long = newKey();
    const short = newKey();
    await l.store.create(long, recordOf(now, { a: '1' }, 3_600_000));
    await l.store.create(short, recordOf(now, { a: '1' }, 30_000));
    expect(l.hotMemory.load(long)?.expiresAt).toBe(now + 60_000);
    expect(l.hotMemory.load(short)?.expiresAt).toBe(now + 30_000);
    expect((await l.store.load(long))?.expiresAt).toBe(now + 3_600_000);
    expect((await l.store.load(short))?.expiresAt).toBe(now + 30_000);

    // An idle session leaves the cache after hotTtlMs; the next read brings it back from cold.
    l.clock.advance(60_000);
    l.coldLog.take();
    expect(valuesOf(await l.store.load(long))).toEqual({ a: '1' });
    expect(l.coldLog.take()).toEqual(['load']);
    expect(l.hotMemory.load(long)?.expiresAt).toBe(l.clock.now() + 60_000);
  });

  it('callers never share objects: mutating a loaded record changes nothing for others', async () => {
    const l = memoryLayers();
    const key = newKey();
    await l.store.create(key, recordOf(l.clock.now(), { a: '1' }));
    const [first, second] = await Promise.all([l.store.load(key), l.store.load(key)]);
    expect(first).not.toBe(second);
    if (first === undefined) throw new Error('expected a record');
    (first.entries as Map<string, { value: string }>).set('a', { value: 'mutated' });
    expect(valuesOf(second)).toEqual({ a: '1' });
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
  });
});

describe('fills racing writes', () => {
  it('a slow reader never installs a copy that misses a write', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    l.coldMemory.create(key, recordOf(now, { a: 'old' }));

    const gate = l.cold.pauseAfter('load');
    const slow = l.store.load(key); // leases, reads "old", then waits before filling
    await gate.reached;
    expect(await l.store.patch(key, patchOf(now, { a: 'new' }))).toBe('ok');
    gate.release();
    expect(valuesOf(await slow)).toEqual({ a: 'old' }); // it read before the write: fine

    expect(l.hotMemory.load(key)).toBeUndefined(); // its fill found the lease gone
    expect(valuesOf(await l.store.load(key))).toEqual({ a: 'new' });
  });

  it('a slow reader never brings back a destroyed session', async () => {
    const l = memoryLayers();
    const key = newKey();
    l.coldMemory.create(key, recordOf(l.clock.now(), { user: 'ada' }));

    const gate = l.cold.pauseAfter('load');
    const slow = l.store.load(key);
    await gate.reached;
    await l.store.destroy(key);
    gate.release();
    await slow;

    expect(l.hotMemory.load(key)).toBeUndefined();
    expect(await l.store.load(key)).toBeUndefined();
    expect(await l.another().load(key)).toBeUndefined();
  });

  it('a stale fill landing on a newer reader’s copy is never served', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    l.coldMemory.create(key, recordOf(now, { a: 'old', gone: 'x' }));
    const a = l.store;
    const b = l.another(); // another process: no shared flight

    const gate = l.cold.pauseAfter('load');
    const slow = a.load(key);
    await gate.reached;
    expect(await b.patch(key, patchOf(now, { a: 'new' }, ['gone']))).toBe('ok'); // removes A's lease
    expect(valuesOf(await b.load(key))).toEqual({ a: 'new' }); // B leases and fills: fresh
    gate.release();
    await slow; // A's fill lands on B's copy

    expect(l.hotMemory.load(key)?.entries.size).toBeGreaterThan(4); // both fills' entries are there
    expect(valuesOf(await l.another().load(key))).toEqual({ a: 'new' });
    // The spoiled copy was dropped and refilled: the next read is a hit again.
    l.coldLog.take();
    expect(valuesOf(await l.another().load(key))).toEqual({ a: 'new' });
    expect(l.coldLog.take()).toEqual([]);
  });

  it('a stale fill landing on a newer lease before its fill stays invisible', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    l.coldMemory.create(key, recordOf(now, { a: 'old', gone: 'x' }));
    const a = l.store;
    const c = l.another();

    const slowGate = l.cold.pauseAfter('load');
    const slow = a.load(key);
    await slowGate.reached;
    await a.patch(key, patchOf(now, { a: 'new' }, ['gone']));
    const freshGate = l.cold.pauseAfter('load');
    const fresh = c.load(key); // leases, reads "new", waits before filling
    await freshGate.reached;
    slowGate.release();
    await slow; // the stale fill lands on C's lease: invalid, never served
    expect(valuesOf(await l.another().load(key))).toEqual({ a: 'new' });
    freshGate.release();
    expect(valuesOf(await fresh)).toEqual({ a: 'new' });
    expect(valuesOf(await l.another().load(key))).toEqual({ a: 'new' });
  });

  it('a reader that died after leasing only keeps the key uncached for the lease time', async () => {
    const l = memoryLayers();
    const key = newKey();
    l.coldMemory.create(key, recordOf(l.clock.now(), { a: '1' }));
    // What a reader leaves behind when its process dies between lease and fill.
    l.hotMemory.create(key, leaseRecord('dead0', l.clock.now()));
    // Readers go to cold (without filling) until the lease expires...
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.coldLog.take()).toEqual(['load']);
    expect(l.hotLog.take()).toEqual(['load']);
    l.clock.advance(FILL_LEASE_MS);
    // ...then the key is cached again.
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(valuesOf(await l.store.load(key))).toEqual({ a: '1' });
    expect(l.coldLog.take()).toEqual(['load']);
  });
});

describe('concurrent loads', () => {
  it('share one hot read, one cold read and one fill', async () => {
    const l = memoryLayers();
    const key = newKey();
    l.coldMemory.create(key, recordOf(l.clock.now(), { a: '1' }));
    const gate = l.cold.pauseAfter('load');
    const loads = Array.from({ length: 20 }, () => l.store.load(key));
    await gate.reached;
    gate.release();
    const records = await Promise.all(loads);
    for (const record of records) expect(valuesOf(record)).toEqual({ a: '1' });
    expect(new Set(records).size).toBe(20);
    expect(l.coldLog.take()).toEqual(['load']);
    expect(l.hotLog.take()).toEqual(['load', 'create', 'patch']);
  });

  it('a load starting after a write resolved never joins a flight that read before it', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    l.coldMemory.create(key, recordOf(now, { a: 'old' }));
    const gate = l.cold.pauseAfter('load');
    const before = l.store.load(key);
    await gate.reached;
    expect(await l.store.patch(key, patchOf(now, { a: 'new' }))).toBe('ok');
    expect(valuesOf(await l.store.load(key))).toEqual({ a: 'new' }); // while `before` still waits
    gate.release();
    expect(valuesOf(await before)).toEqual({ a: 'old' });
    expect(valuesOf(await l.store.load(key))).toEqual({ a: 'new' });
  });

  it('a load started while a write removes the copy does not hand its old copy to later loads', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: 'old' }));
    l.hot.hang('destroy'); // the write's removal of the copy is slow to apply
    const writing = l.store.patch(key, patchOf(now, { a: 'new' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const gate = l.hot.pauseAfter('load');
    const during = l.store.load(key); // concurrent with the write: finds the old copy
    await gate.reached;
    l.hot.heal();
    expect(await writing).toBe('ok');
    const after = l.store.load(key); // starts after the write resolved
    gate.release();
    expect(valuesOf(await during)).toEqual({ a: 'old' });
    expect(valuesOf(await after)).toEqual({ a: 'new' });
  });

  it('a load starting after a write resolved never joins a flight that found the old copy', async () => {
    const l = memoryLayers();
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { a: 'old' }));
    const gate = l.hot.pauseAfter('load');
    const before = l.store.load(key); // a hit on the old copy, slow to answer
    await gate.reached;
    expect(await l.store.patch(key, patchOf(now, { a: 'new' }))).toBe('ok');
    expect(valuesOf(await l.store.load(key))).toEqual({ a: 'new' });
    gate.release();
    expect(valuesOf(await before)).toEqual({ a: 'old' });
  });
});
