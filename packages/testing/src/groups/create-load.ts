import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, expectStored, fullMeta, makeRecord, minimalMeta, seed } from '../records.js';

/** `load` of a key that was never created is `undefined`. */
export async function checkLoadUnknownKey(h: ConformanceHarness): Promise<void> {
  await expectAbsent(h, h.key(), 'never-created key');
}

/** `create` then `load` returns the same entries (with and without per-key expiry), meta and expiry. */
export async function checkCreateThenLoad(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['user', '{"id":"u-1","roles":["admin"]}'],
        ['cart', '[1,2,3]'],
        ['flash', { value: '"saved"', expiresAt: h.later(60_007) }],
        ['csrf', { value: '"tok"', expiresAt: h.later(3_599_001) }],
      ],
      meta: fullMeta(h),
      expiresAt: h.later(1_800_013),
    }),
  );
  await expectStored(h, key, record, 'first load');
  await expectStored(h, key, record, 'second load');
}

/** Meta round-trips with every optional field present (a falsy one included) and with none. */
export async function checkMetaOptionalFields(h: ConformanceHarness): Promise<void> {
  const full = h.key();
  const fullRecord = await seed(h, full, makeRecord(h, { meta: fullMeta(h) }));
  const minimal = h.key();
  const minimalRecord = await seed(h, minimal, makeRecord(h, { meta: minimalMeta(h) }));
  await expectStored(h, full, fullRecord, 'record with full meta');
  await expectStored(h, minimal, minimalRecord, 'record with minimal meta');
  const meta = (await h.store.load(minimal))?.meta;
  expect(meta?.absoluteExpiresAt, 'absent absoluteExpiresAt').toBeUndefined();
  expect(meta?.idleTimeoutMs, 'absent idleTimeoutMs').toBeUndefined();
  expect(meta?.persistent, 'absent persistent').toBeUndefined();
  expect((await h.store.load(full))?.meta.persistent, 'persistent: false').toBe(false);
  expect((await h.store.load(full))?.meta.clientBinding, 'meta.clientBinding kept as is').toBe(
    fullRecord.meta.clientBinding,
  );
}

/** A record with no entries exists: it loads with an empty map, not as `undefined`. */
export async function checkEmptyRecord(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(h, key, makeRecord(h, { meta: fullMeta(h) }));
  await expectStored(h, key, record, 'record without entries');
}

/** `create` on a live key yields `conflict` and leaves the first record untouched. */
export async function checkCreateConflict(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const first = await seed(h, key, makeRecord(h, { entries: [['owner', 'first']] }));
  const second = makeRecord(h, {
    entries: [
      ['owner', 'second'],
      ['extra', 'x'],
    ],
    meta: fullMeta(h),
    expiresAt: h.later(7_200_000),
  });
  expect(await h.store.create(key, second), 'create on a live key').toBe('conflict');
  await expectStored(h, key, first, 'record after a conflicting create');
}

/** `create` over an expired record succeeds and stores the new record. */
export async function checkCreateOverExpired(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const expiresAt = h.soon();
  await seed(h, key, makeRecord(h, { entries: [['old', '1']], expiresAt }));
  await h.passInstant(expiresAt, [key]);
  const fresh = makeRecord(h, { entries: [['new', '2']] });
  expect(await h.store.create(key, fresh), 'create over an expired record').toBe('created');
  await expectStored(h, key, fresh, 'record created over an expired one');
}

/** Records under different keys are independent. */
export async function checkKeysIndependent(h: ConformanceHarness): Promise<void> {
  const a = h.key();
  const b = h.key();
  const recordA = await seed(h, a, makeRecord(h, { entries: [['who', 'a']] }));
  const recordB = await seed(h, b, makeRecord(h, { entries: [['who', 'b']], meta: fullMeta(h) }));
  await expectStored(h, a, recordA, 'record a');
  await expectStored(h, b, recordB, 'record b');
}

/** The create/load group. */
export const createLoadGroup: ConformanceGroup = {
  name: 'create/load',
  checks: [
    { name: 'load of an unknown key is undefined', run: checkLoadUnknownKey },
    {
      name: 'create then load returns identical entries, meta and expiry',
      run: checkCreateThenLoad,
    },
    {
      name: 'meta round-trips with optional fields present and absent',
      run: checkMetaOptionalFields,
    },
    { name: 'a record with no entries still exists', run: checkEmptyRecord },
    { name: 'create on a live key is a conflict and does not overwrite', run: checkCreateConflict },
    { name: 'create over an expired record succeeds', run: checkCreateOverExpired },
    { name: 'records under different keys are independent', run: checkKeysIndependent },
  ],
};
