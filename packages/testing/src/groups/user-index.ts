import type { UserSessionRecord } from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { expectAbsent, makePatch, makeRecord, seed, userMeta } from '../records.js';

/** A user ID unique to this test run, so checks against a shared server never see each other. */
function userId(h: ConformanceHarness, label = 'user'): string {
  return `${label}-${h.key()}`;
}

/** The index methods, asserted present (the group only runs when `userIndex` is declared). */
function indexOf(h: ConformanceHarness) {
  const { listUserSessions, destroyUserSessions } = h.store;
  expect(typeof listUserSessions, 'listUserSessions with capabilities.userIndex').toBe('function');
  expect(typeof destroyUserSessions, 'destroyUserSessions with capabilities.userIndex').toBe(
    'function',
  );
  return {
    list: async (user: string): Promise<readonly UserSessionRecord[]> =>
      (await listUserSessions?.call(h.store, user)) ?? [],
    destroy: async (
      user: string,
      options?: { only?: readonly string[]; except?: string },
    ): Promise<string[]> => [...((await destroyUserSessions?.call(h.store, user, options)) ?? [])],
  };
}

/** The listed keys, sorted. */
async function listedKeys(h: ConformanceHarness, user: string): Promise<string[]> {
  return (await indexOf(h).list(user)).map((record) => record.key).sort();
}

/** Creates a record bound to `user`; returns its key. */
async function seedFor(
  h: ConformanceHarness,
  user: string,
  expiresAt = h.later(),
): Promise<string> {
  const key = h.key();
  await seed(h, key, makeRecord(h, { meta: userMeta(h, user, { n: key }), expiresAt }));
  return key;
}

/** A bound record is listed with its key, meta and expiry; other users' and unbound ones are not. */
export async function checkListsBoundRecords(h: ConformanceHarness): Promise<void> {
  const alice = userId(h, 'alice');
  const bob = userId(h, 'bob');
  const a1 = await seedFor(h, alice);
  const a2 = await seedFor(h, alice);
  const b1 = await seedFor(h, bob);
  await seed(h, h.key(), makeRecord(h));
  const listed = await indexOf(h).list(alice);
  expect(listed.map((r) => r.key).sort(), "alice's sessions").toEqual([a1, a2].sort());
  const first = listed.find((r) => r.key === a1);
  const loaded = await h.store.load(a1);
  expect({ ...first?.meta }, 'listed meta equals the stored meta').toEqual({ ...loaded?.meta });
  expect(first?.expiresAt, 'listed expiresAt equals the stored one').toBe(loaded?.expiresAt);
  expect(await listedKeys(h, bob), "bob's sessions").toEqual([b1]);
  expect(await listedKeys(h, userId(h, 'nobody')), 'a user with no sessions').toEqual([]);
}

/** Binding through `patch` meta lists the record; re-binding moves it; unbinding removes it. */
export async function checkPatchBindsAndRebinds(h: ConformanceHarness): Promise<void> {
  const alice = userId(h, 'alice');
  const bob = userId(h, 'bob');
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['k', 'v']] }));
  expect(await listedKeys(h, alice), 'before sign-in').toEqual([]);
  expect(await h.store.patch(key, makePatch(h, { meta: userMeta(h, alice) })), 'bind').toBe('ok');
  expect(await listedKeys(h, alice), 'after binding to alice').toEqual([key]);
  expect(await h.store.patch(key, makePatch(h, { meta: userMeta(h, bob) })), 'rebind').toBe('ok');
  expect(await listedKeys(h, alice), 'alice after re-binding to bob').toEqual([]);
  expect(await listedKeys(h, bob), 'bob after re-binding').toEqual([key]);
  const unbound = { createdAt: h.now() - 5 };
  expect(await h.store.patch(key, makePatch(h, { meta: unbound })), 'unbind').toBe('ok');
  expect(await listedKeys(h, bob), 'bob after unbinding').toEqual([]);
  expect((await h.store.load(key))?.entries.get('k')?.value, 'data kept').toBe('v');
}

/** A patch without meta keeps the binding (and the listing). */
export async function checkPatchWithoutMetaKeepsBinding(h: ConformanceHarness): Promise<void> {
  const alice = userId(h);
  const key = await seedFor(h, alice);
  expect(await h.store.patch(key, makePatch(h, { set: [['x', '1']] })), 'patch').toBe('ok');
  expect(await h.store.touch(key, h.later(9_000_000)), 'touch').toBe('ok');
  expect(await listedKeys(h, alice), 'still listed after patch and touch').toEqual([key]);
}

