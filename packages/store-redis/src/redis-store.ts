import type {
  ConditionalWriteResult,
  CreateResult,
  DestroyUserSessionsOptions,
  EntryCondition,
  PatchResult,
  RotateResult,
  SessionPatch,
  SessionRecord,
  SessionStore,
  UserSessionRecord,
  WriteResult,
} from '@sessions/core';

/**
 * A {@link SessionStore} on Redis. Every method returns a promise that settles within the store's
 * `timeoutMs` and rejects (never resolves to "no session") when Redis is unreachable, slow or
 * answers with an error; the engine reports that as `SessionError('STORE_UNAVAILABLE')`.
 */
export interface RedisStore extends SessionStore {
  /** `'redis'`. */
  readonly name: string;
  /**
   * `atomicRotate: true` (standalone and Cluster), `deleteExpired: true` (Redis expires the
   * records itself; the method prunes the live index), `userIndex: true` (records are indexed by
   * `meta.userId`), `conditionalPatch: true` (`patchIf`, which `Session.update` needs),
   * `recordLimits: true` (`patch`, `patchIf` and `rotate` enforce `SessionPatch.limits`
   * atomically with the write, answering `too-large`), `count: 'exact'` on a standalone Redis
   * (the live index) and `'approximate'` on a Cluster (a `SCAN`), and `binaryValues: true` (bytes
   * from a binary codec such as MessagePack are held beside text, each returned in its form).
   */
  readonly capabilities: {
    readonly atomicRotate: true;
    readonly deleteExpired: true;
    readonly userIndex: true;
    readonly conditionalPatch: true;
    readonly recordLimits: true;
    readonly count: 'exact' | 'approximate';
    readonly binaryValues: true;
  };
  /** The key prefix in use (see `RedisStoreOptions.prefix`). */
  readonly prefix: string;
  /** The per-operation deadline in ms (see `RedisStoreOptions.timeoutMs`). */
  readonly timeoutMs: number;
  /**
   * See {@link SessionStore.load}: one `HGETALL`, read as text until the store meets a binary
   * value and as bytes from then on (the load that first finds one in a text reply reads it again
   * as bytes: two round trips, once per store).
   */
  load(key: string): Promise<SessionRecord | undefined>;
  /**
   * See {@link SessionStore.create}: one script. In Cluster, a record bound to a user costs one
   * more round trip (the user index is updated first, in its own slot).
   */
  create(key: string, record: SessionRecord): Promise<CreateResult>;
  /**
   * See {@link SessionStore.patch}: one script (Cluster with a bound meta: two, as `create`),
   * whose cost depends on the entries the patch changes, not on the session's size.
   */
  patch(key: string, patch: SessionPatch): Promise<PatchResult>;
  /**
   * See {@link SessionStore.patchIf}: one script that compares the entry and applies the patch
   * (Cluster with a bound meta: two, as `patch`). A copy re-sent after a reconnect answers `ok`.
   */
  patchIf(
    key: string,
    condition: EntryCondition,
    patch: SessionPatch,
  ): Promise<ConditionalWriteResult>;
  /** See {@link SessionStore.touch}: one script. */
  touch(key: string, expiresAt: number): Promise<WriteResult>;
  /**
   * See {@link SessionStore.rotate}: one script on a standalone Redis; three round trips on a
   * Cluster, where the two keys live in different slots (new written before old removed), plus
   * one for a bound meta (the user index first).
   */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult>;
  /**
   * See {@link SessionStore.destroy}: one script (`UNLINK`). The record's entry in its user's
   * index is left behind, and pruned by the next listing or revocation.
   */
  destroy(key: string): Promise<void>;
  /**
   * See {@link SessionStore.countSessions}. Standalone: exact, one `ZCOUNT` of the live index
   * (O(log N)), which every write script keeps in the same round trip. Cluster: approximate, a
   * `SCAN` of every master (O(keys in the cluster), about one round trip per 1,000 keys per
   * master), since an index there would cost every write a round trip. See the README.
   */
  countSessions(): Promise<number>;
  /**
   * See {@link SessionStore.deleteExpired}. Redis expires the records by itself; on a standalone
   * Redis this prunes their entries from the live index (1,000 per script, each bounded by
   * `timeoutMs`) and returns how many it pruned (creates prune a few each, so the index stays
   * bounded without it). On a Cluster there is nothing to remove: it resolves to 0.
   */
  deleteExpired(): Promise<number>;
  /**
   * See {@link SessionStore.listUserSessions}: a `ZRANGE` of the user's index, then one `HMGET`
   * (meta, expiry and user: no session data) per entry, sent together; stale entries found on the
   * way are pruned by one more script.
   */
  listUserSessions(userId: string): Promise<UserSessionRecord[]>;
  /**
   * See {@link SessionStore.destroyUserSessions}: a `ZRANGE` of the user's index (none with
   * `only`), one script per candidate that deletes it only if it is still bound to `userId`, sent
   * together, and one script pruning the index. Repeated for sessions that a concurrent rotation
   * moved to a new key meanwhile.
   */
  destroyUserSessions(userId: string, options?: DestroyUserSessionsOptions): Promise<string[]>;
}
