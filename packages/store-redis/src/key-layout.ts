import { SessionError } from '@sessions/core';

/*
 * How a session is laid out in Redis.
 *
 * One HASH per session at `<prefix>{<store key>}`. The store key is the engine's
 * base64url(SHA-256(session ID)), never request bytes, and the braces make it the Redis Cluster
 * hash tag, so everything about one session lives in one slot. Its fields:
 *
 * - `<entry key>` → the entry's encoded value, byte for byte. Entry keys never contain U+0000.
 * - `\0e<entry key>` → that entry's per-key expiry (epoch ms, decimal), when it has one.
 * - `\0m` → the engine's meta as JSON.
 * - `\0x` → the record's `expiresAt` (epoch ms, decimal), mirrored by the key's own expiry.
 * - `\0o` → the ids of the last few writes (see `OPS_KEPT`), which make replayed writes no-ops
 *   and double as the record's version.
 *
 * Internal fields start with U+0000, which entry keys cannot contain, so no entry can collide
 * with them (the engine's own keys start with U+0001). A record with no entries still exists:
 * its internal fields are always there.
 *
 * After a rotation the old slot keeps, for `TOMBSTONE_TTL_MS`, a STRING at
 * `<prefix>{<old store key>}:moved` holding the moved record's write ids, so a rotation (or a
 * write that was carried along by it) re-sent after a reconnect is recognised as already done.
 */

/** Hash field holding the meta JSON. */
export const FIELD_META = '\u0000m';
/** Hash field holding the record's `expiresAt`. */
export const FIELD_EXPIRES_AT = '\u0000x';
/** Hash field holding the recent write ids. */
export const FIELD_OPS = '\u0000o';
/** Prefix of the hash fields holding per-key expiries (followed by the entry key). */
export const ENTRY_EXPIRY_PREFIX = '\u0000e';
/** First character of every internal field. */
export const INTERNAL_FIELD_MARK = '\u0000';
/** Suffix of the rotation tombstone key. */
const TOMBSTONE_SUFFIX = ':moved';
/** How long a rotation tombstone lives (Redis-relative, housekeeping only). */
export const TOMBSTONE_TTL_MS = 60_000;

/**
 * Store keys are made by the engine (43 base64url characters). Anything else is refused before a
 * Redis key is built from it, so a caller bug can never smuggle braces, globs or separators in.
 */
const STORE_KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** The Redis keys of one session. */
export interface SessionKeys {
  /** The HASH holding the record. */
  readonly record: string;
  /** The short-lived STRING left behind by a rotation (same hash tag, so same slot). */
  readonly tombstone: string;
}

/** Maps store keys to Redis keys under one prefix. */
export interface KeyLayout {
  /** The Redis keys for `storeKey`; throws `SessionError('INVALID_KEY')` for a malformed one. */
  keysFor(storeKey: string): SessionKeys;
}

/** Builds the key layout for `prefix` (already validated by the options). */
export function createKeyLayout(prefix: string): KeyLayout {
  return {
    keysFor(storeKey) {
      if (typeof storeKey !== 'string' || !STORE_KEY.test(storeKey)) {
        throw new SessionError(
          'INVALID_KEY',
          'redis store: a store key must be 1-128 base64url characters (the engine makes them)',
        );
      }
      const record = `${prefix}{${storeKey}}`;
      return { record, tombstone: `${record}${TOMBSTONE_SUFFIX}` };
    },
  };
}
