import {
  type EntryCondition,
  type RecordLimits,
  SessionError,
  type SessionPatch,
  type SessionRecord,
  type StoredEntry,
} from '@sessions/core';
import { instantToTimestamp } from './instants.js';
import type { EncodedRecord } from './statements/create.js';
import type { EncodedPatch } from './statements/patch.js';
import type { EncodedCondition } from './statements/patch-if.js';
import type { EncodedLimits } from './statements/record-size.js';
import { checkKey, encodeEntries, encodeEntry, encodeKeys, encodeMeta } from './stored-entries.js';
import { userIdOfMeta } from './user-ids.js';

/**
 * A record as statement parameters. Everything is read from the caller's objects here, before
 * any I/O, so later mutations by the caller cannot change what is written, and a bad record fails
 * with a typed error without reaching the database.
 */
export function encodeRecord(record: SessionRecord): EncodedRecord {
  if (typeof record !== 'object' || record === null || !(record.entries instanceof Map)) {
    throw new SessionError('INVALID_VALUE', 'postgres store: a record needs an entries Map');
  }
  return {
    entries: encodeEntries(record.entries),
    meta: encodeMeta(record.meta),
    userId: userIdOfMeta(record.meta),
    expiresAt: instantToTimestamp(record.expiresAt, 'record.expiresAt'),
  };
}

/** A patch as statement parameters (see {@link encodeRecord}). */
export function encodePatch(patch: SessionPatch): EncodedPatch {
  if (typeof patch !== 'object' || patch === null || !(patch.set instanceof Map)) {
    throw new SessionError('INVALID_VALUE', 'postgres store: a patch needs a set Map');
  }
  return {
    set: encodeEntries(patch.set),
    remove: encodeKeys(patch.remove),
    // Each key the patch touches once, for the size totals (see `patchedTotals`).
    changed: encodeKeys([...new Set([...patch.remove, ...patch.set.keys()])]),
    ...setSize(patch.set),
    clear: patch.clear === true,
    meta: patch.meta === undefined ? null : encodeMeta(patch.meta),
    userId: patch.meta === undefined ? null : userIdOfMeta(patch.meta),
    expiresAt: instantToTimestamp(patch.expiresAt, 'patch.expiresAt'),
    ...encodeLimits(patch.limits),
  };
}

/**
 * The set entries' count, and an upper bound of their bytes in the contract's measure in any
 * server encoding (no character takes more than 4 bytes, nor fewer than one UTF-16 code unit), for
 * the cheap first check of `withinLimits`. Read after `encodeEntries` validated them.
 */
function storedLength(value: StoredEntry['value']): number {
  return typeof value === 'string' ? value.length : value.byteLength;
}

function setSize(set: ReadonlyMap<string, StoredEntry>): {
  setBytesBound: string;
  setKeys: string;
} {
  let units = 0;
  // A binary value's bytes are its length: within the bound as well.
  for (const [key, entry] of set) units += key.length + storedLength(entry.value);
  return { setBytesBound: String(4 * units), setKeys: String(set.size) };
}

/**
 * A patch's `limits` as numeric texts (`null` for none). A bound must be a number from 0 up;
 * `Infinity` is no bound in that measure.
 */
function encodeLimits(limits: RecordLimits | undefined): EncodedLimits {
  if (limits === undefined) return { maxBytes: null, maxKeys: null };
  if (typeof limits !== 'object' || limits === null) {
    throw new SessionError('INVALID_VALUE', 'postgres store: patch.limits must be an object');
  }
  return {
    maxBytes: encodeBound(limits.maxBytes, 'maxBytes'),
    maxKeys: encodeBound(limits.maxKeys, 'maxKeys'),
  };
}

function encodeBound(bound: unknown, name: string): string {
  if (typeof bound !== 'number' || Number.isNaN(bound) || bound < 0) {
    throw new SessionError(
      'INVALID_VALUE',
      `postgres store: patch.limits.${name} must be a number from 0 up`,
    );
  }
  // String() gives '1e+21' or 'Infinity' where needed; Postgres reads both as numeric.
  return String(bound);
}

/**
 * A `patchIf` condition as statement parameters (see {@link encodeRecord}). The expected value is
 * encoded exactly as a stored entry's value (`v`, `j` for text Postgres cannot hold, `b` for bytes), so the
 * statement compares stored text with stored text.
 */
export function encodeCondition(condition: EntryCondition): EncodedCondition {
  if (typeof condition !== 'object' || condition === null) {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: a patchIf condition must be an object',
    );
  }
  const { key, value } = condition;
  const checkedKey = checkKey(key);
  if (value === undefined) return { key: checkedKey, field: null, text: null };
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: a patchIf condition value must be a string, a Uint8Array or undefined',
    );
  }
  const stored = encodeEntry({ value });
  if (stored.b !== undefined) return { key: checkedKey, field: 'b', text: stored.b };
  return stored.j === undefined
    ? { key: checkedKey, field: 'v', text: value as string }
    : { key: checkedKey, field: 'j', text: stored.j };
}
