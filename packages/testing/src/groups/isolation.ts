import type { SessionMeta, StoredEntry } from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { applied, expectStored, fullMeta, makePatch, makeRecord, seed } from '../records.js';

/** The contract's readonly types, with readonly cast away: what a careless caller could do. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Mutates an entries map in every way a caller could: add, replace, mutate an entry, delete. */
function scribble(entries: ReadonlyMap<string, StoredEntry>): void {
  const map = entries as Map<string, StoredEntry>;
  const first = map.values().next().value;
  if (first !== undefined) {
    (first as Mutable<StoredEntry>).value = 'mutated in place';
    (first as Mutable<StoredEntry>).expiresAt = 1;
  }
  map.set('added-later', { value: 'x' });
  map.delete('b');
}

/** Mutates every field of a meta object. */
function scribbleMeta(meta: SessionMeta): void {
  const m = meta as Mutable<SessionMeta>;
  m.createdAt = 0;
  m.persistent = true;
  delete m.idleTimeoutMs;
}

/** Mutating the record passed to `create` afterwards (map, entry objects, meta) changes nothing. */
export async function checkCreateInputIsolation(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const spec = {
    entries: [
      ['a', { value: '1', expiresAt: h.later(60_000) }],
      ['b', '2'],
    ] as const,
    meta: fullMeta(h),
    expiresAt: h.later(),
  };
  const input = makeRecord(h, spec);
  const pristine = makeRecord(h, spec);
  await seed(h, key, input);
  scribble(input.entries);
  scribbleMeta(input.meta);
  (input as Mutable<typeof input>).expiresAt = 2;
  await expectStored(h, key, pristine, 'record after mutating the create input');
}

/** Mutating a patch after `patch` returned (set map, entry objects, remove list, meta) changes nothing. */
export async function checkPatchInputIsolation(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const record = await seed(
    h,
    key,
    makeRecord(h, {
      entries: [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ],
    }),
  );
  const spec = {
    set: [
      ['n', { value: 'new', expiresAt: h.later(30_000) }],
      ['b', 'b2'],
    ] as const,
    remove: ['c'],
    meta: fullMeta(h),
    expiresAt: h.later(7_000_000),
  };
  const input = makePatch(h, spec);
  const pristine = makePatch(h, spec);
  expect(await h.store.patch(key, input), 'patch').toBe('ok');
  scribble(input.set);
  (input.remove as string[]).push('a');
  if (input.meta !== undefined) scribbleMeta(input.meta);
  await expectStored(h, key, applied(record, pristine), 'record after mutating the patch input');
}

/** Mutating what `load` returned (map, entry objects, meta) does not change the next load. */
export async function checkLoadOutputIsolation(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const spec = {
    entries: [
      ['a', { value: '1', expiresAt: h.later(60_000) }],
      ['b', '2'],
    ] as const,
    meta: fullMeta(h),
    expiresAt: h.later(),
  };
  // Compare with an identical record built separately, never with the object given to create.
  const pristine = makeRecord(h, spec);
  await seed(h, key, makeRecord(h, spec));
  const loaded = await h.store.load(key);
  expect(loaded, 'first load').toBeDefined();
  if (loaded === undefined) return;
  scribble(loaded.entries);
  scribbleMeta(loaded.meta);
  (loaded as Mutable<typeof loaded>).expiresAt = 3;
  await expectStored(h, key, pristine, 'record after mutating a loaded copy');
}

/** The isolation group. */
export const isolationGroup: ConformanceGroup = {
  name: 'isolation',
  checks: [
    {
      name: 'mutating the record passed to create changes nothing',
      run: checkCreateInputIsolation,
    },
    { name: 'mutating the patch passed to patch changes nothing', run: checkPatchInputIsolation },
    { name: 'mutating what load returned changes nothing', run: checkLoadOutputIsolation },
  ],
};
