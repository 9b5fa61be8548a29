import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectStored, makePatch, makeRecord, seed, userMeta } from '../records.js';

/** Records the parallel checks create at once. */
const PARALLEL = 25;

/** Calls the store's `countSessions`, failing clearly when it is missing or answers nonsense. */
export async function countOf(h: ConformanceHarness, label: string): Promise<number> {
  const method = h.store.countSessions;
  expect(typeof method, 'capabilities.count is declared, so countSessions must be a function').toBe(
    'function',
  );
  const counted = await method?.call(h.store);
  expect(Number.isSafeInteger(counted), `${label}: countSessions returned ${String(counted)}`).toBe(
    true,
  );
  expect(counted, label).toBeGreaterThanOrEqual(0);
  return counted ?? 0;
}

/** Asserts the store counts exactly `expected` live records. */
export async function expectCount(
  h: ConformanceHarness,
  expected: number,
  label: string,
): Promise<void> {
  expect(await countOf(h, label), label).toBe(expected);
}

/**
 * The count covers the store's own namespace only: each test starts with an empty one (see
 * `StoreConformanceOptions.createStore`) while earlier tests' records, live or expired, still sit
 * in theirs on the same server, so anything but zero means the count reaches past its prefix,
 * schema or table (or the test setup shares one namespace between tests).
 */
export async function checkCountStartsAtZero(h: ConformanceHarness): Promise<void> {
  await expectCount(
    h,
    0,
    "count of a fresh namespace (nonzero: the count includes other namespaces' records, or createStore shares one namespace between tests)",
  );
  await seed(h, h.key(), makeRecord(h));
  await expectCount(h, 1, 'count after one create');
}

/**
 * The count follows creates and destroys, and stays put through the writes that keep a record
 * alive: a refused create, patch, touch, a rotation (one record, new key) and a user binding.
 */
export async function checkCountFollowsWrites(h: ConformanceHarness): Promise<void> {
  const [a, b, c, d] = [h.key(), h.key(), h.key(), h.key()];
  await seed(h, a, makeRecord(h, { entries: [['x', '1']] }));
  await seed(h, b, makeRecord(h, { meta: userMeta(h, `user-${h.key()}`) }));
  await seed(h, c, makeRecord(h));
  await expectCount(h, 3, 'count after three creates');
  expect(await h.store.create(a, makeRecord(h)), 'create over a live record').toBe('conflict');
  expect(await h.store.patch(a, makePatch(h, { set: [['y', '2']] })), 'patch').toBe('ok');
  expect(await h.store.touch(b, h.later(7_000_000)), 'touch').toBe('ok');
  await expectCount(h, 3, 'count after a refused create, a patch and a touch');
  expect(await h.store.rotate(c, d, makePatch(h)), 'rotate').toBe('ok');
  await expectCount(h, 3, 'count after a rotation (the record moved, nothing added)');
  await h.store.destroy(a);
  await h.store.destroy(h.key());
  await expectCount(h, 2, 'count after destroying one record (and one unknown key)');
  for (const key of [b, d]) await h.store.destroy(key);
  await expectCount(h, 0, 'count after destroying them all');
}

/**
 * Expired records are not counted, whether or not anything has read or swept them since; with a
 * manual clock nothing loads them first, so a store that counts what it still holds fails here.
 */
export async function checkCountSkipsExpired(h: ConformanceHarness): Promise<void> {
  const expiresAt = h.soon();
  const expiring = [h.key(), h.key()];
  const live = [h.key(), h.key(), h.key()];
  for (const key of expiring) await seed(h, key, makeRecord(h, { expiresAt }));
  for (const key of live) await seed(h, key, makeRecord(h));
  await expectCount(h, 5, 'count before the expiry');
  // Real clock: probing waits until the server too sees the records gone (its clock may lag ours).
  await h.passInstant(expiresAt, expiring);
  await expectCount(h, 3, 'count after two records expired');
}

/** Parallel creates and destroys are all counted: none lost, none counted twice. */
export async function checkCountParallelWrites(h: ConformanceHarness): Promise<void> {
  const keys = Array.from({ length: PARALLEL }, () => h.key());
  const created = await Promise.all(keys.map((key) => h.store.create(key, makeRecord(h))));
  expect(
    created.every((result) => result === 'created'),
    'every parallel create',
  ).toBe(true);
  await expectCount(h, PARALLEL, `count after ${PARALLEL} parallel creates`);
  const doomed = keys.slice(0, 10);
  await Promise.all(doomed.map((key) => h.store.destroy(key)));
  await expectCount(h, PARALLEL - doomed.length, 'count after 10 parallel destroys');
}