/** `rotate` moves the listing to the new key; the old key is never listed again. */
export async function checkRotateMovesListing(h: ConformanceHarness): Promise<void> {
  const alice = userId(h);
  const from = await seedFor(h, alice);
  const to = h.key();
  const patch = makePatch(h, { meta: userMeta(h, alice) });
  expect(await h.store.rotate(from, to, patch), 'rotate').toBe('ok');
  expect(await listedKeys(h, alice), 'after rotate').toEqual([to]);
  // Rotating an unbound record into a binding (sign-in) lists it.
  const bob = userId(h, 'bob');
  const anonymous = h.key();
  await seed(h, anonymous, makeRecord(h));
  const signedIn = h.key();
  expect(
    await h.store.rotate(anonymous, signedIn, makePatch(h, { meta: userMeta(h, bob) })),
    'rotate with a new binding',
  ).toBe('ok');
  expect(await listedKeys(h, bob), 'bound by rotate').toEqual([signedIn]);
}

/** Destroyed and expired records are not listed. */
export async function checkDeadRecordsNotListed(h: ConformanceHarness): Promise<void> {
  const alice = userId(h);
  const kept = await seedFor(h, alice);
  const destroyed = await seedFor(h, alice);
  const expiring = await seedFor(h, alice, h.soon());
  await h.store.destroy(destroyed);
  await h.passInstant((await h.store.load(expiring))?.expiresAt ?? h.now(), [expiring]);
  expect(await listedKeys(h, alice), 'only the live record').toEqual([kept]);
}

/**
 * A record whose expiry a patch moved later stays listed past its first expiry: the index follows
 * the record's expiry, it does not expire on its own.
 */
export async function checkListingFollowsExtendedExpiry(h: ConformanceHarness): Promise<void> {
  const alice = userId(h);
  const firstExpiry = h.soon();
  const key = await seedFor(h, alice, firstExpiry);
  const extended = makePatch(h, { meta: userMeta(h, alice), expiresAt: h.later() });
  expect(await h.store.patch(key, extended), 'extend').toBe('ok');
  await h.passInstant(firstExpiry);
  expect(await listedKeys(h, alice), 'listed after its first expiry passed').toEqual([key]);
}

/** `destroyUserSessions` removes every record of the user, returns their keys, spares others. */
export async function checkDestroyAll(h: ConformanceHarness): Promise<void> {
  const alice = userId(h, 'alice');
  const bob = userId(h, 'bob');
  const keys = [await seedFor(h, alice), await seedFor(h, alice), await seedFor(h, alice)];
  const bobs = await seedFor(h, bob);
  const destroyed = await indexOf(h).destroy(alice);
  expect(destroyed.sort(), 'destroyed keys').toEqual([...keys].sort());
  for (const key of keys) {
    await expectAbsent(h, key, 'revoked record');
    expect(await h.store.patch(key, makePatch(h, { set: [['late', '1']] })), 'late patch').toBe(
      'missing',
    );
    expect(await h.store.touch(key, h.later()), 'late touch').toBe('missing');
  }
  expect(await listedKeys(h, alice), 'after revoking all').toEqual([]);
  expect(await listedKeys(h, bob), "bob's session untouched").toEqual([bobs]);
  expect(await h.store.load(bobs), "bob's record").toBeDefined();
  expect(await indexOf(h).destroy(alice), 'revoking again').toEqual([]);
}

/** `except` spares one record ("sign out everywhere else"); `only` narrows to given keys. */
export async function checkDestroyExceptAndOnly(h: ConformanceHarness): Promise<void> {
  const alice = userId(h, 'alice');
  const bob = userId(h, 'bob');
  const [current, other, third] = [
    await seedFor(h, alice),
    await seedFor(h, alice),
    await seedFor(h, alice),
  ];
  const bobs = await seedFor(h, bob);
  const index = indexOf(h);
  // `only` with another user's key and an unknown key destroys neither.
  expect(await index.destroy(alice, { only: [third, bobs, h.key()] }), 'only').toEqual([third]);
  expect(await h.store.load(bobs), "bob's record survives alice's `only`").toBeDefined();
  expect(await index.destroy(alice, { except: current }), 'except').toEqual([other]);
  expect(await listedKeys(h, alice), 'only the current survives').toEqual([current]);
  expect(await h.store.load(current), 'current record').toBeDefined();
}

