import type { SessionMeta, SessionRecord, StoredEntry, UserSessionRecord } from '@sessions/core';
import { instantFromText } from './instants.js';
import { decodeEntry } from './stored-entries.js';

/**
 * Builds a record from the load statement's row: `[entries, meta, expiresAt]`, all text.
 *
 * - `entries` is the JSON text of `[[key, entry], ...]`, already in insertion order (the SQL sorts
 *   by each entry's `o`). Entries go into a `new Map()`, so keys such as `__proto__` stay data;
 *   no data key is ever used to index a plain object.
 * - `meta` is the JSON text of the meta object, returned as stored (a fresh object per load).
 * - `expiresAt` is the exact epoch-ms numeric as text.
 *
 * Every call returns fresh objects, so a caller mutating a loaded record changes nothing stored.
 */
export function rowToRecord(row: readonly unknown[]): SessionRecord {
  const [entriesText, metaText, expiresText] = row;
  const pairs: unknown = JSON.parse(asText(entriesText, 'entries'));
  if (!Array.isArray(pairs)) throw new Error('postgres store: entries did not load as a list');
  const entries = new Map<string, StoredEntry>();
  for (const pair of pairs as unknown[]) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string') {
      throw new Error('postgres store: an entry did not load as a [key, entry] pair');
    }
    const key: string = pair[0];
    entries.set(key, decodeEntry(key, pair[1]));
  }
  return { entries, meta: metaFromText(metaText), expiresAt: instantFromText(expiresText) };
}

/**
 * Builds a listing entry from the user-listing statement's row: `[key, meta, expiresAt]`, all
 * text. Fresh objects per call, as for {@link rowToRecord}.
 */
export function rowToUserSession(row: readonly unknown[]): UserSessionRecord {
  const [key, metaText, expiresText] = row;
  return {
    key: asText(key, 'key'),
    meta: metaFromText(metaText),
    expiresAt: instantFromText(expiresText),
  };
}

/** The stored meta's JSON text as an object. */
function metaFromText(text: unknown): SessionMeta {
  const meta: unknown = JSON.parse(asText(text, 'meta'));
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new Error('postgres store: meta did not load as an object');
  }
  return meta as SessionMeta;
}

function asText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`postgres store: ${what} did not load as text`);
  return value;
}
