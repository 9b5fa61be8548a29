import {
  type CommitResult,
  createSessionManager,
  isSessionError,
  type RecordLimits,
  type SessionPatch,
  type SessionValue,
} from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectStored, makePatch, makeRecord, seed, userMeta } from '../records.js';

/** `patch` with these limits. */
function limited(patch: SessionPatch, limits: RecordLimits): SessionPatch {
  return { ...patch, limits };
}

/** Within the limits a patch applies; one entry or one byte over, nothing at all is written. */
export async function checkLimitsBoundPatch(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  // 'a'+'1' = 2 bytes, 'b'+'é' = 1 + 2 bytes (UTF-8): 5 bytes, 2 keys.
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['a', '1'],
        ['b', 'é'],
      ],
    }),
  );
  const tooMany = limited(makePatch(h, { set: [['c', '3']], meta: userMeta(h, 'u') }), {
    maxKeys: 2,
    maxBytes: 1_000,
  });
  expect(await h.store.patch(key, tooMany), 'a third key over maxKeys 2').toBe('too-large');
  await expectStored(h, key, record, 'record after a too-large patch (keys)');
  // 'c'+'33' = 3 bytes: 8 in all.
  const overBytes = limited(makePatch(h, { set: [['c', '33']] }), { maxKeys: 10, maxBytes: 7 });
  expect(await h.store.patch(key, overBytes), 'one byte over maxBytes').toBe('too-large');
  await expectStored(h, key, record, 'record after a too-large patch (bytes)');
  const exact = limited(makePatch(h, { set: [['c', '33']] }), { maxKeys: 3, maxBytes: 8 });
  expect(await h.store.patch(key, exact), 'exactly at both limits').toBe('ok');
  expect((await h.store.load(key))?.entries.get('c')?.value).toBe('33');
}

/** Bytes are counted in UTF-8, key and value, after clear, remove and replace. */
export async function checkLimitsMeasure(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['long', 'x'.repeat(100)],
        ['k', 'v'],
      ],
    }),
  );
  // Replacing 'long' by a shorter value and removing 'k' leaves 'long'+'yy' = 6 bytes, then '😀'
  // (4 bytes) under key 'e' adds 5: 11 bytes, 2 keys.
  const patch = makePatch(h, {
    set: [
      ['long', 'yy'],
      ['e', '😀'],
    ],
    remove: ['k'],
  });
  expect(await h.store.patch(key, limited(patch, { maxKeys: 2, maxBytes: 11 })), 'fits').toBe('ok');
  const more = makePatch(h, { set: [['f', '']] });
  expect(
    await h.store.patch(key, limited(more, { maxKeys: 2, maxBytes: 100 })),
    'a third key, even an empty one',
  ).toBe('too-large');
  const cleared = makePatch(h, { clear: true, set: [['z', 'x'.repeat(20)]] });
  expect(
    await h.store.patch(key, limited(cleared, { maxKeys: 1, maxBytes: 21 })),
    'clear resets the count',
  ).toBe('ok');
  const grown = makePatch(h, { set: [['z', 'x'.repeat(21)]] });
  expect(await h.store.patch(key, limited(grown, { maxKeys: 1, maxBytes: 21 })), 'grown').toBe(
    'too-large',
  );
}

/** A write that does not grow the record lands even when it is over the limits already. */
export async function checkLimitsAllowShrinking(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['a', 'x'.repeat(50)],
        ['b', 'x'.repeat(50)],
        ['c', '1'],
      ],
    }),
  );
  const limits = { maxKeys: 1, maxBytes: 10 };
  const shrink = makePatch(h, { remove: ['a'] });
  expect(await h.store.patch(key, limited(shrink, limits)), 'removing a key').toBe('ok');
  const same = makePatch(h, { set: [['c', '2']] });
  expect(await h.store.patch(key, limited(same, limits)), 'same size').toBe('ok');
  const expiryOnly = makePatch(h, {});
  expect(await h.store.patch(key, limited(expiryOnly, limits)), 'expiry only').toBe('ok');
  const grow = makePatch(h, { set: [['c', '22']] });
  expect(await h.store.patch(key, limited(grow, limits)), 'growing while over').toBe('too-large');
}

