import { describe, expect, it } from 'vitest';
import { EntryChanges } from '../../src/session/entry-changes.js';
import type { StoredEntry } from '../../src/store/session-record.js';

const LIMITS = { maxBytes: 4096, maxKeys: 64 };

const stored = (pairs: [string, StoredEntry][]) => new Map(pairs);

describe('EntryChanges (dirty tracking)', () => {
  it('starts clean and reads through to the stored entries', () => {
    const changes = new EntryChanges(stored([['a', { value: '1' }]]));
    expect(changes.hasChanges).toBe(false);
    expect(changes.get('a', 0)).toEqual({ value: '1' });
    expect([...changes.keys(0)]).toEqual(['a']);
  });

  it('a write of the stored value, or a write then revert, is not a change', () => {
    const changes = new EntryChanges(stored([['a', { value: '1' }]]));
    changes.set('a', { value: '1' });
    expect(changes.hasChanges).toBe(false);
    changes.set('a', { value: '2' });
    expect(changes.hasChanges).toBe(true);
    changes.set('a', { value: '1' });
    expect(changes.hasChanges).toBe(false);
    changes.set('b', { value: 'x' });
    changes.remove('b');
    expect(changes.hasChanges).toBe(false);
  });

  it('a different per-key expiry is a change', () => {
    const changes = new EntryChanges(stored([['a', { value: '1', expiresAt: 100 }]]));
    changes.set('a', { value: '1', expiresAt: 200 });
    expect(changes.hasChanges).toBe(true);
  });

  it('the patch holds only what changed, and removes stored keys whose TTL passed', () => {
    const changes = new EntryChanges(
      stored([
        ['keep', { value: 'k' }],
        ['edit', { value: 'e' }],
        ['drop', { value: 'd' }],
        ['stale', { value: 's', expiresAt: 50 }],
      ]),
    );
    changes.set('edit', { value: 'E' });
    changes.set('new', { value: 'n' });
    changes.remove('drop');
    const patch = changes.toPatch(100, 9_999, undefined, LIMITS);
    expect([...patch.set]).toEqual([
      ['edit', { value: 'E' }],
      ['new', { value: 'n' }],
    ]);
    expect([...patch.remove].sort()).toEqual(['drop', 'stale']);
    expect(patch.clear).toBe(false);
    expect(patch.expiresAt).toBe(9_999);
    expect('meta' in patch).toBe(false);
    expect(patch.limits).toBe(LIMITS);
  });

  it('clear hides every stored entry and patches with clear: true', () => {
    const changes = new EntryChanges(stored([['a', { value: '1' }]]));
    changes.clear();
    changes.set('b', { value: '2' });
    expect(changes.get('a', 0)).toBeUndefined();
    expect([...changes.keys(0)]).toEqual(['b']);
    const patch = changes.toPatch(0, 1, { createdAt: 0 }, LIMITS);
    expect(patch.clear).toBe(true);
    expect([...patch.set.keys()]).toEqual(['b']);
    expect(patch.meta).toEqual({ createdAt: 0 });
  });

  it('entries past their TTL are invisible', () => {
    const changes = new EntryChanges(stored([['otp', { value: '1', expiresAt: 100 }]]));
    expect(changes.get('otp', 99)).toBeDefined();
    expect(changes.get('otp', 100)).toBeUndefined();
    expect([...changes.keys(100)]).toEqual([]);
  });

  it('markStored makes the current state the new baseline', () => {
    const changes = new EntryChanges();
    changes.set('a', { value: '1' });
    changes.markStored(0);
    expect(changes.hasChanges).toBe(false);
    expect(changes.get('a', 0)).toEqual({ value: '1' });
    changes.remove('a');
    expect(changes.toPatch(0, 1, undefined, LIMITS).remove).toEqual(['a']);
  });
});
