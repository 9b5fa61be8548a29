import { createHash } from 'node:crypto';
import { SessionError } from '@sessions/core';

/*
 * How a session is laid out in Redis.
 *
 * One HASH per session at `<prefix>{<store key>}`. The store key is the engine's
 * base64url(SHA-256(session ID)), never request bytes, and the braces make it the Redis Cluster
 * hash tag, so everything about one session lives in one slot. Its fields:
 *
 * - `<entry key>` → the entry's encoded value, byte for byte: text as is, bytes behind one marker
 *   byte 0x00 (see `value-form.ts`). Entry keys never contain U+0000.
 * - `\0e<entry key>` → that entry's per-key expiry (epoch ms, decimal), when it has one.
 * - `\0m` → the engine's meta as JSON.
 * - `\0x` → the record's `expiresAt` (epoch ms, decimal), mirrored by the key's own expiry.
 * - `\0o` → the ids of the last few writes (see `OPS_KEPT`), which make replayed writes no-ops
 *   and double as the record's version.
 * - `\0u` → the user the record is bound to (`meta.userId`, raw), present exactly while the meta
 *   has one. Written with the meta by every write that replaces it, so scripts can tell whom a
 *   record belongs to by comparing bytes, without parsing JSON in Lua.
 * - `\0s` → the record's size in the contract's measure (`RecordLimits`), as
 *   `<bytes>:<entries>:<write id>`: bytes is the sum over entries of the UTF-8 length of the key
 *   plus that of the value (a binary value's byte length, without its marker; per-key expiry
 *   fields excluded), entries their number. Kept by every
 *   write from the lengths of the entries it changes only (see `lua/record-size.ts`), so enforcing
 *   `SessionPatch.limits` never reads the whole hash. The write id is the last one in `\0o` when
 *   the totals were current: a hash written before this field existed, or by an older version of
 *   the store during a rolling deploy (which pushes its id without updating the totals), fails
 *   that check and is measured once by a full scan instead.
 *
 * Internal fields start with U+0000, which entry keys cannot contain, so no entry can collide
 * with them (the engine's own keys start with U+0001). A record with no entries still exists:
 * its internal fields are always there.
 *
 * After a rotation the old slot keeps, for `TOMBSTONE_TTL_MS`, a STRING at
 * `<prefix>{<old store key>}:moved` holding the moved record's write ids, so a rotation (or a
 * write that was carried along by it) re-sent after a reconnect is recognised as already done.
 *
 * After `destroyUserSessions`, each revoked (or already absent) record leaves, for at least
 * `TOMBSTONE_TTL_MS`, a STRING at `<prefix>{<store key>}:revoked` that makes every later create
 * of that key answer `conflict`: a write already in flight (a sign-in's copy, a re-sent create)
 * can then never bring a revoked key back.
 *
 * Each user with bound records has a sorted set at `<prefix>user:{<user hash>}`, the user index
 * (see `user-index.ts`): members are store keys, `<user hash>` is base64url(SHA-256(user ID)), so
 * no byte of the user ID reaches a key name, a pattern or a hash tag.
 *
 * On a standalone Redis, one sorted set at `<prefix>live` lists every session hash by key name,
 * scored by its `expiresAt` (see `live-index.ts`): `countSessions` is one `ZCOUNT` of it. A
 * Cluster has no such key (every write would need a round trip to its slot): it counts by `SCAN`.
 */

