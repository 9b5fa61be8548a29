import type { Awaitable } from '../types/awaitable.js';
import type {
  ConditionalWriteResult,
  CreateResult,
  DestroyUserSessionsOptions,
  EntryCondition,
  PatchResult,
  RotateResult,
  SessionPatch,
  SessionRecord,
  UserSessionRecord,
  WriteResult,
} from './session-record.js';

/**
 * What a store declares it can do. The engine reads these flags to choose a code path, and the
 * conformance suite reads the same flags to decide which optional groups to run: a store switches
 * a group off only by declaring it cannot do that thing.
 */
export interface StoreCapabilities {
  /**
   * `rotate` moves a record to a new key in one atomic step (the new key is written before the old
   * one disappears, and a concurrent patch to the old key cannot be lost). When false the engine
   * emulates rotation with `create(new)` then `destroy(old)`, which a concurrent write can race.
   */
  readonly atomicRotate: boolean;
  /** The store implements {@link SessionStore.deleteExpired} (bulk removal of expired records). */
  readonly deleteExpired: boolean;
  /**
   * The store indexes records by `meta.userId` and implements
   * {@link SessionStore.listUserSessions} and {@link SessionStore.destroyUserSessions}, which the
   * manager's `listUserSessions` / `revokeUserSessions` need. Absent means false.
   */
  readonly userIndex?: boolean | undefined;
  /**
   * The store implements {@link SessionStore.patchIf} (compare-and-set on one entry), which
   * `Session.update` (optimistic read-modify-write of one key) needs. Absent means false.
   */
  readonly conditionalPatch?: boolean | undefined;
  /**
   * The store enforces `SessionPatch.limits` atomically in `patch`, `patchIf` and `rotate`
   * (answering `too-large` and writing nothing), so parallel requests cannot together grow a
   * session past the manager's `limits`. Absent means false: limits are then checked per request
   * only, against the session as that request loaded it.
   */
  readonly recordLimits?: boolean | undefined;
  /**
   * The store implements {@link SessionStore.countSessions}, and how exact its answer is. Absent
   * means the store cannot count.
   *
   * - `'exact'`: the number of live records at one instant (one atomic read: a snapshot, or an
   *   index kept in step with every write).
   * - `'approximate'`: not a snapshot (a scan, say). A record live for the whole call is counted
   *   once and a record absent for the whole call is not; one created, removed or expiring while
   *   the call runs may or may not be. With no writes meanwhile it equals the exact count.
   */
  readonly count?: 'exact' | 'approximate' | undefined;
  /**
   * The store holds binary entry values (`Uint8Array`, from a binary codec such as MessagePack)
   * beside text ones, returning each in the form it was written. Absent means false: the manager
   * then refuses a binary codec with `MISCONFIGURED`.
   */
  readonly binaryValues?: boolean | undefined;
}

/**
 * The contract between the session engine and a storage backend.
 *
 * - Keys are opaque ASCII strings made by the engine (a SHA-256 hash of the session ID, base64url,
 *   43 characters). A store never sees a raw session ID or anything taken from the request.
 * - Instants are absolute epoch milliseconds chosen by the engine. A record is live while
 *   `now < expiresAt`; from `expiresAt` on it is absent for every method.
 * - Methods may return values or promises. A store signals failure by throwing (or rejecting); the
 *   engine turns that into a `SessionError` with code `STORE_UNAVAILABLE` and never into an empty
 *   session. Stores should bound every operation with a deadline. A write that rejects may have
 *   been applied before it rejected (a timeout), but must never apply after it has rejected (stores
 *   check the deadline on the backend's clock, assuming it agrees with the app's, as expiry does).
 * - Every method must be safe to call concurrently for the same key, and operations on one key are
 *   linearizable: once a call has resolved, every later call sees its effect (no stale replicas).
 * - The engine never mutates a record or patch it passed in, and never mutates what `load`
 *   returned; a store must likewise not keep references that let later caller mutations through.
 *
 * Run `@sessions/testing`'s `describeStoreConformance` against an implementation to prove it.
 */