/** `rotate` (and `patchIf`, where supported) enforce the same bound and change nothing on refusal. */
export async function checkLimitsBoundRotateAndPatchIf(h: ConformanceHarness): Promise<void> {
  const from = h.key();
  const to = h.key();
  const record = await seed(h, from, makeRecord(h, { entries: [['a', '1']] }));
  const patch = limited(makePatch(h, { set: [['b', '2']] }), { maxKeys: 1, maxBytes: 100 });
  expect(await h.store.rotate(from, to, patch), 'rotate over maxKeys').toBe('too-large');
  await expectStored(h, from, record, 'source after a too-large rotate');
  expect(await h.store.load(to), 'target after a too-large rotate').toBeUndefined();
  const patchIf = h.store.patchIf;
  if (h.store.capabilities.conditionalPatch === true && patchIf !== undefined) {
    const result = await patchIf.call(h.store, from, { key: 'a', value: '1' }, patch);
    expect(result, 'patchIf over maxKeys').toBe('too-large');
    await expectStored(h, from, record, 'record after a too-large patchIf');
  }
}

/** 50 concurrent patches each adding a key, under maxKeys 10: exactly 10 land. */
export async function checkLimitsUnderConcurrency(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h));
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      Promise.resolve(
        h.store.patch(
          key,
          limited(makePatch(h, { set: [[`k${i}`, 'v']] }), { maxKeys: 10, maxBytes: 10_000 }),
        ),
      ),
    ),
  );
  expect(results.filter((r) => r === 'ok').length, 'patches that landed').toBe(10);
  expect(results.filter((r) => r === 'too-large').length, 'patches refused').toBe(40);
  expect((await h.store.load(key))?.entries.size, 'keys stored').toBe(10);
}

/**
 * Through the engine: 20 parallel requests each adding a key to one session whose manager allows
 * 5 keys leave at most 5 (the rest fail with `PAYLOAD_TOO_LARGE`), instead of 20.
 */
export async function checkEngineLimitsUnderConcurrency(h: ConformanceHarness): Promise<void> {
  const manager = createSessionManager<Record<string, SessionValue>>({
    store: h.store,
    secrets: ['conformance-suite-secret-0123456789abcdef'],
    limits: { maxKeys: 5 },
    codec: h.codec,
    ...(h.usesClock ? { clock: h.clock.clock } : {}),
  });
  const first = manager.session(new Headers());
  await first.set('base', 0);
  const result: CommitResult = await first.commit();
  const cookie = (result.headers.find(([name]) => name === 'set-cookie')?.[1] ?? '').split(';')[0];
  const outcomes = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const session = manager.session(new Headers({ cookie: cookie ?? '' }));
      try {
        // A request that loads after others landed is refused by the engine's own check at
        // `set`; one that loaded earlier is refused by the store at commit.
        await session.set(`k${i}`, i);
        await session.commit();
        return 'ok';
      } catch (error) {
        expect(isSessionError(error, 'PAYLOAD_TOO_LARGE'), String(error)).toBe(true);
        return 'too-large';
      }
    }),
  );
  const keys = await manager.session(new Headers({ cookie: cookie ?? '' })).keys();
  expect(keys.length, 'keys stored').toBeLessThanOrEqual(5);
  expect(outcomes.filter((o) => o === 'ok').length, 'requests that landed').toBe(keys.length - 1);
}

/** The record limits group: stores bound a record's size atomically with each write. */
export const recordLimitsGroup: ConformanceGroup = {
  name: 'record limits',
  requires: 'recordLimits',
  checks: [
    { name: 'a patch over maxKeys or maxBytes writes nothing', run: checkLimitsBoundPatch },
    { name: 'bytes are UTF-8 key plus value, after clear/remove/replace', run: checkLimitsMeasure },
    { name: 'a write that does not grow always lands', run: checkLimitsAllowShrinking },
    { name: 'rotate and patchIf enforce the bound', run: checkLimitsBoundRotateAndPatchIf },
    {
      name: '50 concurrent additions under maxKeys 10: exactly 10 land',
      run: checkLimitsUnderConcurrency,
    },
    {
      name: 'through the engine: parallel requests cannot grow a session past its limits',
      run: checkEngineLimitsUnderConcurrency,
    },
  ],
};
