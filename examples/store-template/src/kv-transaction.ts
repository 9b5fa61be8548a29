import type { SessionRecord } from '@sessions/core';
import type { KvBackend, KvCheck, KvMutation } from './kv-backend.js';
import { decodeRecord, encodeRecord } from './record-codec.js';

/** A record as read, with the backend version it was read at. */
export interface Versioned {
  readonly record: SessionRecord;
  readonly version: string;
}

/** One record changed by a transaction: what was read (absent: none) and what to leave (absent: delete). */
export interface RecordChange {
  readonly key: string;
  readonly before: Versioned | undefined;
  readonly after: SessionRecord | undefined;
}

/**
 * A user's index: the store keys bound to the user, and an expiry at or after every listed
 * record's (so the index never expires before a session it lists, and an abandoned one expires by
 * itself). Stale keys (expired, destroyed, re-bound) are tolerated: readers check each record.
 */
interface UserIndex {
  readonly keys: readonly string[];
  readonly x: number;
}

/** Backend access for one store: its key prefix and how it names records and user indexes. */
export interface KvSpace {
  readonly kv: KvBackend;
  readonly prefix: string;
}

/** The backend key of a record. */
export function recordKey(space: KvSpace, key: string): string {
  return `${space.prefix}${key}`;
}

/**
 * The backend key of a user's index. User IDs are arbitrary text (up to 256 characters, any
 * Unicode): hashing keeps every one a fixed-length, safe key that cannot collide with a record.
 */
export async function userIndexKey(space: KvSpace, userId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userId));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  const hash = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${space.prefix}user:${hash}`;
}

/** Reads a record and its version. */
export async function readRecord(space: KvSpace, key: string): Promise<Versioned | undefined> {
  const entry = await space.kv.get(recordKey(space, key));
  return entry === undefined
    ? undefined
    : { record: decodeRecord(entry.value), version: entry.version };
}

/** Reads a user's index: its keys (empty when absent), expiry and version. */
export async function readUserIndex(
  space: KvSpace,
  userId: string,
): Promise<{
  readonly key: string;
  readonly index: UserIndex;
  readonly version: string | undefined;
}> {
  const key = await userIndexKey(space, userId);
  const entry = await space.kv.get(key);
  const index: UserIndex =
    entry === undefined ? { keys: [], x: 0 } : (JSON.parse(entry.value) as UserIndex);
  return { key, index, version: entry?.version };
}

/**
 * Commits record changes and the user-index updates they imply in one atomic commit: each record
 * must still have the version it was read at (or still be absent), and each touched index too.
 * Resolves false when any of them changed meanwhile: the caller re-reads and retries.
 */
export async function commitChanges(
  space: KvSpace,
  changes: readonly RecordChange[],
  deadline: number,
): Promise<boolean> {
  const checks: KvCheck[] = [];
  const mutations: KvMutation[] = [];
  /** Per user: keys to add (with their expiry) and keys to drop. */
  const users = new Map<string, { add: Map<string, number>; drop: Set<string> }>();
  const userEntry = (userId: string) => {
    let entry = users.get(userId);
    if (entry === undefined) {
      entry = { add: new Map(), drop: new Set() };
      users.set(userId, entry);
    }
    return entry;
  };

  for (const { key, before, after } of changes) {
    checks.push({ key: recordKey(space, key), version: before?.version });
    mutations.push(
      after === undefined
        ? { type: 'delete', key: recordKey(space, key) }
        : {
            type: 'set',
            key: recordKey(space, key),
            value: encodeRecord(after),
            expiresAt: after.expiresAt,
          },
    );
    const previousUser = before?.record.meta.userId;
    const nextUser = after?.meta.userId;
    if (previousUser !== undefined && previousUser !== nextUser)
      userEntry(previousUser).drop.add(key);
    if (nextUser !== undefined && after !== undefined)
      userEntry(nextUser).add.set(key, after.expiresAt);
  }

  for (const [userId, { add, drop }] of users) {
    const { key, index, version } = await readUserIndex(space, userId);
    const keys = new Set(index.keys);
    for (const dropped of drop) keys.delete(dropped);
    let expiresAt = index.x;
    for (const [added, recordExpiry] of add) {
      keys.add(added);
      expiresAt = Math.max(expiresAt, recordExpiry);
    }
    checks.push({ key, version });
    mutations.push(
      keys.size === 0
        ? { type: 'delete', key }
        : { type: 'set', key, value: JSON.stringify({ keys: [...keys], x: expiresAt }), expiresAt },
    );
  }
  return space.kv.commit(checks, mutations, deadline);
}
