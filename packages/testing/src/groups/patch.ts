import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import {
  applied,
  expectAbsent,
  expectStored,
  fullMeta,
  makePatch,
  makeRecord,
  minimalMeta,
  seed,
} from '../records.js';

/** Seeds a record with entries `a`, `b` and `c` (`c` with a per-key expiry) and full meta. */
async function seedAbc(h: ConformanceHarness, key: string) {
  return seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['a', '1'],
        ['b', '2'],
        ['c', { value: '3', expiresAt: h.later(60_000) }],
      ],
      meta: fullMeta(h),
    }),
  );
}

/** `set` adds and replaces only the listed keys; replacing an entry replaces its per-key expiry. */
export async function checkPatchSet(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const patch = makePatch(h, {
    set: [
      ['b', '2b'],
      ['c', '3c'],
      ['d', { value: '4', expiresAt: h.later(90_000) }],
    ],
  });
  expect(await h.store.patch(key, patch), 'patch of a live record').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'record after set');
  expect((await h.store.load(key))?.entries.get('c')?.expiresAt, 'replaced per-key expiry').toBe(
    undefined,
  );
}

/** `remove` deletes only the listed keys, and removing an absent key is not an error. */
export async function checkPatchRemove(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const patch = makePatch(h, { remove: ['a', 'never-set'], set: [['e', '5']] });
  expect(await h.store.patch(key, patch), 'patch with remove').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'record after remove');
}

/** `clear` drops every entry before `set` applies; a cleared record with no entries still exists. */
export async function checkPatchClear(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const patch = makePatch(h, { clear: true, set: [['x', 'only']] });
  expect(await h.store.patch(key, patch), 'patch with clear').toBe('ok');
  const afterClear = applied(record, patch);
  await expectStored(h, key, afterClear, 'record after clear + set');
  const empty = makePatch(h, { clear: true });
  expect(await h.store.patch(key, empty), 'patch with clear and no set').toBe('ok');
  await expectStored(h, key, applied(afterClear, empty), 'record after clear alone');
}

/** A patch without `meta` keeps the stored meta. */
export async function checkPatchMetaAbsentKeeps(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const patch = makePatch(h, { set: [['a', 'changed']] });
  expect(await h.store.patch(key, patch), 'patch without meta').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'record after patch without meta');
}

/** A patch with `meta` replaces it whole: optional fields it omits disappear (no merging). */
export async function checkPatchMetaReplaces(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const patch = makePatch(h, { meta: minimalMeta(h) });
  expect(await h.store.patch(key, patch), 'patch with meta').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'record after meta replacement');
  const meta = (await h.store.load(key))?.meta;
  expect(meta?.persistent, 'persistent after replacement by meta without it').toBeUndefined();
  expect(meta?.idleTimeoutMs, 'idleTimeoutMs after replacement').toBeUndefined();
}

/** `expiresAt` always replaces, later or earlier, even when nothing else changes. */
export async function checkPatchExpiresAtMoves(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seedAbc(h, key);
  const later = makePatch(h, { expiresAt: h.later(10_800_001) });
  expect(await h.store.patch(key, later), 'empty patch moving expiry later').toBe('ok');
  await expectStored(h, key, applied(record, later), 'record after expiry moved later');
  const earlier = makePatch(h, { expiresAt: h.later(600_003) });
  expect(await h.store.patch(key, earlier), 'empty patch moving expiry earlier').toBe('ok');
  await expectStored(h, key, applied(record, earlier), 'record after expiry moved earlier');
}

/** `missing` for a never-created key, and the patch writes nothing. */
export async function checkPatchMissingUnknown(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const patch = makePatch(h, { set: [['a', '1']], meta: fullMeta(h) });
  expect(await h.store.patch(key, patch), 'patch of an unknown key').toBe('missing');
  await expectAbsent(h, key, 'unknown key after patch (no resurrection)');
}

/** `missing` for a destroyed record, and the patch does not resurrect it. */
export async function checkPatchMissingDestroyed(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seedAbc(h, key);
  await h.store.destroy(key);
  const patch = makePatch(h, { set: [['late', 'write']], meta: fullMeta(h) });
  expect(await h.store.patch(key, patch), 'patch of a destroyed record').toBe('missing');
  await expectAbsent(h, key, 'destroyed record after patch (no resurrection)');
}

/** `missing` for an expired record, even though the patch's own expiry lies in the future. */
export async function checkPatchMissingExpired(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const expiresAt = h.soon();
  await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt }));
  await h.passInstant(expiresAt, [key]);
  const patch = makePatch(h, { set: [['late', 'write']], expiresAt: h.later() });
  expect(await h.store.patch(key, patch), 'patch of an expired record').toBe('missing');
  await expectAbsent(h, key, 'expired record after patch (no resurrection)');
}

/** The patch group. */
export const patchGroup: ConformanceGroup = {
  name: 'patch',
  checks: [
    { name: 'set adds and replaces only the listed keys', run: checkPatchSet },
    { name: 'remove deletes only the listed keys; an absent key is fine', run: checkPatchRemove },
    { name: 'clear drops every entry, then set applies', run: checkPatchClear },
    { name: 'a patch without meta keeps the stored meta', run: checkPatchMetaAbsentKeeps },
    { name: 'a patch with meta replaces it whole', run: checkPatchMetaReplaces },
    { name: 'expiresAt always moves, later or earlier', run: checkPatchExpiresAtMoves },
    { name: 'missing for an unknown key, writing nothing', run: checkPatchMissingUnknown },
    { name: 'missing for a destroyed record, no resurrection', run: checkPatchMissingDestroyed },
    { name: 'missing for an expired record, no resurrection', run: checkPatchMissingExpired },
  ],
};
