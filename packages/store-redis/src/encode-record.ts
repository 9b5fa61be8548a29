import {
  type EntryCondition,
  type RecordLimits,
  SessionError,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type StoredEntry,
} from '@sessions/core';
import { expireAtArg, instantText } from './instants.js';
import { assertUserId, ENTRY_EXPIRY_PREFIX, INTERNAL_FIELD_MARK } from './key-layout.js';
import { type ValueArg, valueArg } from './value-form.js';

/** A record turned into script arguments, copied out of the caller's objects at call time. */
export interface EncodedRecord {
  /** The meta JSON. */
  readonly meta: string;
  /** `meta.userId`, or `''` for an anonymous record. */
  readonly user: string;
  /** `expiresAt` as stored in the hash. */
  readonly expiresAt: string;
  /** The `PEXPIREAT` argument. */
  readonly expireAt: string;
  /**
   * Entry fields as flat `field, value` pairs: each entry (its value in the stored form of
   * `value-form.ts`), and `\0e<key>` for a per-key expiry.
   */
  readonly fields: readonly ValueArg[];
  /** Whether any entry value is binary (bytes behind their marker). */
  readonly binary: boolean;
}

/** A patch turned into script arguments, copied out of the caller's objects at call time. */
export interface EncodedPatch {
  /** Drop every entry first. */
  readonly clear: boolean;
  /** Replacement meta JSON, or `''` to keep the stored meta (meta JSON is never empty). */
  readonly meta: string;
  /** With a replacement meta: its `userId`, or `''` when it binds no user. Else `''`. */
  readonly user: string;
  /** New `expiresAt` as stored in the hash. */
  readonly expiresAt: string;
  /** The `PEXPIREAT` argument. */
  readonly expireAt: string;
  /** `limits.maxBytes` as decimal text, or `''` for no bound (no limits, or an infinite one). */
  readonly maxBytes: string;
  /** `limits.maxKeys` as decimal text, or `''` for no bound (no limits, or an infinite one). */
  readonly maxKeys: string;
  /** Entry keys to delete. */
  readonly remove: readonly string[];
  /** Entries to write as flat `key, stored value, per-key expiry or ''` triples. */
  readonly set: readonly ValueArg[];
  /** Whether any value in `set` is binary (bytes behind their marker). */
  readonly binary: boolean;
}

/** The condition of a conditional patch, checked and copied out of the caller's object. */
export interface EncodedCondition {
  /** The entry to compare. */
  readonly key: string;
  /** The stored form it must hold (see `value-form.ts`), or `undefined` for "absent". */
  readonly value: ValueArg | undefined;
}

/**
 * Entry keys become hash fields as they are. The contract rules out U+0000, and this store relies
 * on it: internal fields start with U+0000, so a key with one could overwrite them.
 */
function entryKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.includes(INTERNAL_FIELD_MARK)) {
    throw new SessionError(
      'INVALID_KEY',
      'redis store: entry keys must be non-empty strings without U+0000',
    );
  }
  return key;
}

function entryValue(entry: StoredEntry): ValueArg {
  return valueArg(entry.value, 'an entry value');
}

function entryExpiry(entry: StoredEntry): string | undefined {
  return entry.expiresAt === undefined
    ? undefined
    : instantText(entry.expiresAt, 'an entry expiresAt');
}

function metaJson(meta: SessionMeta): string {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new SessionError('INVALID_VALUE', 'redis store: meta must be an object');
  }
  return JSON.stringify(meta);
}

/**
 * The user a meta binds the record to, or `''`. The store indexes by it, so it must be a
 * non-empty, well-formed string when present (the engine's `signIn` guarantees more).
 */
function boundUser(meta: SessionMeta): string {
  const { userId } = meta;
  if (userId === undefined) return '';
  assertUserId(userId, 'meta.userId');
  return userId;
}

/** One bound of `SessionPatch.limits`: a non-negative integer, or `Infinity` for none (`''`). */
function limitBound(bound: unknown, what: string): string {
  if (bound === Number.POSITIVE_INFINITY) return '';
  if (typeof bound !== 'number' || !Number.isSafeInteger(bound) || bound < 0) {
    throw new SessionError(
      'INVALID_VALUE',
      `redis store: patch.limits.${what} must be a non-negative integer`,
    );
  }
  return String(bound);
}

/** The patch's limits as script arguments: `['', '']` without limits. */
function limitArgs(limits: RecordLimits | undefined): { maxBytes: string; maxKeys: string } {
  if (limits === undefined) return { maxBytes: '', maxKeys: '' };
  if (typeof limits !== 'object' || limits === null) {
    throw new SessionError('INVALID_VALUE', 'redis store: patch.limits must be an object');
  }
  return {
    maxBytes: limitBound(limits.maxBytes, 'maxBytes'),
    maxKeys: limitBound(limits.maxKeys, 'maxKeys'),
  };
}

/** Encodes a whole record (for `create`). Throws `SessionError` for values outside the contract. */
export function encodeRecord(record: SessionRecord): EncodedRecord {
  const expiresAt = instantText(record.expiresAt, 'record.expiresAt');
  const fields: ValueArg[] = [];
  let binary = false;
  for (const [key, entry] of record.entries) {
    const value = entryValue(entry);
    if (typeof value !== 'string') binary = true;
    fields.push(entryKey(key), value);
    const expiry = entryExpiry(entry);
    if (expiry !== undefined) fields.push(`${ENTRY_EXPIRY_PREFIX}${key}`, expiry);
  }
  return {
    meta: metaJson(record.meta),
    user: boundUser(record.meta),
    expiresAt,
    expireAt: expireAtArg(record.expiresAt),
    fields,
    binary,
  };
}

/** Encodes a patch (for `patch` and `rotate`). Throws `SessionError` for values outside the contract. */
export function encodePatch(patch: SessionPatch): EncodedPatch {
  const expiresAt = instantText(patch.expiresAt, 'patch.expiresAt');
  const set: ValueArg[] = [];
  let binary = false;
  for (const [key, entry] of patch.set) {
    const value = entryValue(entry);
    if (typeof value !== 'string') binary = true;
    set.push(entryKey(key), value, entryExpiry(entry) ?? '');
  }
  return {
    clear: patch.clear === true,
    meta: patch.meta === undefined ? '' : metaJson(patch.meta),
    user: patch.meta === undefined ? '' : boundUser(patch.meta),
    expiresAt,
    expireAt: expireAtArg(patch.expiresAt),
    ...limitArgs(patch.limits),
    remove: patch.remove.map(entryKey),
    set,
    binary,
  };
}

/** Encodes a `patchIf` condition. Throws `SessionError` for values outside the contract. */
export function encodeCondition(condition: EntryCondition): EncodedCondition {
  if (typeof condition !== 'object' || condition === null) {
    throw new SessionError('INVALID_VALUE', 'redis store: a patchIf condition must be an object');
  }
  const { key, value } = condition;
  return {
    key: entryKey(key),
    value: value === undefined ? undefined : valueArg(value, 'a patchIf condition value'),
  };
}
