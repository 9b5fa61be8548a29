import { createMemoryStore, isSessionError, type SessionStore } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { createLayeredStore, type LayeredStoreOptions } from '../src/index.js';
import { memoryLayers } from './support/layers.js';
import { newKey, recordOf } from './support/records.js';

function misconfiguredBy(options: unknown): boolean {
  try {
    createLayeredStore(options as LayeredStoreOptions);
  } catch (error) {
    return isSessionError(error, 'MISCONFIGURED');
  }
  return false;
}

/** A store without `deleteExpired` (as Redis is) nor a user index. */
function withoutDeleteExpired(store: SessionStore): SessionStore {
  return {
    name: store.name,
    capabilities: { atomicRotate: false, deleteExpired: false },
    load: (key) => store.load(key),
    create: (key, record) => store.create(key, record),
    patch: (key, patch) => store.patch(key, patch),
    touch: (key, expiresAt) => store.touch(key, expiresAt),
    rotate: (from, to, patch) => store.rotate(from, to, patch),
    destroy: (key) => store.destroy(key),
  };
}

describe('options', () => {
  const hot = createMemoryStore();
  const cold = createMemoryStore();

  it.each([
    ['no options', undefined],
    ['no hot store', { cold }],
    ['no cold store', { hot }],
    ['a hot store missing a method', { hot: { ...hot, rotate: undefined }, cold }],
    ['one store as both layers', { hot, cold: hot }],
    ['hotTtlMs 0', { hot, cold, hotTtlMs: 0 }],
    ['hotTtlMs not an integer', { hot, cold, hotTtlMs: 1.5 }],
    ['hotTimeoutMs NaN', { hot, cold, hotTimeoutMs: Number.NaN }],
    ['hotFailureThreshold 0', { hot, cold, hotFailureThreshold: 0 }],
    ['hotBackoffMs negative', { hot, cold, hotBackoffMs: -1 }],
    ['maxTaintedKeys Infinity', { hot, cold, maxTaintedKeys: Number.POSITIVE_INFINITY }],
    ['serveHotWhenColdDown a string', { hot, cold, serveHotWhenColdDown: 'yes' }],
    ['coldOnlyKeys a string', { hot, cold, coldOnlyKeys: 'token' }],
    ['coldOnlyKeys holding a number', { hot, cold, coldOnlyKeys: [1] }],
    ['hotTtlFor a number', { hot, cold, hotTtlFor: 5 }],
    ['onEvent an object', { hot, cold, onEvent: {} }],
    ['clock a number', { hot, cold, clock: 5 }],
  ])('%s is MISCONFIGURED', (_label, options) => {
    expect(misconfiguredBy(options)).toBe(true);
  });

  it('accepts every option', () => {
    const store = createLayeredStore({
      hot,
      cold,
      hotTtlMs: 60_000,
      hotTtlFor: () => 'cold-only',
      coldOnlyKeys: ['token'],
      hotTimeoutMs: 100,
      hotFailureThreshold: 1,
      hotBackoffMs: 0,
      serveHotWhenColdDown: true,
      maxTaintedKeys: 1,
      onEvent: () => {},
      clock: () => Date.now(),
    });
    expect(store.name).toBe('layered');
    expect(store.hot).toBe(hot);
    expect(store.cold).toBe(cold);
  });

  it('capabilities are cold’s; deleteExpired, countSessions, the user index and patchIf exist exactly when cold has them', () => {
    const withSweep = createLayeredStore({ hot, cold });
    expect(withSweep.capabilities).toEqual({
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: 'exact',
      binaryValues: true,
    });
    expect(typeof withSweep.patchIf).toBe('function');
    expect(typeof withSweep.deleteExpired).toBe('function');
    expect(typeof withSweep.countSessions).toBe('function');
    expect(typeof withSweep.listUserSessions).toBe('function');
    expect(typeof withSweep.destroyUserSessions).toBe('function');
    const without = createLayeredStore({ hot, cold: withoutDeleteExpired(cold) });
    expect(without.capabilities).toEqual({
      atomicRotate: false,
      deleteExpired: false,
      userIndex: false,
      conditionalPatch: false,
      recordLimits: false,
      binaryValues: false,
    });
    expect(without.patchIf).toBeUndefined();
    expect(without.deleteExpired).toBeUndefined();
    expect(without.countSessions).toBeUndefined();
    expect(without.listUserSessions).toBeUndefined();
    expect(without.destroyUserSessions).toBeUndefined();
    // Hot's capabilities do not matter.
    const overRedisLike = createLayeredStore({ hot: withoutDeleteExpired(hot), cold });
    // Except for binaryValues: a value passes through both layers, so both must hold bytes.
    expect(overRedisLike.capabilities).toEqual({
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: 'exact',
      binaryValues: false,
    });
  });

  it('deleteExpired returns cold’s count and sweeps hot too', async () => {
    const l = memoryLayers();
    const now = l.clock.now();
    for (let i = 0; i < 3; i++) await l.store.create(newKey(), recordOf(now, {}, 1_000));
    await l.store.create(newKey(), recordOf(now));
    l.clock.advance(1_000);
    expect(await l.store.deleteExpired?.()).toBe(3);
    expect(l.hotMemory.size).toBe(1);
    expect(l.coldMemory.size).toBe(1);
  });

  it('countSessions is cold’s count, whatever hot holds', async () => {
    const l = memoryLayers();
    const now = l.clock.now();
    for (let i = 0; i < 3; i++) await l.store.create(newKey(), recordOf(now));
    await l.hotMemory.create(newKey(), recordOf(now));
    expect(await l.store.countSessions?.()).toBe(3);
    await l.coldMemory.create(newKey(), recordOf(now));
    expect(await l.store.countSessions?.()).toBe(4);
  });

  it('a throwing event listener fails nothing', async () => {
    const l = memoryLayers({
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    const key = newKey();
    await l.store.create(key, recordOf(l.clock.now(), { a: '1' }));
    l.hot.fail('load');
    expect(await l.store.load(key)).toBeDefined();
  });
});