/** Hash field holding the meta JSON. */
export const FIELD_META = '\u0000m';
/** Hash field holding the record's `expiresAt`. */
export const FIELD_EXPIRES_AT = '\u0000x';
/** Hash field holding the recent write ids. */
export const FIELD_OPS = '\u0000o';
/** Hash field holding the bound user ID (absent for an anonymous record). */
export const FIELD_USER = '\u0000u';
/** Hash field holding the record's size totals, `<bytes>:<entries>:<write id>`. */
export const FIELD_SIZE = '\u0000s';
/** Prefix of the hash fields holding per-key expiries (followed by the entry key). */
export const ENTRY_EXPIRY_PREFIX = '\u0000e';
/** First character of every internal field. */
export const INTERNAL_FIELD_MARK = '\u0000';
/** Suffix of the rotation tombstone key. */
const TOMBSTONE_SUFFIX = ':moved';
/** Suffix of the revocation marker key. */
const REVOKED_SUFFIX = ':revoked';
/** What comes between the prefix and the hash tag of a user index key. */
const USER_INDEX_INFIX = 'user:';
/** What follows the prefix in the live index key (no brace: never a session hash's name). */
const LIVE_INDEX_SUFFIX = 'live';
/** How long a rotation tombstone lives (Redis-relative, housekeeping only). */
export const TOMBSTONE_TTL_MS = 60_000;
/** How long a user index outlives the latest expiry written to it. */
export const INDEX_TTL_SLACK_MS = 60_000;

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
  /** The short-lived STRING left behind by a revocation (same hash tag, so same slot). */
  readonly revoked: string;
}

/** Maps store keys to Redis keys under one prefix. */
export interface KeyLayout {
  /** The Redis keys for `storeKey`; throws `SessionError('INVALID_KEY')` for a malformed one. */
  keysFor(storeKey: string): SessionKeys;
  /** Whether `storeKey` is a well-formed store key (one `keysFor` accepts). */
  isStoreKey(storeKey: unknown): storeKey is string;
  /**
   * The user index key of `userId`: `<prefix>user:{<base64url(SHA-256(userId))>}`. Throws
   * `SessionError('INVALID_VALUE')` unless `userId` is a non-empty, well-formed string.
   */
  indexFor(userId: string): string;
  /** The live index key, `<prefix>live` (standalone Redis only; see `live-index.ts`). */
  readonly live: string;
  /** The `SCAN` pattern matching every session hash's name and nothing else: `<prefix>{*}`. */
  readonly recordPattern: string;
}

/**
 * Checks a user ID the store indexes by: a non-empty string without lone surrogates (which UTF-8
 * would turn into U+FFFD, making two IDs one). The engine enforces more (length, no control
 * characters); the store needs only this to keep users apart.
 */
export function assertUserId(userId: unknown, what = 'a user ID'): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0 || !userId.isWellFormed()) {
    throw new SessionError(
      'INVALID_VALUE',
      `redis store: ${what} must be a non-empty string without lone surrogates`,
    );
  }
}

/** Builds the key layout for `prefix` (already validated by the options). */
export function createKeyLayout(prefix: string): KeyLayout {
  const isStoreKey = (storeKey: unknown): storeKey is string =>
    typeof storeKey === 'string' && STORE_KEY.test(storeKey);
  return {
    keysFor(storeKey) {
      if (!isStoreKey(storeKey)) {
        throw new SessionError(
          'INVALID_KEY',
          'redis store: a store key must be 1-128 base64url characters (the engine makes them)',
        );
      }
      const record = `${prefix}{${storeKey}}`;
      return {
        record,
        tombstone: `${record}${TOMBSTONE_SUFFIX}`,
        revoked: `${record}${REVOKED_SUFFIX}`,
      };
    },
    isStoreKey,
    live: `${prefix}${LIVE_INDEX_SUFFIX}`,
    // Glob characters in the prefix are escaped; braces cannot occur in it (the options refuse
    // them), so `{` right after the prefix starts a store key and `}` at the end closes it, which
    // rules out the `:moved` and `:revoked` markers and other prefixes' keys.
    recordPattern: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}{*}`,
    indexFor(userId) {
      assertUserId(userId);
      const hash = createHash('sha256').update(userId, 'utf8').digest('base64url');
      return `${prefix}${USER_INDEX_INFIX}{${hash}}`;
    },
  };
}