/** Calls the store's `deleteExpired` (declared with the count capability in these checks). */
async function purge(h: ConformanceHarness, label: string): Promise<number> {
  const method = h.store.deleteExpired;
  expect(typeof method, 'deleteExpired is declared, so it must be a function').toBe('function');
  const removed = await method?.call(h.store);
  expect(Number.isSafeInteger(removed), `${label}: deleteExpired returned ${String(removed)}`).toBe(
    true,
  );
  return removed ?? 0;
}

/**
 * `deleteExpired` in an otherwise empty namespace reports no more than the expired records there
 * (exactly them with a manual clock, where nothing reads them first; with a real server, records
 * the backend expired by itself need not be counted), then nothing on a second call, and leaves
 * the live ones counted and intact.
 */
export async function checkPurgeCountsOnlyExpired(h: ConformanceHarness): Promise<void> {
  const expiresAt = h.soon();
  const expired = [h.key(), h.key(), h.key()];
  const live = [h.key(), h.key()];
  for (const key of expired) await seed(h, key, makeRecord(h, { expiresAt }));
  const kept = [];
  for (const key of live) kept.push(await seed(h, key, makeRecord(h, { entries: [['a', '1']] })));
  await h.passInstant(expiresAt, expired);
  const removed = await purge(h, 'first purge');
  if (h.usesClock) expect(removed, 'records the first purge removed').toBe(expired.length);
  else expect(removed, 'records the first purge removed').toBeLessThanOrEqual(expired.length);
  expect(removed, 'records the first purge removed').toBeGreaterThanOrEqual(0);
  expect(await purge(h, 'second purge'), 'records a second purge removed').toBe(0);
  await expectCount(h, live.length, 'count after purging');
  for (const [i, key] of live.entries()) {
    const record = kept[i];
    if (record !== undefined) await expectStored(h, key, record, 'live record after purging');
  }
}

/**
 * A record whose expiry a touch, a patch or a rotation moved past the original deadline is live:
 * neither uncounted nor purged once that deadline passes (a store indexing records by expiry must
 * move the index with every write).
 */
export async function checkPurgeKeepsExtended(h: ConformanceHarness): Promise<void> {
  const expiresAt = h.soon();
  const [touched, patched, rotated, moved, lapsed] = [h.key(), h.key(), h.key(), h.key(), h.key()];
  for (const key of [touched, patched, rotated, lapsed]) {
    await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt }));
  }
  const later = h.later();
  expect(await h.store.touch(touched, later), 'touch').toBe('ok');
  expect(await h.store.patch(patched, makePatch(h, { expiresAt: later })), 'patch').toBe('ok');
  expect(await h.store.rotate(rotated, moved, makePatch(h, { expiresAt: later })), 'rotate').toBe(
    'ok',
  );
  await h.passInstant(expiresAt, [lapsed]);
  await expectCount(h, 3, 'count once the original deadline passed');
  await purge(h, 'purge');
  await expectCount(h, 3, 'count after purging');
  for (const key of [touched, patched, moved]) {
    expect(await h.store.load(key), 'extended record after purging').toBeDefined();
  }
}

/** The count group (runs only when `capabilities.count` is set; the purge checks need both). */
export const countGroup: ConformanceGroup = {
  name: 'count',
  requires: 'count',
  checks: [
    { name: "counts only its own namespace's records", run: checkCountStartsAtZero },
    { name: 'follows creates and destroys, not other writes', run: checkCountFollowsWrites },
    { name: 'never counts expired records', run: checkCountSkipsExpired },
    { name: 'counts parallel creates and destroys exactly', run: checkCountParallelWrites },
    {
      name: 'purge removes only expired records and reports them',
      run: checkPurgeCountsOnlyExpired,
      requires: 'deleteExpired',
    },
    {
      name: 'purge keeps records a write extended',
      run: checkPurgeKeepsExtended,
      requires: 'deleteExpired',
    },
  ],
};
