import type { SessionPatch, SessionRecord, StoredEntry } from '@sessions/core';

/**
 * Fresh copies of the contract's objects. Why copies: the layered store hands one record or patch
 * to two stores across several awaits, and shares one cold read between concurrent loads, so it
 * takes a private snapshot of every input when the call is made and gives every caller its own
 * output. One level of copying is enough: entry values and every meta field are immutable
 * primitives, except binary values (bytes from a binary codec), copied with their entry; only the
 * Maps, the entry objects, the meta object and the `remove` array are otherwise mutable.
 */

/** A fresh entry; an absent per-key expiry stays absent (never `expiresAt: undefined`). */
export function copyEntry(entry: StoredEntry): StoredEntry {
  const value = typeof entry.value === 'string' ? entry.value : entry.value.slice();
  return entry.expiresAt === undefined ? { value } : { value, expiresAt: entry.expiresAt };
}

/** A fresh entries Map holding fresh entry objects. */
export function copyEntries(entries: ReadonlyMap<string, StoredEntry>): Map<string, StoredEntry> {
  const copy = new Map<string, StoredEntry>();
  for (const [key, entry] of entries) copy.set(key, copyEntry(entry));
  return copy;
}

/** A record the caller may keep or mutate without reaching the original. */
export function copyRecord(record: SessionRecord): SessionRecord {
  return {
    entries: copyEntries(record.entries),
    meta: { ...record.meta },
    expiresAt: record.expiresAt,
  };
}

/** A patch the store may hold across awaits without seeing later changes to the caller's. */
export function copyPatch(patch: SessionPatch): SessionPatch {
  const copy: SessionPatch = {
    set: copyEntries(patch.set),
    remove: [...patch.remove],
    clear: patch.clear,
    expiresAt: patch.expiresAt,
    ...(patch.limits === undefined ? {} : { limits: { ...patch.limits } }),
  };
  return patch.meta === undefined ? copy : { ...copy, meta: { ...patch.meta } };
}
