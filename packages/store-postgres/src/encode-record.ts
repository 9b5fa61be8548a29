import {
  type EntryCondition,
  SessionError,
  type SessionPatch,
  type SessionRecord,
} from '@sessions/core';
import { instantToTimestamp } from './instants.js';
import type { EncodedRecord } from './statements/create.js';
import type { EncodedPatch } from './statements/patch.js';
import type { EncodedCondition } from './statements/patch-if.js';
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
    clear: patch.clear === true,
    meta: patch.meta === undefined ? null : encodeMeta(patch.meta),
    userId: patch.meta === undefined ? null : userIdOfMeta(patch.meta),
    expiresAt: instantToTimestamp(patch.expiresAt, 'patch.expiresAt'),
  };
}

/**
 * A `patchIf` condition as statement parameters (see {@link encodeRecord}). The expected value is
 * encoded exactly as a stored entry's value (`v`, or `j` for text Postgres cannot hold), so the
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
  if (typeof value !== 'string') {
    throw new SessionError(
      'INVALID_VALUE',
      'postgres store: a patchIf condition value must be a string or undefined',
    );
  }
  const stored = encodeEntry({ value });
  return stored.j === undefined
    ? { key: checkedKey, field: 'v', text: value }
    : { key: checkedKey, field: 'j', text: stored.j };
}
