import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, expectStored, fullMeta, makeRecord, seed } from '../records.js';

/** `touch` moves the expiry and nothing else: entries and meta are unchanged. */
export async function checkTouchMovesExpiryOnly(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['a', '1'],
        ['b', { value: '2', expiresAt: h.later(120_000) }],
      ],
      meta: fullMeta(h),
    }),
  );
  const expiresAt = h.later(5_400_009);
  expect(await h.store.touch(key, expiresAt), 'touch of a live record').toBe('ok');
  await expectStored(h, key, { ...record, expiresAt }, 'record after touch');
  const earlier = h.later(900_001);
  expect(await h.store.touch(key, earlier), 'touch moving expiry earlier').toBe('ok');
  await expectStored(h, key, { ...record, expiresAt: earlier }, 'record after earlier touch');
}

/** `touch` can rescue a record about to expire: it survives past its old expiry instant. */
export async function checkTouchExtends(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const oldExpiry = h.soon();
  const record = await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt: oldExpiry }));
  const expiresAt = h.later();
  expect(await h.store.touch(key, expiresAt), 'touch before expiry').toBe('ok');
  await h.passInstant(oldExpiry);
  await expectStored(h, key, { ...record, expiresAt }, 'record past its old expiry');
}

/** `touch` yields `missing` for unknown, destroyed and expired records and writes nothing. */
export async function checkTouchMissing(h: ConformanceHarness): Promise<void> {
  const unknown = h.key();
  const destroyed = h.key();
  const expired = h.key();
  const soon = h.soon();
  await seed(h, destroyed, makeRecord(h));
  await seed(h, expired, makeRecord(h, { expiresAt: soon }));
  await h.store.destroy(destroyed);
  await h.passInstant(soon, [expired]);
  for (const [label, key] of [
    ['never created', unknown],
    ['destroyed', destroyed],
    ['expired', expired],
  ] as const) {
    expect(await h.store.touch(key, h.later()), `touch of a record (${label})`).toBe('missing');
    await expectAbsent(h, key, `record (${label}) after touch (no resurrection)`);
  }
}

/** The touch group. */
export const touchGroup: ConformanceGroup = {
  name: 'touch',
  checks: [
    { name: 'moves the expiry only', run: checkTouchMovesExpiryOnly },
    { name: 'extends a record about to expire past its old instant', run: checkTouchExtends },
    { name: 'missing when gone, no resurrection', run: checkTouchMissing },
  ],
};
