import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, expectStored, fullMeta, makePatch, makeRecord, seed } from '../records.js';

/** `destroy` removes the record and only that record. */
export async function checkDestroyRemoves(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const other = h.key();
  await seed(h, key, makeRecord(h, { entries: [['a', '1']], meta: fullMeta(h) }));
  const neighbour = await seed(h, other, makeRecord(h, { entries: [['a', '1']] }));
  await h.store.destroy(key);
  await expectAbsent(h, key, 'destroyed record');
  await expectStored(h, other, neighbour, 'neighbouring record after destroy');
}

/** `destroy` of a never-created key, and a second `destroy`, resolve without error. */
export async function checkDestroyIdempotent(h: ConformanceHarness): Promise<void> {
  // Called inside async functions so a synchronous throw becomes a rejection the assertion sees.
  const destroy = async (key: string): Promise<void> => h.store.destroy(key);
  await expect(destroy(h.key()), 'destroy of an unknown key').resolves.toBe(undefined);
  const key = h.key();
  await seed(h, key, makeRecord(h));
  await h.store.destroy(key);
  await expect(destroy(key), 'second destroy').resolves.toBe(undefined);
  await expectAbsent(h, key, 'record destroyed twice');
}

/**
 * A destroyed record cannot be patched, touched or rotated (each reports `missing` and writes
 * nothing), while its key can later be created afresh.
 */
export async function checkDestroyedStaysDead(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const to = h.key();
  await seed(h, key, makeRecord(h, { entries: [['a', '1']] }));
  await h.store.destroy(key);
  const patch = makePatch(h, { set: [['b', '2']], meta: fullMeta(h) });
  expect(await h.store.patch(key, patch), 'patch after destroy').toBe('missing');
  expect(await h.store.touch(key, h.later()), 'touch after destroy').toBe('missing');
  expect(await h.store.rotate(key, to, patch), 'rotate after destroy').toBe('missing');
  await expectAbsent(h, key, 'destroyed record after late writes');
  await expectAbsent(h, to, 'rotation target of a destroyed record');
  const fresh = makeRecord(h, { entries: [['new', 'life']] });
  expect(await h.store.create(key, fresh), 'create on a destroyed key').toBe('created');
  await expectStored(h, key, fresh, 'record created after destroy');
}

/** The destroy group. */
export const destroyGroup: ConformanceGroup = {
  name: 'destroy',
  checks: [
    { name: 'removes the record and only that record', run: checkDestroyRemoves },
    { name: 'is idempotent on absent records', run: checkDestroyIdempotent },
    {
      name: 'a destroyed record cannot be patched, touched or rotated',
      run: checkDestroyedStaysDead,
    },
  ],
};
