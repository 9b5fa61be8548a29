import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';

describe('concurrent requests to one session', () => {
  it('requests writing different keys in parallel all survive (no lost updates)', async () => {
    const h = createHarness();
    await h.request((s) => s.set('base', 0));
    const cookie = h.jar.header();
    const sessions = Array.from({ length: 50 }, () => h.manager.session(new Headers({ cookie })));
    // All load first, then all write: the classic lost-update interleaving.
    await Promise.all(sessions.map((s) => s.get('base')));
    await Promise.all(sessions.map((s, i) => s.set(`pref-${i}`, i)));
    await Promise.all(sessions.map((s) => s.commit()));
    const all = (await h.request((s) => s.getAll())).value;
    expect(Object.keys(all)).toHaveLength(51);
    for (let i = 0; i < 50; i++) expect(all[`pref-${i}`]).toBe(i);
  });

  it('a slow request removing one key does not undo a parallel write of another', async () => {
    const h = createHarness();
    await h.request(async (s) => {
      await s.set('a', 1);
      await s.set('b', 1);
    });
    const cookie = h.jar.header();
    const slow = h.manager.session(new Headers({ cookie }));
    await slow.remove('a');
    const fast = h.manager.session(new Headers({ cookie }));
    await fast.set('b', 2);
    await fast.set('c', 3);
    await fast.commit();
    await slow.commit();
    expect((await h.request((s) => s.getAll())).value).toEqual({ b: 2, c: 3 });
  });
});
