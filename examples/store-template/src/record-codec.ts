import type {
  SessionMeta,
  SessionPatch,
  SessionRecord,
  StoredEntry,
  StoredValue,
} from '@sessions/core';

/**
 * A value in the JSON layout: a text value as itself, a binary one (from a binary codec such as
 * MessagePack) as `{ b: base64 }`, so each comes back in the form it was written.
 */
type JsonValue = string | { readonly b: string };

/**
 * How a record is laid out as one string in the backend. Entries are an array of
 * `[key, value, expiresAt?]` triples, not an object: session keys such as `__proto__` must stay
 * plain data, and `JSON.parse` of an array never touches a prototype. Values are the codec's
 * encodings, kept byte for byte.
 */
interface StoredRecord {
  readonly e: readonly (readonly [string, JsonValue] | readonly [string, JsonValue, number])[];
  readonly m: SessionMeta;
  readonly x: number;
}

function toJsonValue(value: StoredValue): JsonValue {
  if (typeof value === 'string') return value;
  let binary = '';
  for (const byte of value) binary += String.fromCharCode(byte);
  return { b: btoa(binary) };
}

function fromJsonValue(value: JsonValue): StoredValue {
  if (typeof value === 'string') return value;
  const binary = atob(value.b);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Whether two stored values are the same encoding: equal strings, or equal bytes. */
export function sameValue(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined) {
    return a === b;
  }
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Encodes a record for the backend. The result shares nothing with the caller's objects. */
export function encodeRecord(record: SessionRecord): string {
  const e: StoredRecord['e'][number][] = [];
  for (const [key, entry] of record.entries) {
    const value = toJsonValue(entry.value);
    e.push(entry.expiresAt === undefined ? [key, value] : [key, value, entry.expiresAt]);
  }
  const stored: StoredRecord = { e, m: record.meta, x: record.expiresAt };
  return JSON.stringify(stored);
}

/** Decodes what {@link encodeRecord} wrote into a fresh record the caller may mutate. */
export function decodeRecord(text: string): SessionRecord {
  const stored = JSON.parse(text) as StoredRecord;
  const entries = new Map<string, StoredEntry>();
  for (const [key, json, expiresAt] of stored.e) {
    const value = fromJsonValue(json);
    entries.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
  }
  return { entries, meta: stored.m, expiresAt: stored.x };
}

/**
 * The record as `patch` leaves it, in the contract's order: `clear`, then `remove`, then `set`;
 * `meta` replaces the stored meta whole when present; `expiresAt` always replaces.
 */
export function applyPatch(record: SessionRecord, patch: SessionPatch): SessionRecord {
  const entries = patch.clear ? new Map<string, StoredEntry>() : new Map(record.entries);
  for (const key of patch.remove) entries.delete(key);
  for (const [key, entry] of patch.set) entries.set(key, entry);
  return { entries, meta: patch.meta ?? record.meta, expiresAt: patch.expiresAt };
}

/** Bytes and entries of a record in the contract's measure (`RecordLimits`). */
function measure(record: SessionRecord): { bytes: number; keys: number } {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const [key, entry] of record.entries) {
    const value = entry.value;
    bytes += encoder.encode(key).length;
    bytes += typeof value === 'string' ? encoder.encode(value).length : value.length;
  }
  return { bytes, keys: record.entries.size };
}

/**
 * Whether `after` respects `patch.limits`: within both bounds, or no larger in either measure
 * than `before` (so a session already over its limits can always shrink back under them).
 */
export function fitsLimits(
  before: SessionRecord,
  after: SessionRecord,
  patch: SessionPatch,
): boolean {
  const limits = patch.limits;
  if (limits === undefined) return true;
  const next = measure(after);
  if (next.bytes <= limits.maxBytes && next.keys <= limits.maxKeys) return true;
  const previous = measure(before);
  return next.bytes <= previous.bytes && next.keys <= previous.keys;
}
