import { storedValueByteLength } from '../codec/stored-value.js';
import { utf8ByteLength } from '../codec/utf8-byte-length.js';
import { SessionError } from '../errors/session-error.js';
import type {
  SessionMeta,
  SessionPatch,
  SessionRecord,
  StoredEntry,
  StoredValue,
} from './session-record.js';

/**
 * The memory store's private, mutable copy of a record. Nothing outside the store ever holds a
 * reference to a slot or to anything inside it: records are copied in on every write and copied
 * out on every load.
 *
 * Why a one-level copy is enough: entry values are strings (immutable) or bytes (copied with the
 * entry, see `copyValue`) and every {@link SessionMeta} field is a number, a string or a boolean, all immutable, except `userInfo`, a flat object of strings. The
 * only mutable objects a caller can reach are the `entries` Map, each {@link StoredEntry} object
 * inside it, the `meta` object and its `userInfo`, so copying exactly those levels isolates the
 * store completely without a deep clone.
 */
export interface MemorySlot {
  /** Entries keyed by session key. A Map, so keys such as `__proto__` are plain data. */
  entries: Map<string, StoredEntry>;
  /** Bookkeeping, copied field by field (shallow). */
  meta: SessionMeta;
  /** Epoch ms from which the slot counts as absent. */
  expiresAt: number;
  /** When the store last put it at the most recently used end (its eviction bookkeeping). */
  placed: number;
}

/**
 * True while `now` is before `expiresAt` (the contract: `expiresAt` is the first instant at which
 * the record is absent, as with Redis `PEXPIREAT` and SQL `expires_at > now()`). A non-finite
 * instant (`NaN`) fails closed and reads as expired.
 */
export function isLive(expiresAt: number, now: number): boolean {
  return expiresAt > now;
}

/** Throws a `SessionError` unless `instant` is a finite number of epoch milliseconds. */
export function assertInstant(instant: number, what: string): void {
  if (typeof instant !== 'number' || !Number.isFinite(instant)) {
    throw new SessionError('INVALID_VALUE', `${what} must be a finite epoch-ms instant`);
  }
}

/** A string as is (immutable); bytes copied, so neither the caller nor the store sees the other's writes. */
function copyValue(value: StoredValue): StoredValue {
  return typeof value === 'string' ? value : value.slice();
}

/** A fresh entry object; an absent per-key expiry stays absent (never `expiresAt: undefined`). */
function copyEntry(entry: StoredEntry): StoredEntry {
  return entry.expiresAt === undefined
    ? { value: copyValue(entry.value) }
    : { value: copyValue(entry.value), expiresAt: entry.expiresAt };
}

/** A fresh Map with fresh entry objects. */
function copyEntries(entries: ReadonlyMap<string, StoredEntry>): Map<string, StoredEntry> {
  const copy = new Map<string, StoredEntry>();
  for (const [key, entry] of entries) copy.set(key, copyEntry(entry));
  return copy;
}

/**
 * A copy of meta: its fields are primitives except `userInfo` (a flat object of strings), which is
 * copied too; unknown future fields are kept as they are.
 */
export function copyMeta(meta: SessionMeta): SessionMeta {
  return meta.userInfo === undefined ? { ...meta } : { ...meta, userInfo: { ...meta.userInfo } };
}

/** Copies a caller's record into a new slot. */
export function toSlot(record: SessionRecord): MemorySlot {
  assertInstant(record.expiresAt, 'record.expiresAt');
  return {
    entries: copyEntries(record.entries),
    meta: copyMeta(record.meta),
    expiresAt: record.expiresAt,
    placed: 0,
  };
}

/** Copies a slot out to a record the caller may keep or mutate. */
export function fromSlot(slot: MemorySlot): SessionRecord {
  return {
    entries: copyEntries(slot.entries),
    meta: copyMeta(slot.meta),
    expiresAt: slot.expiresAt,
  };
}

/** Bytes of one entry in the contract's measure (`RecordLimits`). */
function entryBytes(key: string, entry: StoredEntry): number {
  return utf8ByteLength(key) + storedValueByteLength(entry.value);
}

/**
 * Whether `patch` may be applied under its `limits` (always, when it has none): the record it
 * leaves holds at most `maxKeys` entries and `maxBytes` bytes, or is no larger in either measure
 * than it was (so a session already over its limits can always get back under). O(entries): the
 * memory store has no round trip to save, and sessions are bounded by these very limits.
 */
export function fitsLimits(slot: MemorySlot, patch: SessionPatch): boolean {
  const limits = patch.limits;
  if (limits === undefined) return true;
  const entries = slot.entries;
  let bytesBefore = 0;
  for (const [key, entry] of entries) bytesBefore += entryBytes(key, entry);
  const keysBefore = entries.size;
  // The record the patch leaves, measured by difference (no copy of the entries).
  let bytesAfter = patch.clear ? 0 : bytesBefore;
  let keysAfter = patch.clear ? 0 : keysBefore;
  if (!patch.clear) {
    const removed = patch.remove.length > 1 ? new Set(patch.remove) : patch.remove;
    for (const key of removed) {
      const entry = entries.get(key);
      if (entry === undefined || patch.set.has(key)) continue;
      bytesAfter -= entryBytes(key, entry);
      keysAfter--;
    }
  }
  for (const [key, entry] of patch.set) {
    const previous = patch.clear ? undefined : entries.get(key);
    if (previous === undefined) keysAfter++;
    else bytesAfter -= entryBytes(key, previous);
    bytesAfter += entryBytes(key, entry);
  }
  if (bytesAfter <= limits.maxBytes && keysAfter <= limits.maxKeys) return true;
  return bytesAfter <= bytesBefore && keysAfter <= keysBefore;
}

/**
 * Applies a patch in the contract's order: `clear`, then `remove`, then `set`; `meta` replaces
 * when present; `expiresAt` always replaces. Everything taken from the patch is copied.
 */
export function applyPatch(slot: MemorySlot, patch: SessionPatch): void {
  // Validate before mutating, so a bad patch leaves the slot exactly as it was.
  assertInstant(patch.expiresAt, 'patch.expiresAt');
  if (patch.clear) slot.entries = new Map();
  for (const key of patch.remove) slot.entries.delete(key);
  for (const [key, entry] of patch.set) slot.entries.set(key, copyEntry(entry));
  if (patch.meta !== undefined) slot.meta = copyMeta(patch.meta);
  slot.expiresAt = patch.expiresAt;
}
