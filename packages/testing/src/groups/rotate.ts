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

/** Seeds a record with entries `a`, `b` and `c` and full meta. */
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

/**
 * `rotate` moves the record with the patch applied (set, remove, meta, expiresAt): the new key
 * holds it, the old key is dead for load, patch and touch.
 */
export async function checkRotateMovesWithPatch(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const record = await seedAbc(h, from);
  const patch = makePatch(h, {
    set: [
      ['b', '2b'],
      ['d', '4'],
    ],
    remove: ['a'],
    meta: { ...minimalMeta(h), persistent: true },
  });
  expect(await h.store.rotate(from, to, patch), 'rotate of a live record').toBe('ok');
  const expected = applied(record, patch);
  await expectStored(h, to, expected, 'record under the new key');
  await expectAbsent(h, from, 'old key after rotate');
  const late = makePatch(h, { set: [['late', 'write']] });
  expect(await h.store.patch(from, late), 'patch of the old key after rotate').toBe('missing');
  expect(await h.store.touch(from, h.later()), 'touch of the old key after rotate').toBe('missing');
  await expectAbsent(h, from, 'old key after late writes');
  await expectStored(h, to, expected, 'new key after late writes to the old key');
}

/** `rotate` with `clear` keeps only `set`; without `meta` it keeps the stored meta. */
export async function checkRotateClearKeepsMeta(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const record = await seedAbc(h, from);
  const patch = makePatch(h, { clear: true, set: [['fresh', 'yes']] });
  expect(await h.store.rotate(from, to, patch), 'rotate with clear').toBe('ok');
  await expectStored(h, to, applied(record, patch), 'record after rotate with clear');
  await expectAbsent(h, from, 'old key after rotate with clear');
}

/** `missing` when the source was never created or was destroyed; the target is not created. */
export async function checkRotateMissingSource(h: ConformanceHarness): Promise<void> {
  const unknown = h.key();
  const destroyed = h.key();
  await seedAbc(h, destroyed);
  await h.store.destroy(destroyed);
  for (const [label, from] of [
    ['never created', unknown],
    ['destroyed', destroyed],
  ] as const) {
    const to = h.key();
    const patch = makePatch(h, { set: [['a', '1']], meta: fullMeta(h) });
    expect(await h.store.rotate(from, to, patch), `rotate from a source (${label})`).toBe(
      'missing',
    );
    await expectAbsent(h, to, `target of a rotate from a source (${label})`);
    await expectAbsent(h, from, `source (${label}) after rotate`);
  }
}

/** `missing` when the source has expired; neither key holds a record afterwards. */
export async function checkRotateMissingExpired(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const expiresAt = h.soon();
  await seed(h, from, makeRecord(h, { entries: [['a', '1']], expiresAt }));
  await h.passInstant(expiresAt, [from]);
  const patch = makePatch(h, { expiresAt: h.later() });
  expect(await h.store.rotate(from, to, patch), 'rotate from an expired source').toBe('missing');
  await expectAbsent(h, to, 'target of a rotate from an expired source');
  await expectAbsent(h, from, 'expired source after rotate');
}

/** `conflict` when the target holds a live record; both records are left exactly as they were. */
export async function checkRotateConflict(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const source = await seedAbc(h, from);
  const target = await seed(h, to, makeRecord(h, { entries: [['owner', 'someone else']] }));
  const patch = makePatch(h, { clear: true, set: [['x', 'y']], meta: minimalMeta(h) });
  expect(await h.store.rotate(from, to, patch), 'rotate onto a live target').toBe('conflict');
  await expectStored(h, from, source, 'source after a conflicting rotate');
  await expectStored(h, to, target, 'target after a conflicting rotate');
}

/** An expired target counts as absent: the rotation succeeds and replaces it. */
export async function checkRotateOverExpiredTarget(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const expiresAt = h.soon();
  await seed(h, to, makeRecord(h, { entries: [['stale', '1']], expiresAt }));
  await h.passInstant(expiresAt, [to]);
  const source = await seedAbc(h, from);
  const patch = makePatch(h, { set: [['moved', 'yes']] });
  expect(await h.store.rotate(from, to, patch), 'rotate onto an expired target').toBe('ok');
  await expectStored(h, to, applied(source, patch), 'target after rotate over an expired one');
  await expectAbsent(h, from, 'source after rotate over an expired target');
}

/**
 * Patches to the old key racing a rotation are never lost: each patch that reported `ok` is in
 * the new record, each that reported `missing` wrote nothing, and the old key ends up absent.
 */
export async function checkRotateConcurrentPatches(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const record = await seedAbc(h, from);
  const count = 20;
  const patches: Promise<string>[] = [];
  let rotation: Promise<string> | undefined;
  for (let i = 0; i < count; i++) {
    if (i === count / 2) {
      rotation = Promise.resolve(
        h.store.rotate(from, to, makePatch(h, { set: [['rotated', 'y']] })),
      );
    }
    patches.push(
      Promise.resolve(h.store.patch(from, makePatch(h, { set: [[`race-${i}`, String(i)]] }))),
    );
  }
  const [rotated, ...results] = await Promise.all([rotation, ...patches]);
  expect(rotated, 'rotate racing patches').toBe('ok');
  await expectAbsent(h, from, 'old key after the race');
  const moved = await h.store.load(to);
  expect(moved, 'new key after the race').toBeDefined();
  for (const [key, entry] of record.entries) {
    expect(moved?.entries.get(key)?.value, `original entry ${key}`).toBe(entry.value);
  }
  expect(moved?.entries.get('rotated')?.value, 'the rotation patch').toBe('y');
  results.forEach((result, i) => {
    expect(['ok', 'missing'], `result of patch ${i}`).toContain(result);
    const value = moved?.entries.get(`race-${i}`)?.value;
    if (result === 'ok') expect(value, `patch ${i} reported ok but was lost`).toBe(String(i));
    else expect(value, `patch ${i} reported missing but wrote`).toBeUndefined();
  });
}

/** The rotate group (rotation is required; only the race check needs `atomicRotate`). */
export const rotateGroup: ConformanceGroup = {
  name: 'rotate',
  checks: [
    {
      name: 'moves the record with the patch applied; old key dead',
      run: checkRotateMovesWithPatch,
    },
    { name: 'clear keeps only set; absent meta keeps meta', run: checkRotateClearKeepsMeta },
    { name: 'missing when the source is absent or destroyed', run: checkRotateMissingSource },
    { name: 'missing when the source has expired', run: checkRotateMissingExpired },
    { name: 'conflict when the target exists; both unchanged', run: checkRotateConflict },
    { name: 'an expired target counts as absent', run: checkRotateOverExpiredTarget },
    {
      name: 'patches racing a rotation are never lost',
      run: checkRotateConcurrentPatches,
      requires: 'atomicRotate',
    },
  ],
};
