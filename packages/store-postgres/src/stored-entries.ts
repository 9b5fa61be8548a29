import { SessionError, type SessionMeta, type StoredEntry } from '@sessions/core';

/**
 * How one entry is stored in the `data` column: `data` is a jsonb object from entry key to
 *
 * ```json
 * { "v": "<the codec's text>", "x": 1767225600000, "o": 3 }
 * ```
 *
 * - `v`: the value exactly as the codec produced it, as a jsonb **string**. Why a string and not
 *   the JSON itself: values are opaque to stores (a custom codec need not produce JSON), and jsonb
 *   would not give the same text back (it reorders object keys, drops duplicates, rewrites numbers
 *   such as `1e3`), while a string round-trips byte for byte. With the JSON codec the value is
 *   still one cast away from SQL: `(data->'user'->>'v')::jsonb`.
 * - `j` instead of `v`: the same text written as a JSON string literal, used only when the text
 *   contains U+0000 or a lone surrogate, which no Postgres `text` or `jsonb` value can hold. The
 *   literal's escapes (`\u0000`, `\ud800`) are plain characters inside the jsonb string, and
 *   `JSON.parse` turns them back into the exact original text. The JSON codec never needs it (it
 *   writes a NUL inside a string as the six characters `\u0000`), so this is for custom codecs.
 * - `b` instead of `v`: a binary value (bytes from a binary codec such as MessagePack), as
 *   standard base64 with padding. Why in the jsonb and not in a `bytea` column: entries live in
 *   one jsonb object per record, so every statement (patch merges, size totals, compare-and-set)
 *   keeps working key by key; a separate column would need its own per-key framing and merge
 *   logic. The cost is base64's third on disk (jsonb is compressed when large); the record-size
 *   totals count the decoded bytes, as the engine does. SQL reads it with
 *   `decode(data->'user'->>'b', 'base64')`.
 * - `x`: the per-key expiry (epoch ms), absent when the key lives as long as the session.
 * - `o`: insertion order. jsonb sorts object keys by length, but the engine hands keys back in
 *   the order they were first set (as the memory store's `Map` does), so each entry carries its
 *   position: new keys get the next number, a replaced key keeps its own.
 */
export interface EncodedEntry {
  readonly v?: string;
  readonly j?: string;
  readonly b?: string;
  readonly x?: number;
}

/** Throws `INVALID_KEY` for a key Postgres cannot hold (the contract already excludes these). */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.includes('\u0000') || !key.isWellFormed()) {
    throw new SessionError(
      'INVALID_KEY',
      'postgres store: entry keys must be non-empty, well-formed strings without U+0000',
    );
  }
  return key;
}

/** The stored form of one entry (see {@link EncodedEntry}). */
export function encodeEntry(entry: StoredEntry): EncodedEntry {
  const { value, expiresAt } = entry;
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: entry values must be strings or Uint8Arrays',
    );
  }
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: an entry expiresAt must be a finite epoch-ms instant',
    );
  }
  const stored: EncodedEntry =
    typeof value !== 'string'
      ? { b: bytesToBase64(value) }
      : value.includes('\u0000') || !value.isWellFormed()
        ? { j: JSON.stringify(value) }
        : { v: value };
  return expiresAt === undefined ? stored : { ...stored, x: expiresAt };
}

/**
 * Entries as the JSON text of `[[key, entry], ...]` in the Map's order: a list of pairs rather
 * than an object keyed by entry keys, so order survives and no key (`__proto__`...) is ever used
 * as a property name. SQL turns it into the `data` object with `jsonb_array_elements`.
 */
export function encodeEntries(entries: ReadonlyMap<string, StoredEntry>): string {
  const pairs: [string, EncodedEntry][] = [];
  for (const [key, entry] of entries) pairs.push([checkKey(key), encodeEntry(entry)]);
  return JSON.stringify(pairs);
}

/** Keys to remove, as the JSON text of an array of strings. */
export function encodeKeys(keys: readonly string[]): string {
  return JSON.stringify(keys.map(checkKey));
}

/** Meta as JSON text. Fields that are `undefined` are left out, which the contract allows. */
export function encodeMeta(meta: SessionMeta): string {
  if (typeof meta !== 'object' || meta === null) {
    throw new SessionError('INVALID_VALUE', 'postgres store: meta must be an object');
  }
  return JSON.stringify(meta);
}

/**
 * Reads one stored entry back. Throws (the engine reports `STORE_UNAVAILABLE`) for a malformed
 * entry rather than guessing, so a damaged row is never served as different data.
 */
export function decodeEntry(key: string, stored: unknown): StoredEntry {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    throw malformed(key, 'is not an object');
  }
  let value: unknown;
  if (Object.hasOwn(stored, 'b')) {
    const base64 = (stored as { b: unknown }).b;
    if (typeof base64 !== 'string' || !BASE64.test(base64)) throw malformed(key, 'has bad base64');
    value = base64ToBytes(base64);
  } else if (Object.hasOwn(stored, 'v')) {
    value = (stored as { v: unknown }).v;
  } else if (Object.hasOwn(stored, 'j')) {
    const literal = (stored as { j: unknown }).j;
    value = typeof literal === 'string' ? JSON.parse(literal) : undefined;
  }
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw malformed(key, 'has no string or binary value');
  }
  if (!Object.hasOwn(stored, 'x')) return { value };
  const expiresAt = (stored as { x: unknown }).x;
  if (typeof expiresAt !== 'number') throw malformed(key, 'has a non-numeric expiry');
  return { value, expiresAt };
}

/** Standard base64 with padding, as `bytesToBase64` writes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes per `String.fromCharCode` call: well under any engine's argument limit. */
const CHUNK = 0x2000;

/**
 * Bytes as standard, padded base64 (the form Postgres `decode(..., 'base64')` reads), with the
 * Web `btoa` rather than Node's `Buffer`, so the store stays runtime-agnostic.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** The bytes of a base64 text already checked against {@link BASE64}. */
function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function malformed(key: string, problem: string): Error {
  return new Error(
    `postgres store: the stored entry ${JSON.stringify(key.slice(0, 40))} ${problem}; was the row written by something else?`,
  );
}
