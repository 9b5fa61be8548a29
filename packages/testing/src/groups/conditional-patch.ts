import type { ConditionalWriteResult, EntryCondition, SessionPatch } from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { applied, expectStored, makePatch, makeRecord, seed, userMeta } from '../records.js';

/** Calls `patchIf`, asserting the store has it (the group only runs when it is declared). */
async function patchIf(
  h: ConformanceHarness,
  key: string,
  condition: EntryCondition,
  patch: SessionPatch,
): Promise<ConditionalWriteResult> {
  expect(typeof h.store.patchIf, 'patchIf with capabilities.conditionalPatch').toBe('function');
  return (await h.store.patchIf?.call(h.store, key, condition, patch)) ?? 'missing';
}

/** A matching condition applies the whole patch (set, remove, meta, expiresAt). */
export async function checkPatchIfApplies(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['n', '1'],
        ['gone', 'x'],
      ],
    }),
  );
  const patch = makePatch(h, {
    set: [['n', '2']],
    remove: ['gone'],
    meta: userMeta(h, `user-${h.key()}`),
  });
  expect(await patchIf(h, key, { key: 'n', value: '1' }, patch), 'matching value').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'after a matching patchIf');
}

/** A condition on an absent entry holds while it is absent, and fails once it exists. */
export async function checkPatchIfAbsent(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['other', 'o']] }));
  const first = makePatch(h, { set: [['n', '1']] });
  expect(await patchIf(h, key, { key: 'n', value: undefined }, first), 'absent as expected').toBe(
    'ok',
  );
  const second = makePatch(h, { set: [['n', 'again']] });
  expect(await patchIf(h, key, { key: 'n', value: undefined }, second), 'now present').toBe(
    'conflict',
  );
  expect((await h.store.load(key))?.entries.get('n')?.value, 'value after conflict').toBe('1');
}

/** A mismatch writes nothing at all, not even the expiry or meta. */
export async function checkPatchIfConflictWritesNothing(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(h, key, makeRecord(h, { entries: [['n', '5']] }));
  const patch = makePatch(h, {
    set: [
      ['n', '6'],
      ['x', 'y'],
    ],
    meta: userMeta(h, 'u'),
  });
  for (const value of ['4', '55', '', undefined]) {
    expect(await patchIf(h, key, { key: 'n', value }, patch), `expected ${value}`).toBe('conflict');
  }
  await expectStored(h, key, record, 'record after conflicting patchIf');
}

/** An absent or expired record is `missing`, whatever the condition. */
export async function checkPatchIfMissing(h: ConformanceHarness): Promise<void> {
  const unknown = h.key();
  const patch = makePatch(h, { set: [['n', '1']] });
  expect(await patchIf(h, unknown, { key: 'n', value: undefined }, patch), 'unknown').toBe(
    'missing',
  );
  const destroyed = h.key();
  await seed(h, destroyed, makeRecord(h, { entries: [['n', '1']] }));
  await h.store.destroy(destroyed);
  expect(await patchIf(h, destroyed, { key: 'n', value: '1' }, patch), 'destroyed').toBe('missing');
  expect(await h.store.load(destroyed), 'not resurrected').toBeUndefined();
}

/** An entry past its per-key expiry counts as absent for the condition. */
export async function checkPatchIfExpiredEntryIsAbsent(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const entryExpiry = h.soon();
  await seed(h, key, makeRecord(h, { entries: [['n', { value: '1', expiresAt: entryExpiry }]] }));
  await h.passInstant(entryExpiry);
  const patch = makePatch(h, { set: [['n', 'fresh']] });
  expect(await patchIf(h, key, { key: 'n', value: '1' }, patch), 'expired value').toBe('conflict');
  expect(await patchIf(h, key, { key: 'n', value: undefined }, patch), 'as absent').toBe('ok');
  expect((await h.store.load(key))?.entries.get('n')?.value).toBe('fresh');
}

/**
 * 100 concurrent read-modify-write increments of one counter, each retrying on conflict, end at
 * exactly 100: no increment is lost.
 */
export async function checkPatchIfCounter(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h));
  const increment = async (): Promise<number> => {
    for (let attempt = 1; attempt <= 1_000; attempt++) {
      const record = await h.store.load(key);
      const current = record?.entries.get('count')?.value;
      const next = String(Number(current ?? '0') + 1);
      const result = await patchIf(
        h,
        key,
        { key: 'count', value: current },
        makePatch(h, { set: [['count', next]] }),
      );
      if (result === 'ok') return attempt;
      expect(result, 'a concurrent increment').toBe('conflict');
    }
    throw new Error('an increment did not land in 1,000 attempts');
  };
  await Promise.all(Array.from({ length: 100 }, increment));
  expect((await h.store.load(key))?.entries.get('count')?.value, 'final count').toBe('100');
}

/** The conditional patch group: compare-and-set on one entry (`Session.update`). */
export const conditionalPatchGroup: ConformanceGroup = {
  name: 'conditional patch',
  requires: 'conditionalPatch',
  checks: [
    { name: 'a matching condition applies the whole patch', run: checkPatchIfApplies },
    { name: 'a condition on an absent entry', run: checkPatchIfAbsent },
    { name: 'a mismatch writes nothing', run: checkPatchIfConflictWritesNothing },
    { name: 'an absent or destroyed record is missing', run: checkPatchIfMissing },
    { name: 'an entry past its TTL counts as absent', run: checkPatchIfExpiredEntryIsAbsent },
    { name: '100 concurrent increments end at exactly 100', run: checkPatchIfCounter },
  ],
};
