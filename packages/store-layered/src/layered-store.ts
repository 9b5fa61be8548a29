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
 * A {@link SessionStore} made of a hot cache over a cold authority. Every method is async.
 * `capabilities` are the cold store's: rotation is as atomic as cold's, and `deleteExpired`,
 * `countSessions`, the user index (`listUserSessions`, `destroyUserSessions`) and `patchIf` exist exactly when cold has
 * them.
 */
export interface LayeredStore extends SessionStore {
  /**
   * See {@link SessionStore.load}. A hit costs one hot read. A miss costs a hot read, a lease
   * insert, one cold read (shared by concurrent loads of the key in this process) and a fill.
   */
  load(key: string): Promise<SessionRecord | undefined>;
  /** See {@link SessionStore.create}. A lease insert in hot, the create in cold, then the fill. */
  create(key: string, record: SessionRecord): Promise<CreateResult>;
  /** See {@link SessionStore.patch}. Cold, then the hot copy is removed. */
  patch(key: string, patch: SessionPatch): Promise<PatchResult>;
  /**
   * Present when cold has it (`capabilities.conditionalPatch`): cold's `patchIf` (the condition
   * is checked by cold alone, never against a hot copy), then the hot copy is removed as after a
   * patch, whatever the outcome: also on `conflict`, so the reload that follows a conflict reads
   * cold rather than a copy that may be what was out of date.
   */
  patchIf?(
    key: string,
    condition: EntryCondition,
    patch: SessionPatch,
  ): Promise<ConditionalWriteResult>;
  /** See {@link SessionStore.touch}. Cold, then the hot copy is removed. */
  touch(key: string, expiresAt: number): Promise<WriteResult>;
  /** See {@link SessionStore.rotate}. Cold, then both keys' hot copies are removed. */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult>;
  /** See {@link SessionStore.destroy}. Cold, then the hot copy is removed. */
  destroy(key: string): Promise<void>;
  /**
   * Present when cold has it: cold's `deleteExpired` (its count), then hot's when hot has one
   * (hot copies never outlive their records, but a memory store keeps expired ones until swept).
   */
  deleteExpired?(): Promise<number>;
  /**
   * Present when cold can count (`capabilities.count`, copied from cold): cold's count alone, as
   * exact as cold's. Hot holds copies of some sessions only, so it is never asked.
   */
  countSessions?(): Promise<number>;
  /**
   * Present when cold has a user index (`capabilities.userIndex`): cold's listing, never served
   * from hot (a copy cannot know about sessions it does not hold).
   */
  listUserSessions?(userId: string): Promise<readonly UserSessionRecord[]>;
  /**
   * Present when cold has a user index: cold's `destroyUserSessions`, then the hot copy of every
   * key it destroyed is removed exactly as after `destroy` (a copy hot cannot remove is never
   * served by this process; a reader racing the revocation cannot put one back). Without `only`
   * it first lists the user's sessions in cold, so that if cold fails (the revocation may have
   * been applied) their copies are removed all the same. See the README for other instances.
   */
  destroyUserSessions?(
    userId: string,
    options?: DestroyUserSessionsOptions,
  ): Promise<readonly string[]>;
  /**
   * Removes the hot copy of `key` without touching cold, so the next load reads cold. Call it
   * when a session was changed or revoked outside this store (directly in cold, or by another
   * instance whose hot store is not this one's, e.g. from a pub/sub message). If hot fails, this
   * process still never serves that copy (see the README). Never rejects.
   */
  invalidate(key: string): Promise<void>;
  /** The cache this store was created with. */
  readonly hot: SessionStore;
  /** The authority this store was created with. */
  readonly cold: SessionStore;
}
