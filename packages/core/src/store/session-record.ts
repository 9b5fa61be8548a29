/**
 * The record model shared by the engine and every store. All instants are absolute epoch
 * milliseconds (integers) computed by the engine, so stores never do time arithmetic of their own: they
 * only compare an instant with their clock (`Date.now()`, Redis `PEXPIREAT`, SQL `now()`).
 */

/**
 * A value as a codec encoded it: a string from a text codec (well-formed Unicode without U+0000),
 * or bytes from a binary codec (only given to stores that declare `capabilities.binaryValues`).
 */
export type StoredValue = string | Uint8Array;

/** One stored value: the codec's encoding and an optional per-key expiry. */
export interface StoredEntry {
  /**
   * The value as encoded by the session's codec. Opaque to stores: store and return it byte for
   * byte, in the form it was written (a string stays a string, bytes stay a `Uint8Array`). A
   * string is always well-formed Unicode without U+0000 (see `SessionCodec`).
   */
  readonly value: StoredValue;
  /**
   * Epoch ms from which this key is expired (a per-key TTL). Absent: the key lives as long as the
   * session. The engine ignores expired entries; stores may drop them but need not.
   */
  readonly expiresAt?: number | undefined;
}

/**
 * Engine bookkeeping stored beside the data. Stores persist it as a small JSON object and return it
 * unchanged; they never interpret it (except to index or report it, as documented per field).
 */
export interface SessionMeta {
  /** Epoch ms when the session was first stored. Survives regeneration. */
  readonly createdAt: number;
  /** Epoch ms of the absolute deadline, if the session has one. Never extended by touch or rotation. */
  readonly absoluteExpiresAt?: number | undefined;
  /** Per-session idle timeout in ms (a "remember me" override); absent: the manager's default. */
  readonly idleTimeoutMs?: number | undefined;
  /** Per-session cookie persistence override; absent: the manager's default. */
  readonly persistent?: boolean | undefined;
  /**
   * The user this session is signed in as (`Session.signIn`). Stores that declare
   * `capabilities.userIndex` index records by it; others store it like any other field. Non-empty,
   * at most 256 characters, no control characters.
   */
  readonly userId?: string | undefined;
  /** Metadata the app recorded at sign-in (e.g. a user agent), shown in session listings. */
  readonly userInfo?: Readonly<Record<string, string>> | undefined;
  /**
   * Epoch ms of the last write or expiry refresh of a signed-in session (precise to the touch
   * interval). Maintained only while `userId` is set.
   */
  readonly lastActiveAt?: number | undefined;
  /**
   * The client the session is bound to (the manager's `binding` option): a 43-character
   * base64url SHA-256 of the bound attributes, never the raw user agent or IP. Stores keep it
   * like any other field.
   */
  readonly clientBinding?: string | undefined;
}

/** A whole session as a store holds it. */
export interface SessionRecord {
  /**
   * The session's data, one entry per key. Order carries no meaning (stores need not keep it). Keys are non-empty, well-formed Unicode strings without
   * U+0000. App keys never contain control characters; the engine's own keys start with U+0001
   * (flash values), so stores must accept U+0001-U+001F in keys.
   */
  readonly entries: ReadonlyMap<string, StoredEntry>;
  /** Engine bookkeeping; see {@link SessionMeta}. */
  readonly meta: SessionMeta;
  /**
   * Epoch ms from which the whole record is absent (and may be deleted): live while
   * `now < expiresAt`, exactly as Redis `PEXPIREAT` and SQL `expires_at > now()` behave.
   */
  readonly expiresAt: number;
}

/**
 * A change to an existing record: only the keys that changed, applied atomically and only if the
 * record still exists and has not expired.
 */
export interface SessionPatch {
  /** Entries to add or replace. */
  readonly set: ReadonlyMap<string, StoredEntry>;
  /** Keys to delete. Never overlaps `set`. Deleting an absent key is not an error. */
  readonly remove: readonly string[];
  /** When true, every stored entry is removed before `set` is applied (`Session.clear()`). */
  readonly clear: boolean;
  /** Replacement bookkeeping when it changed; absent leaves the stored meta as it is. */
  readonly meta?: SessionMeta | undefined;
  /** The record's new expiry instant (epoch ms). Always present: a write is activity. */
  readonly expiresAt: number;
  /**
   * Bounds on the record as the patch leaves it, checked atomically with the write by stores
   * that declare `capabilities.recordLimits`: the engine checks its limits against the session
   * as its request loaded it, so only the store can stop parallel requests from together growing
   * a session past them. Absent: no bound.
   */
  readonly limits?: RecordLimits | undefined;
}

/**
 * Size bounds of a whole record, in the engine's measure: `keys` is the number of stored entries;
 * bytes is the sum over stored entries of the UTF-8 byte length of the key plus that of the
 * encoded value (a binary value counts its length in bytes). A store may count entries whose
 * per-key expiry has passed (the engine removes them in its next write).
 */
export interface RecordLimits {
  /** Most bytes the record may hold after the write. */
  readonly maxBytes: number;
  /** Most entries the record may hold after the write. */
  readonly maxKeys: number;
}

/** Outcome of an insert-only create. */
export type CreateResult = 'created' | 'conflict';

/** Outcome of a write to an existing record: `missing` when it was destroyed or expired meanwhile. */
export type WriteResult = 'ok' | 'missing';

/**
 * Outcome of a patch: as {@link WriteResult}, plus `too-large` (nothing written) when the record
 * would exceed the patch's `limits`.
 */
export type PatchResult = WriteResult | 'too-large';

/**
 * The condition of {@link SessionStore.patchIf}: the entry `key` must currently hold exactly
 * `value` (its encoding, byte for byte), or be absent when `value` is undefined. An entry whose
 * per-key `expiresAt` has passed counts as absent.
 */
export interface EntryCondition {
  /** The entry to compare. */
  readonly key: string;
  /** The encoding it must hold (same form: string or bytes), or undefined for "absent". */
  readonly value: StoredValue | undefined;
}

/** Outcome of a conditional patch: `conflict` when the entry no longer holds the expected value. */
export type ConditionalWriteResult = 'ok' | 'missing' | 'conflict' | 'too-large';

/** Outcome of a rotation: `missing` when the source vanished, `conflict` when the target exists. */
export type RotateResult = 'ok' | 'missing' | 'conflict' | 'too-large';

/** One live record bound to a user, as {@link SessionStore.listUserSessions} reports it. */
export interface UserSessionRecord {
  /** The record's store key. */
  readonly key: string;
  /** The record's meta (its `userId` equals the user listed). */
  readonly meta: SessionMeta;
  /** The record's expiry instant (epoch ms), in the future. */
  readonly expiresAt: number;
}

/** Which of a user's records {@link SessionStore.destroyUserSessions} removes. */
export interface DestroyUserSessionsOptions {
  /** Only these keys (each still only if it is bound to the user). Absent: every record. */
  readonly only?: readonly string[] | undefined;
  /** Never this key (the current session, for "sign out everywhere else"). */
  readonly except?: string | undefined;
}
