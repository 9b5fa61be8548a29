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
 * - `x`: the per-key expiry (epoch ms), absent when the key lives as long as the session.
 * - `o`: insertion order. jsonb sorts object keys by length, but the engine hands keys back in
 *   the order they were first set (as the memory store's `Map` does), so each entry carries its
 *   position: new keys get the next number, a replaced key keeps its own.
 */
export interface EncodedEntry {
  readonly v?: string;
  readonly j?: string;
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
  if (typeof value !== 'string') {
    throw new SessionError('INVALID_VALUE', 'postgres store: entry values must be strings');
  }
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: an entry expiresAt must be a finite epoch-ms instant',
    );
  }
  const stored: EncodedEntry =
    value.includes('\u0000') || !value.isWellFormed() ? { j: JSON.stringify(value) } : { v: value };
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
  if (Object.hasOwn(stored, 'v')) {
    value = (stored as { v: unknown }).v;
  } else if (Object.hasOwn(stored, 'j')) {
    const literal = (stored as { j: unknown }).j;
    value = typeof literal === 'string' ? JSON.parse(literal) : undefined;
  }
  if (typeof value !== 'string') throw malformed(key, 'has no string value');
  if (!Object.hasOwn(stored, 'x')) return { value };
  const expiresAt = (stored as { x: unknown }).x;
  if (typeof expiresAt !== 'number') throw malformed(key, 'has a non-numeric expiry');
  return { value, expiresAt };
}

function malformed(key: string, problem: string): Error {
  return new Error(
    `postgres store: the stored entry ${JSON.stringify(key.slice(0, 40))} ${problem}; was the row written by something else?`,
  );
}
