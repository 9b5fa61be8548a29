import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, expectStored, makePatch, makeRecord, seed } from '../records.js';

/**
 * A record is visible while `now < expiresAt` and invisible from `expiresAt` on. With a manual
 * clock the boundary is exact (1 ms before: live; at the instant: absent).
 */
export async function checkExpiredInvisible(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const expiresAt = h.soon();
  const record = await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt }));
  if (h.usesClock) h.clock.set(expiresAt - 1);
  await expectStored(h, key, record, 'record before its expiry');
  if (h.usesClock) {
    h.clock.set(expiresAt);
    await expectAbsent(h, key, 'record at exactly its expiresAt');
  }
  await h.passInstant(expiresAt, [key]);
  await expectAbsent(h, key, 'record past its expiry');
  await expectAbsent(h, key, 'record past its expiry, loaded again');
}

/** Patch, touch and rotate of an expired record report `missing` and write nothing. */
export async function checkExpiredWritesMissing(h: ConformanceHarness): Promise<void> {
  const patched = h.key();
  const touched = h.key();
  const rotated = h.key();
  const target = h.key();
  const expiresAt = h.soon();
  for (const key of [patched, touched, rotated]) {
    await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt }));
  }
  await h.passInstant(expiresAt, [patched, touched, rotated]);
  const patch = makePatch(h, { set: [['late', 'write']], expiresAt: h.later() });
  expect(await h.store.patch(patched, patch), 'patch of an expired record').toBe('missing');
  expect(await h.store.touch(touched, h.later()), 'touch of an expired record').toBe('missing');
  expect(await h.store.rotate(rotated, target, patch), 'rotate of an expired record').toBe(
    'missing',
  );
  for (const key of [patched, touched, rotated, target]) {
    await expectAbsent(h, key, 'expired record (or rotation target) after a late write');
  }
}

/**
 * Per-key `expiresAt` values round-trip exactly, through create and patch. A per-key instant
 * already in the past may be dropped by the store (the engine ignores it anyway), but if it is
 * returned it must be exact.
 */
export async function checkPerKeyExpiry(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const past = h.now() - 1_001;
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['plain', 'p'],
        ['soon', { value: 's', expiresAt: h.later(1_001) }],
        ['far', { value: 'f', expiresAt: h.later(31_536_000_007) }],
      ],
    }),
  );
  await expectStored(h, key, record, 'per-key expiries after create');
  const plainExpiry = h.later(45_003);
  const patch = makePatch(h, {
    set: [
      ['plain', { value: 'p2', expiresAt: plainExpiry }],
      ['soon', 's2'],
      ['stale', { value: 'gone', expiresAt: past }],
    ],
    expiresAt: record.expiresAt,
  });
  expect(await h.store.patch(key, patch), 'patch setting per-key expiries').toBe('ok');
  const loaded = await h.store.load(key);
  expect(loaded?.entries.get('plain'), 'entry given an expiry').toEqual({
    value: 'p2',
    expiresAt: plainExpiry,
  });
  expect(loaded?.entries.get('soon')?.expiresAt, 'entry whose expiry was removed').toBeUndefined();
  expect(loaded?.entries.get('far'), 'untouched entry').toEqual(record.entries.get('far'));
  const stale = loaded?.entries.get('stale');
  if (stale !== undefined) {
    expect(stale, 'an already-expired entry, when returned').toEqual({
      value: 'gone',
      expiresAt: past,
    });
  }
}

/** The expiry group. */
export const expiryGroup: ConformanceGroup = {
  name: 'expiry',
  checks: [
    { name: 'a record past its expiresAt is invisible to load', run: checkExpiredInvisible },
    {
      name: 'patch, touch and rotate of an expired record are missing',
      run: checkExpiredWritesMissing,
    },
    { name: 'per-key expiresAt values round-trip exactly', run: checkPerKeyExpiry },
  ],
};