export interface SessionStore {
  /** A short name for error messages, e.g. `"redis"`. */
  readonly name: string;
  /** See {@link StoreCapabilities}. */
  readonly capabilities: StoreCapabilities;

  /** Returns the record, or `undefined` when it does not exist or has expired. */
  load(key: string): Awaitable<SessionRecord | undefined>;

  /** Inserts a new record. Never overwrites: an existing live record yields `conflict`. */
  create(key: string, record: SessionRecord): Awaitable<CreateResult>;

  /**
   * Applies a patch atomically to a live record. Yields `missing` (and writes nothing) when the
   * record is absent or expired, so an in-flight request can never resurrect a destroyed session.
   * Patches touching different keys of one record, applied concurrently, must all survive.
   */
  patch(key: string, patch: SessionPatch): Awaitable<PatchResult>;

  /**
   * Applies `patch` like {@link SessionStore.patch}, but only if the entry named by `condition`
   * holds exactly the expected encoding (or is absent, as expected) at that moment, checked and
   * applied in one atomic step: `conflict` (nothing written) when it does not, `missing` when the
   * record is absent or expired. Present when `capabilities.conditionalPatch` is true.
   */
  patchIf?(
    key: string,
    condition: EntryCondition,
    patch: SessionPatch,
  ): Awaitable<ConditionalWriteResult>;

  /** Moves the expiry of a live record and nothing else. Yields `missing` when it is gone. */
  touch(key: string, expiresAt: number): Awaitable<WriteResult>;

  /**
   * Moves a live record from `fromKey` to `toKey`, applying `patch` to it, so that afterwards only
   * `toKey` exists. Yields `missing` when `fromKey` is absent or expired (nothing is written, even
   * if `toKey` exists) and `conflict` when `toKey` holds a live record or equals `fromKey` (nothing
   * is changed). See {@link StoreCapabilities.atomicRotate}.
   */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): Awaitable<RotateResult>;

  /** Removes the record. Removing an absent record is not an error. */
  destroy(key: string): Awaitable<void>;

  /**
   * Removes expired records and returns how many this call removed (records the backend expired
   * on its own meanwhile need not be counted). Present when `capabilities.deleteExpired` is true;
   * call it from a scheduled job.
   */
  deleteExpired?(): Awaitable<number>;

  /**
   * Counts the live records (`now < expiresAt`) in this store's namespace (its key prefix, schema
   * or table) and nothing else: never an expired record still held, never another store's record.
   * Present when `capabilities.count` is set, which also says whether the answer is a snapshot.
   * Meant for admin pages, metrics and scheduled jobs, not for the request path: each store's
   * README states its cost.
   */
  countSessions?(): Awaitable<number>;

  /**
   * Lists the live records whose stored `meta.userId` equals `userId`, in no particular order.
   * Present when `capabilities.userIndex` is true.
   *
   * - The index is maintained atomically: records bound concurrently (many sign-ins of one user
   *   at once) all appear; no read-modify-write of a list.
   * - A record appears exactly while it is live and bound to this user: not after it expired, was
   *   destroyed, moved by `rotate` (its new key appears instead) or was re-bound to another user.
   *   Stale index entries found on the way are removed.
   * - The engine sends `meta` with every write to a record whose meta carries a `userId` (it never
   *   uses `touch` for one), so a store can keep its index's own expiry in step with the record's
   *   without reading it.
   */
  listUserSessions?(userId: string): Awaitable<readonly UserSessionRecord[]>;

  /**
   * Destroys the live records bound to `userId` (narrowed by `options`) and returns their keys.
   * Each record is removed only if it is still bound to `userId` when it is removed, so a record
   * re-bound to another user meanwhile survives. After this resolves, `load` of every returned key
   * yields `undefined` and no write to it applies: revocation is effective on the next request.
   * Present when `capabilities.userIndex` is true.
   */
  destroyUserSessions?(
    userId: string,
    options?: DestroyUserSessionsOptions,
  ): Awaitable<readonly string[]>;
}
