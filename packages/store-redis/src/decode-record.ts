import { Buffer } from 'node:buffer';
import type { SessionMeta, SessionRecord, StoredEntry } from '@sessions/core';
import { parseInstant } from './instants.js';
import {
  ENTRY_EXPIRY_PREFIX,
  FIELD_EXPIRES_AT,
  FIELD_META,
  INTERNAL_FIELD_MARK,
} from './key-layout.js';
import { valueFromField } from './value-form.js';

function malformed(what: string): Error {
  return new Error(`redis store: malformed reply (${what})`);
}

/**
 * One hash field and its value, as text or as bytes depending on how the hash was read (see
 * `hash-reader.ts`). Field names are always text (entry keys and internal fields).
 */
export type HashPair = readonly [field: string, value: string | Buffer];

function isValue(value: unknown): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

/** A field's value as text (internal fields always hold text). */
function text(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function fieldName(field: unknown): string {
  if (typeof field === 'string') return field;
  if (Buffer.isBuffer(field)) return field.toString('utf8');
  throw malformed('non-string hash field');
}

/**
 * The field/value pairs of a hash reply, read as text or as bytes (Buffers, so that binary values
 * arrive intact: see `value-form.ts`). ioredis answers `HGETALL` with an object (it defines fields
 * such as `__proto__` and `constructor` as own properties, so they are plain data); a script
 * answers with a flat `[field, value, ...]` array. Both are read into pairs here and never used as
 * a lookup table, so no field name can reach a prototype.
 */
export function hashPairs(reply: unknown): HashPair[] {
  const pairs: HashPair[] = [];
  if (Array.isArray(reply)) {
    if (reply.length % 2 !== 0) throw malformed('odd number of hash elements');
    for (let i = 0; i < reply.length; i += 2) {
      const value: unknown = reply[i + 1];
      if (!isValue(value)) throw malformed('non-string hash element');
      pairs.push([fieldName(reply[i]), value]);
    }
    return pairs;
  }
  if (typeof reply === 'object' && reply !== null) {
    for (const [field, value] of Object.entries(reply)) {
      if (!isValue(value)) throw malformed('non-string hash value');
      pairs.push([field, value]);
    }
    return pairs;
  }
  throw malformed('not a hash');
}

/** Parses a stored meta JSON (throws for anything but a JSON object: a corrupt record). */
export function parseMeta(json: string): SessionMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(json);
  } catch (error) {
    throw new Error('redis store: stored meta is not JSON', { cause: error });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new Error('redis store: stored meta is not an object');
  }
  // The store persists meta without interpreting it (the engine validates what it reads).
  return meta as SessionMeta;
}

/**
 * Builds a fresh record from a session hash's fields; `undefined` for an empty hash (Redis has no
 * such key, or it has expired). Each value comes back in the form it was written: text as a
 * string, bytes as a fresh `Uint8Array` (see `value-form.ts`). Entries go into a `Map`, so any
 * entry key is plain data; their order carries no meaning (Redis hashes keep insertion order only
 * while small). Throws for a hash that is not a session record (missing meta or expiry), which the
 * engine reports as `STORE_UNAVAILABLE` rather than guessing an empty session.
 */
export function decodeRecord(pairs: readonly HashPair[]): SessionRecord | undefined {
  if (pairs.length === 0) return undefined;
  const values = new Map<string, string | Buffer>();
  const expiries = new Map<string, number>();
  let meta: string | undefined;
  let expiresAt: string | undefined;
  for (const [field, value] of pairs) {
    if (!field.startsWith(INTERNAL_FIELD_MARK)) values.set(field, value);
    else if (field === FIELD_META) meta = text(value);
    else if (field === FIELD_EXPIRES_AT) expiresAt = text(value);
    else if (field.startsWith(ENTRY_EXPIRY_PREFIX)) {
      const expiry = parseInstant(text(value), 'entry expiry');
      expiries.set(field.slice(ENTRY_EXPIRY_PREFIX.length), expiry);
    }
    // Other U+0000 fields (the write ids, and any a later version adds) are not data.
  }
  if (meta === undefined || expiresAt === undefined) {
    throw new Error('redis store: the session hash lacks its meta or expiry field');
  }
  const entries = new Map<string, StoredEntry>();
  for (const [key, raw] of values) {
    const expiry = expiries.get(key);
    const value = valueFromField(raw);
    entries.set(key, expiry === undefined ? { value } : { value, expiresAt: expiry });
  }
  return { entries, meta: parseMeta(meta), expiresAt: parseInstant(expiresAt, 'expiresAt') };
}
