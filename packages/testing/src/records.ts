import {
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type StoredEntry,
  storedValuesEqual,
} from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceHarness } from './harness.js';

/** Entries as `[key, value]` pairs; a string or `Uint8Array` value is shorthand for `{ value }`. */
export type EntryList = Iterable<readonly [string, string | Uint8Array | StoredEntry]>;

/** Builds a fresh (mutable) entries Map from an {@link EntryList}. */
export function entryMap(entries: EntryList = []): Map<string, StoredEntry> {
  const map = new Map<string, StoredEntry>();
  for (const [key, entry] of entries) {
    map.set(
      key,
      typeof entry === 'string' || entry instanceof Uint8Array ? { value: entry } : { ...entry },
    );
  }
  return map;
}

/**
 * Meta with every optional field present, including a falsy one (`persistent: false`) and a sign-in
 * binding to a fresh user (so stores with a user index index it).
 */
export function fullMeta(h: ConformanceHarness): SessionMeta {
  return {
    createdAt: h.now() - 5_123,
    absoluteExpiresAt: h.later(86_400_321),
    idleTimeoutMs: 1_209_600_000,
    persistent: false,
    userId: `user-${h.key()}`,
    userInfo: { userAgent: 'Mozilla/5.0 (conformance) "quoted" ü', ip: '203.0.113.7' },
    lastActiveAt: h.now() - 1_000,
    // Client binding's hash (the engine's `binding` option): one more field stores keep as is.
    clientBinding: 'cbXq9vYc3mZ0Jt7wKpL2eR5uA8sN1dF4gH6jB0yT-_w',
  };
}

/** Meta bound to `userId` (as `Session.signIn` writes it). */
export function userMeta(h: ConformanceHarness, userId: string, info = {}): SessionMeta {
  return { createdAt: h.now() - 100, userId, userInfo: { ...info }, lastActiveAt: h.now() - 10 };
}

/** Meta with only the required field. */
export function minimalMeta(h: ConformanceHarness): SessionMeta {
  return { createdAt: h.now() - 17 };
}

/** What {@link makeRecord} accepts; omitted fields get harmless defaults. */
export interface RecordSpec {
  readonly entries?: EntryList | undefined;
  readonly meta?: SessionMeta | undefined;
  readonly expiresAt?: number | undefined;
}

/** A fresh record: default entries none, meta {@link minimalMeta}, expiry one hour ahead. */
export function makeRecord(h: ConformanceHarness, spec: RecordSpec = {}): SessionRecord {
  return {
    entries: entryMap(spec.entries),
    meta: spec.meta === undefined ? minimalMeta(h) : { ...spec.meta },
    expiresAt: spec.expiresAt ?? h.later(),
  };
}

/** What {@link makePatch} accepts. */
export interface PatchSpec {
  readonly set?: EntryList | undefined;
  readonly remove?: readonly string[] | undefined;
  readonly clear?: boolean | undefined;
  readonly meta?: SessionMeta | undefined;
  readonly expiresAt?: number | undefined;
}

/** A fresh patch: defaults empty `set`/`remove`, no clear, no meta, expiry two hours ahead. */
export function makePatch(h: ConformanceHarness, spec: PatchSpec = {}): SessionPatch {
  const patch: SessionPatch = {
    set: entryMap(spec.set),
    remove: [...(spec.remove ?? [])],
    clear: spec.clear ?? false,
    expiresAt: spec.expiresAt ?? h.later(7_200_000),
  };
  return spec.meta === undefined ? patch : { ...patch, meta: { ...spec.meta } };
}

/** The record a correct store holds after applying `patch` to `record` (clear, remove, set). */
export function applied(record: SessionRecord, patch: SessionPatch): SessionRecord {
  const entries = patch.clear ? new Map<string, StoredEntry>() : new Map(record.entries);
  for (const key of patch.remove) entries.delete(key);
  for (const [key, entry] of patch.set) entries.set(key, entry);
  return { entries, meta: patch.meta ?? record.meta, expiresAt: patch.expiresAt };
}

/** Entries as sorted `[key, { value, expiresAt }]` rows, read by iterating the map. */
function rows(entries: ReadonlyMap<string, StoredEntry>): [string, StoredEntry][] {
  const list: [string, StoredEntry][] = [];
  for (const [key, entry] of entries) {
    list.push([key, { value: entry.value, expiresAt: entry.expiresAt }]);
  }
  return list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Asserts `actual` holds exactly `expected`: the same entry keys and values (a per-key
 * `expiresAt` present with the same value, or absent), meta deep-equal (an optional field that is
 * absent may read as absent or `undefined`, never as another value) and the same `expiresAt`.
 */
export function expectSameRecord(
  actual: SessionRecord | undefined,
  expected: SessionRecord,
  label = 'record',
): void {
  expect(actual, `${label}: expected a record, got undefined`).toBeDefined();
  if (actual === undefined) return;
  expect(rows(actual.entries), `${label}: entries`).toEqual(rows(expected.entries));
  expect(actual.entries.size, `${label}: entries.size`).toBe(expected.entries.size);
  for (const [key, entry] of expected.entries) {
    expect(actual.entries.has(key), `${label}: entries.has(${JSON.stringify(key)})`).toBe(true);
    const value = actual.entries.get(key)?.value;
    const what = `${label}: entries.get(${JSON.stringify(key)})`;
    // Bytes stay bytes and text stays text (a store holding both must keep each form).
    if (typeof entry.value === 'string') expect(value, what).toBe(entry.value);
    else {
      expect(value, `${what} is bytes`).toBeInstanceOf(Uint8Array);
      expect(storedValuesEqual(value, entry.value), `${what}: the same bytes`).toBe(true);
    }
  }
  expect({ ...actual.meta }, `${label}: meta`).toEqual({ ...expected.meta });
  expect(actual.expiresAt, `${label}: expiresAt`).toBe(expected.expiresAt);
}

/** Loads `key` and asserts it holds exactly `expected`. */
export async function expectStored(
  h: ConformanceHarness,
  key: string,
  expected: SessionRecord,
  label = 'loaded record',
): Promise<void> {
  expectSameRecord(await h.store.load(key), expected, label);
}

/** Loads `key` and asserts it is absent. */
export async function expectAbsent(
  h: ConformanceHarness,
  key: string,
  label = 'record',
): Promise<void> {
  expect(await h.store.load(key), `${label} should be absent`).toBeUndefined();
}

/** Creates `record` under `key`, asserting the store reports `created`. */
export async function seed(
  h: ConformanceHarness,
  key: string,
  record: SessionRecord,
): Promise<SessionRecord> {
  expect(await h.store.create(key, record), 'create of a fresh key').toBe('created');
  return record;
}
