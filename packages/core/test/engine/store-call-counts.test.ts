import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';

describe('store calls per request', () => {
  it('untouched session: zero store calls and no Set-Cookie', async () => {
    const h = createHarness();
    await h.request((s) => s.set('views', 1));
    const { calls, result } = await h.request(async () => undefined);
    expect(calls).toEqual([]);
    expect(result.headers).toEqual([]);
    expect(result.outcome).toBe('unchanged');
  });

  it('new visitor who is never written: zero calls, no cookie', async () => {
    const h = createHarness();
    const { calls, result } = await h.request((s) => s.get('views'));
    expect(calls).toEqual([]);
    expect(result.headers).toEqual([]);
  });

  it('new visitor who writes: one create, one cookie', async () => {
    const h = createHarness();
    const { calls, result } = await h.request((s) => s.set('views', 1));
    expect(calls).toEqual(['create']);
    expect(result.outcome).toBe('created');
    expect(result.headers).toHaveLength(1);
    expect(result.headers[0]?.[0]).toBe('set-cookie');
  });

  it('read only: exactly one load, no write', async () => {
    const h = createHarness();
    await h.request((s) => s.set('views', 1));
    const { calls, value } = await h.request(async (s) => [
      await s.get('views'),
      await s.get('views'),
      await s.has('x'),
    ]);
    expect(value).toEqual([1, false].length === 2 ? [1, 1, false] : []);
    expect(calls).toEqual(['load']);
  });

  it('changed: one load and one patch', async () => {
    const h = createHarness();
    await h.request((s) => s.set('views', 1));
    const { calls, result } = await h.request(async (s) => {
      const views = (await s.get('views')) as number;
      await s.set('views', views + 1);
      await s.set('other', 'x');
    });
    expect(calls).toEqual(['load', 'patch']);
    expect(result.outcome).toBe('updated');
  });

  it('set to the same value: one load and no write', async () => {
    const h = createHarness();
    await h.request((s) => s.set('user', { name: 'ada', roles: ['a'] }));
    const { calls, result } = await h.request(async (s) => {
      await s.set('user', { name: 'ada', roles: ['a'] });
    });
    expect(calls).toEqual(['load']);
    expect(result.outcome).toBe('unchanged');
    expect(result.headers).toEqual([]);
  });

  it('a change undone within the request is no change', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const { calls } = await h.request(async (s) => {
      await s.set('a', 2);
      await s.set('a', 1);
      await s.set('b', 1);
      await s.remove('b');
    });
    expect(calls).toEqual(['load']);
  });

  it('the patch carries only the changed keys', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('a', 1);
      await s.set('b', 'big'.repeat(1000));
      await s.set('c', 3);
    });
    const patches: unknown[] = [];
    const inner = h.store.patch.bind(h.store);
    h.store.patch = (key, patch) => {
      patches.push({
        set: [...patch.set.keys()],
        remove: [...patch.remove],
        clear: patch.clear,
        meta: patch.meta,
      });
      return inner(key, patch);
    };
    await h.request(async (s) => {
      await s.set('a', 2);
      await s.remove('c');
    });
    expect(patches).toEqual([{ set: ['a'], remove: ['c'], clear: false, meta: undefined }]);
  });

  it('destroy without a prior read: one destroy call, no load', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const { calls } = await h.request((s) => s.destroy());
    expect(calls).toEqual(['destroy']);
  });

  it('regenerate: one load and one rotate', async () => {
    const h = createHarness();
    await h.request((s) => s.set('a', 1));
    const { calls, result } = await h.request((s) => s.regenerate());
    expect(calls).toEqual(['load', 'rotate']);
    expect(result.outcome).toBe('rotated');
  });

  it('a read after the touch interval: one load and one touch, throttled afterwards', async () => {
    const h = createHarness({ expiry: { idle: '1h', touchInterval: '1m' } });
    await h.request((s) => s.set('a', 1));
    h.clock.advance(30_000);
    expect((await h.request((s) => s.get('a'))).calls).toEqual(['load']);
    h.clock.advance(31_000);
    const touched = await h.request((s) => s.get('a'));
    expect(touched.calls).toEqual(['load', 'touch']);
    expect(touched.result.outcome).toBe('touched');
    h.clock.advance(10_000);
    expect((await h.request((s) => s.get('a'))).calls).toEqual(['load']);
  });
});

describe('insert-only creation', () => {
  it('retries with a fresh ID when create reports a collision, and never overwrites', async () => {
    const h = createHarness();
    const keys: string[] = [];
    const inner = h.store.create.bind(h.store);
    h.store.create = (key, record) => {
      keys.push(key);
      return keys.length <= 2 ? 'conflict' : inner(key, record);
    };
    const { result } = await h.request((s) => s.set('a', 1));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(result.outcome).toBe('created');
    expect((await h.request((s) => s.get('a'))).value).toBe(1);
  });

  it('gives up with CONFLICT after three collisions', async () => {
    const h = createHarness();
    h.store.create = () => 'conflict';
    const session = h.open();
    await session.set('a', 1);
    await expect(session.commit()).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
