import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, expectStored, makeRecord, seed } from '../records.js';

/** Most time a real-clock store gets to remove this test's records. */
const REAL_DEADLINE_MS = 2_000;

/** True when none of `keys` loads. */
async function allAbsent(h: ConformanceHarness, keys: readonly string[]): Promise<boolean> {
  for (const key of keys) if ((await h.store.load(key)) !== undefined) return false;
  return true;
}

/** Calls the store's `deleteExpired`, failing clearly when the method is missing. */
async function deleteExpired(h: ConformanceHarness): Promise<number> {
  const method = h.store.deleteExpired;
  expect(typeof method, 'deleteExpired is declared, so it must be a function').toBe('function');
  const removed = await method?.call(h.store);
  expect(Number.isSafeInteger(removed), `deleteExpired returned ${String(removed)}`).toBe(true);
  expect(removed, 'deleteExpired count').toBeGreaterThanOrEqual(0);
  return removed ?? 0;
}

/**
 * `deleteExpired` removes expired records, keeps live ones and returns a count of what that call
 * removed (a non-negative integer: the backend may also expire records on its own, so the count is
 * not compared with this test's records). The expired records are not loaded beforehand, since a
 * load may remove them lazily.
 */
export async function checkDeleteExpired(h: ConformanceHarness): Promise<void> {
  const expiresAt = h.soon();
  const expired = [h.key(), h.key(), h.key()];
  const live = [h.key(), h.key()];
  for (const key of expired) await seed(h, key, makeRecord(h, { expiresAt }));
  const liveRecords = [];
  for (const key of live) {
    liveRecords.push(await seed(h, key, makeRecord(h, { entries: [['a', '1']] })));
  }
  await h.passInstant(expiresAt);
  await deleteExpired(h);
  if (h.usesClock) {
    // Rewinding the clock tells "deleted" from "merely hidden by load". Checked before any other
    // load, since a load may itself remove an expired record lazily.
    const now = h.clock.now();
    h.clock.set(expiresAt - 1);
    for (const key of expired) {
      await expectAbsent(
        h,
        key,
        'expired record seen with the clock rewound (deleteExpired must delete it)',
      );
    }
    h.clock.set(now);
  }
  // A real server's clock may lag ours slightly: retry within a bounded time.
  const deadline = Date.now() + REAL_DEADLINE_MS;
  while (!h.usesClock && !(await allAbsent(h, expired)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await deleteExpired(h);
  }
  for (const key of expired) await expectAbsent(h, key, 'expired record after deleteExpired');
  for (const [i, key] of live.entries()) {
    const record = liveRecords[i];
    if (record !== undefined) await expectStored(h, key, record, 'live record after deleteExpired');
  }
  for (const key of expired) {
    expect(await h.store.create(key, makeRecord(h)), 'create on a swept key').toBe('created');
  }
}

/** With none of this test's records expired, `deleteExpired` keeps them all and returns a count. */
export async function checkDeleteExpiredKeepsLive(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(h, key, makeRecord(h, { entries: [['a', '1']], expiresAt: h.soon() }));
  await deleteExpired(h);
  await expectStored(h, key, record, 'record about to expire, after deleteExpired');
}

/** The deleteExpired group (runs only when `capabilities.deleteExpired` is true). */
export const deleteExpiredGroup: ConformanceGroup = {
  name: 'deleteExpired',
  requires: 'deleteExpired',
  checks: [
    { name: 'removes expired records and keeps live ones', run: checkDeleteExpired },
    { name: 'keeps records that have not expired yet', run: checkDeleteExpiredKeepsLive },
  ],
};
