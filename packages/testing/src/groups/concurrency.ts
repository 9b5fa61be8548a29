import type { SessionRecord } from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import {
  expectAbsent,
  expectSameRecord,
  fullMeta,
  makePatch,
  makeRecord,
  seed,
} from '../records.js';

/** Every call below is issued before any is awaited, so an async store really runs them at once. */
function all<T>(calls: readonly (T | PromiseLike<T>)[]): Promise<T[]> {
  return Promise.all(calls.map((call) => Promise.resolve(call)));
}

/** 50 concurrent patches, each to a different key of one record, all survive (no lost update). */
export async function checkParallelPatches(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['base', 'kept']] }));
  const count = 50;
  const results = await all(
    Array.from({ length: count }, (_, i) =>
      h.store.patch(key, makePatch(h, { set: [[`k${i}`, `v${i}`]] })),
    ),
  );
  expect(results, 'results of concurrent patches').toEqual(Array(count).fill('ok'));
  const loaded = await h.store.load(key);
  expect(loaded?.entries.get('base')?.value, 'entry present before the patches').toBe('kept');
  const lost = Array.from({ length: count }, (_, i) => `k${i}`).filter(
    (k, i) => loaded?.entries.get(k)?.value !== `v${i}`,
  );
  expect(lost, 'keys lost by concurrent patches').toEqual([]);
  expect(loaded?.entries.size, 'entry count after concurrent patches').toBe(count + 1);
}

/** Concurrent touches never undo concurrent patches (touch must not rewrite the entries). */
export async function checkPatchesWithTouches(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['base', 'kept']] }));
  const count = 25;
  const instants = new Set<number>();
  const calls: PromiseLike<string>[] = [];
  for (let i = 0; i < count; i++) {
    const touchedTo = h.later(3_600_000 + i);
    instants.add(touchedTo);
    calls.push(Promise.resolve(h.store.touch(key, touchedTo)));
    const patch = makePatch(h, { set: [[`k${i}`, `v${i}`]], expiresAt: h.later(7_200_000 + i) });
    instants.add(patch.expiresAt);
    calls.push(Promise.resolve(h.store.patch(key, patch)));
  }
  const results = await all(calls);
  expect(results, 'results of concurrent touches and patches').toEqual(Array(2 * count).fill('ok'));
  const loaded = await h.store.load(key);
  for (let i = 0; i < count; i++) {
    expect(loaded?.entries.get(`k${i}`)?.value, `k${i} after racing touches`).toBe(`v${i}`);
  }
  expect(instants.has(loaded?.expiresAt ?? Number.NaN), 'expiresAt is one of those written').toBe(
    true,
  );
}

/**
 * Patches racing a `destroy` never resurrect the record: once everything has settled it is
 * absent, and any patch or touch issued after `destroy` resolved reports `missing`.
 */
export async function checkPatchesRacingDestroy(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['base', 'kept']], meta: fullMeta(h) }));
  const count = 20;
  const calls: PromiseLike<string | undefined>[] = [];
  for (let i = 0; i < count; i++) {
    if (i === count / 2) calls.push(Promise.resolve(h.store.destroy(key)).then(() => 'destroyed'));
    calls.push(Promise.resolve(h.store.patch(key, makePatch(h, { set: [[`k${i}`, `v${i}`]] }))));
  }
  const results = await all(calls);
  for (const result of results) expect(['ok', 'missing', 'destroyed']).toContain(result);
  await expectAbsent(h, key, 'record after patches raced a destroy');
  const late = await all(
    Array.from({ length: 5 }, (_, i) =>
      h.store.patch(key, makePatch(h, { set: [[`late${i}`, 'x']] })),
    ),
  );
  expect(late, 'patches issued after destroy resolved').toEqual(Array(5).fill('missing'));
  expect(await h.store.touch(key, h.later()), 'touch issued after destroy resolved').toBe(
    'missing',
  );
  await expectAbsent(h, key, 'record after late writes');
}

/** 20 concurrent creates of one key: exactly one `created`, and the stored record is the winner's. */
export async function checkParallelCreates(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const count = 20;
  const records: SessionRecord[] = Array.from({ length: count }, (_, i) =>
    makeRecord(h, { entries: [['who', `creator-${i}`]], expiresAt: h.later(3_600_000 + i) }),
  );
  const results = await all(records.map((record) => h.store.create(key, record)));
  const winners = results.flatMap((result, i) => (result === 'created' ? [i] : []));
  expect(winners.length, 'number of creates that reported created').toBe(1);
  expect(
    results.filter((result) => result === 'conflict').length,
    'number of creates that reported conflict',
  ).toBe(count - 1);
  const winner = records[winners[0] ?? 0];
  if (winner !== undefined)
    expectSameRecord(await h.store.load(key), winner, "the winner's record");
}

/** The concurrency group. */
export const concurrencyGroup: ConformanceGroup = {
  name: 'concurrency',
  checks: [
    { name: '50 parallel patches to different keys all survive', run: checkParallelPatches },
    { name: 'parallel touches never undo parallel patches', run: checkPatchesWithTouches },
    { name: 'patches racing a destroy never resurrect it', run: checkPatchesRacingDestroy },
    { name: '20 parallel creates of one key yield exactly one created', run: checkParallelCreates },
  ],
};
