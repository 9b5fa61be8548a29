import type {
  CreateResult,
  RotateResult,
  SessionPatch,
  SessionRecord,
  SessionStore,
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
  /** `atomicRotate: true` (standalone and Cluster), `deleteExpired: false` (Redis expires keys). */
  readonly capabilities: { readonly atomicRotate: true; readonly deleteExpired: false };
  /** The key prefix in use (see `RedisStoreOptions.prefix`). */
  readonly prefix: string;
  /** The per-operation deadline in ms (see `RedisStoreOptions.timeoutMs`). */
  readonly timeoutMs: number;
  /** See {@link SessionStore.load}: one `HGETALL`. */
  load(key: string): Promise<SessionRecord | undefined>;
  /** See {@link SessionStore.create}: one script. */
  create(key: string, record: SessionRecord): Promise<CreateResult>;
  /** See {@link SessionStore.patch}: one script. */
  patch(key: string, patch: SessionPatch): Promise<WriteResult>;
  /** See {@link SessionStore.touch}: one script. */
  touch(key: string, expiresAt: number): Promise<WriteResult>;
  /**
   * See {@link SessionStore.rotate}: one script on a standalone Redis; three round trips on a
   * Cluster, where the two keys live in different slots (new written before old removed).
   */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult>;
  /** See {@link SessionStore.destroy}: one script (`UNLINK`). */
  destroy(key: string): Promise<void>;
}
