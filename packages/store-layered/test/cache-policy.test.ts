import type { SessionRecord } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { FILL_KEY } from '../src/hot-copy.js';
import { memoryLayers } from './support/layers.js';
import { newKey, patchOf, recordOf, valuesOf } from './support/records.js';

/** The raw hot record's entry keys that are data (everything but the lease and fill keys). */
function cachedDataKeys(record: SessionRecord | undefined): string[] {
  return [...(record?.entries.keys() ?? [])].filter((key) => !key.startsWith('\u0002'));
}

describe('per-session cache control', () => {
  it('coldOnlyKeys: a session holding one is never copied into hot; reads go to cold', async () => {
    const l = memoryLayers({ coldOnlyKeys: ['oauthToken'] });
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { user: 'ada', oauthToken: 'secret' }));
    const raw = l.hotMemory.load(key);
    expect(cachedDataKeys(raw)).toEqual([]); // a marker, no data
    expect(raw?.entries.get(FILL_KEY)?.value).toMatch(/:cold-only:/);
    expect(JSON.stringify([...(raw?.entries ?? [])])).not.toContain('secret');

    l.hotLog.take();
    l.coldLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ user: 'ada', oauthToken: 'secret' });
    expect(l.hotLog.take()).toEqual(['load']);
    expect(l.coldLog.take()).toEqual(['load']);

    // Once the key is gone, the next read caches the session as usual.
    await l.store.patch(key, patchOf(now, {}, ['oauthToken']));
    await l.store.load(key);
    expect(cachedDataKeys(l.hotMemory.load(key))).toHaveLength(1);
    l.coldLog.take();
    expect(valuesOf(await l.store.load(key))).toEqual({ user: 'ada' });
    expect(l.coldLog.take()).toEqual([]);
  });

  it('coldOnlyKeys as a predicate (for example every flash key)', async () => {
    const l = memoryLayers({ coldOnlyKeys: (entryKey) => entryKey.startsWith('\u0001') });
    const [plain, flashed] = [newKey(), newKey()];
    const now = l.clock.now();
    await l.store.create(plain, recordOf(now, { user: 'ada' }));
    await l.store.create(flashed, recordOf(now, { user: 'ada', '\u0001flash:notice': '"hi"' }));
    expect(cachedDataKeys(l.hotMemory.load(plain))).toHaveLength(1);
    expect(cachedDataKeys(l.hotMemory.load(flashed))).toEqual([]);
  });

  it('hotTtlFor: a TTL per session, capped by hotTtlMs; cold-only and unusable values keep it out', async () => {
    const l = memoryLayers({
      hotTtlMs: 60_000,
      hotTtlFor: (record) => {
        const role = record.entries.get('role')?.value;
        if (role === 'admin') return 5_000;
        if (role === 'guest') return 600_000;
        if (role === 'bot') return 'cold-only';
        if (role === 'broken') return Number.NaN;
        if (role === 'throws') throw new Error('policy bug');
        return 30_000;
      },
    });
    const now = l.clock.now();
    const hotExpiry = async (role: string) => {
      const key = newKey();
      await l.store.create(key, recordOf(now, { role }));
      const raw = l.hotMemory.load(key);
      return cachedDataKeys(raw).length === 0 ? 'cold-only' : (raw?.expiresAt ?? 0) - now;
    };
    expect(await hotExpiry('admin')).toBe(5_000);
    expect(await hotExpiry('guest')).toBe(60_000);
    expect(await hotExpiry('user')).toBe(30_000);
    expect(await hotExpiry('bot')).toBe('cold-only');
    expect(await hotExpiry('broken')).toBe('cold-only');
    expect(await hotExpiry('throws')).toBe('cold-only');
  });

  it('a copy is refilled with the policy of the record as it is now', async () => {
    const l = memoryLayers({
      hotTtlFor: (record) => (record.entries.get('role')?.value === 'admin' ? 5_000 : 60_000),
    });
    const key = newKey();
    const now = l.clock.now();
    await l.store.create(key, recordOf(now, { role: 'user' }));
    expect(l.hotMemory.load(key)?.expiresAt).toBe(now + 60_000);
    await l.store.patch(key, patchOf(now, { role: 'admin' }));
    await l.store.load(key);
    expect(l.hotMemory.load(key)?.expiresAt).toBe(now + 5_000);
  });
});