/** A record re-bound to another user is not destroyed by revoking the first user. */
export async function checkRebindingSurvivesRevocation(h: ConformanceHarness): Promise<void> {
  const alice = userId(h, 'alice');
  const bob = userId(h, 'bob');
  const key = await seedFor(h, alice);
  expect(await h.store.patch(key, makePatch(h, { meta: userMeta(h, bob) })), 'rebind').toBe('ok');
  expect(await indexOf(h).destroy(alice), 'revoke alice').toEqual([]);
  expect(await h.store.load(key), 'the record now belongs to bob').toBeDefined();
  expect(await indexOf(h).destroy(alice, { only: [key] }), "revoke alice's `only`").toEqual([]);
  expect(await listedKeys(h, bob), "bob's listing").toEqual([key]);
}

/** 50 concurrent sign-ins of one user (creates and binding patches): none is lost from the index. */
export async function checkConcurrentSignIns(h: ConformanceHarness): Promise<void> {
  const alice = userId(h);
  const created = Array.from({ length: 25 }, () => h.key());
  const patched = Array.from({ length: 25 }, () => h.key());
  for (const key of patched) await seed(h, key, makeRecord(h));
  const calls: PromiseLike<unknown>[] = [];
  for (const key of created) {
    calls.push(Promise.resolve(h.store.create(key, makeRecord(h, { meta: userMeta(h, alice) }))));
  }
  for (const key of patched) {
    calls.push(Promise.resolve(h.store.patch(key, makePatch(h, { meta: userMeta(h, alice) }))));
  }
  await Promise.all(calls);
  expect(await listedKeys(h, alice), 'every concurrent sign-in listed').toEqual(
    [...created, ...patched].sort(),
  );
  const destroyed = await indexOf(h).destroy(alice);
  expect(destroyed.length, 'every one revoked').toBe(50);
}

/** User IDs with pattern, hash-tag, SQL and non-ASCII characters are exact, isolated names. */
export async function checkAwkwardUserIds(h: ConformanceHarness): Promise<void> {
  const suffix = h.key();
  const ids = [
    `*${suffix}`,
    `user{${suffix}}`,
    `a?b[c]${suffix}`,
    `'; DROP TABLE sessions; --${suffix}`,
    `%_\\${suffix}`,
    `üñí 😀 ${suffix}`,
    `${'x'.repeat(200)}${suffix}`,
  ];
  const keys = new Map<string, string>();
  for (const id of ids) keys.set(id, await seedFor(h, id));
  for (const id of ids) {
    expect(await listedKeys(h, id), `listing of ${JSON.stringify(id)}`).toEqual([keys.get(id)]);
  }
  expect(await indexOf(h).destroy(`*${suffix}`), 'revoking the "*" user').toEqual([
    keys.get(`*${suffix}`),
  ]);
  for (const id of ids.slice(1)) {
    expect(await listedKeys(h, id), `${JSON.stringify(id)} after revoking "*"`).toEqual([
      keys.get(id),
    ]);
  }
}

/** The user index group: listing and revoking a user's sessions. */
export const userIndexGroup: ConformanceGroup = {
  name: 'user index',
  requires: 'userIndex',
  checks: [
    { name: 'lists the live records bound to a user', run: checkListsBoundRecords },
    { name: 'patch meta binds, re-binds and unbinds', run: checkPatchBindsAndRebinds },
    {
      name: 'patch and touch without meta keep the binding',
      run: checkPatchWithoutMetaKeepsBinding,
    },
    { name: 'rotate moves the listing to the new key', run: checkRotateMovesListing },
    { name: 'destroyed and expired records are not listed', run: checkDeadRecordsNotListed },
    { name: 'the listing follows an extended expiry', run: checkListingFollowsExtendedExpiry },
    { name: 'destroyUserSessions revokes every record of the user', run: checkDestroyAll },
    { name: 'destroyUserSessions honours except and only', run: checkDestroyExceptAndOnly },
    {
      name: 'a re-bound record survives revoking its old user',
      run: checkRebindingSurvivesRevocation,
    },
    { name: '50 concurrent sign-ins of one user are all indexed', run: checkConcurrentSignIns },
    { name: 'awkward user IDs are exact and isolated', run: checkAwkwardUserIds },
  ],
};
