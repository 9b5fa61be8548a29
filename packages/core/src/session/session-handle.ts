import type { HeaderSource } from '../adapter/header-source.js';
import type { ClientAddressSource, ClientBinding } from '../binding/client-binding.js';
import { decodeStoredValue, storedValueByteLength } from '../codec/stored-value.js';
import { utf8ByteLength } from '../codec/utf8-byte-length.js';
import { sessionStoreKey } from '../crypto/hash-session-id.js';
import { isSessionError, SessionError } from '../errors/session-error.js';
import { durationToMs } from '../expiry/duration.js';
import {
  applyExpiryOverride,
  createMeta,
  type ExpiryOverride,
  expiresAtAfterActivity,
  isPersistent,
  shouldTouch,
} from '../expiry/expiry-policy.js';
import type { SessionConfig } from '../manager/session-config.js';
import type {
  SessionMeta,
  SessionPatch,
  StoredEntry,
  StoredValue,
} from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';
import type { ResponseHeader } from '../transport/session-transport.js';
import type { SessionData, SessionValue } from '../types/session-value.js';
import { callStore } from './call-store.js';
import { EntryChanges, INTERNAL_KEY_PREFIX } from './entry-changes.js';
import { issueTokenHeader, type RequestUrl } from './issue-token-header.js';
import { type PresentedIdentity, resolveIdentity } from './resolve-identity.js';
import type {
  CommitResult,
  RegenerateOptions,
  SaveOutcome,
  Session,
  SessionKey,
  SessionValueOf,
  SetOptions,
  SignInOptions,
  UpdateOptions,
} from './session.js';
import { sessionTag } from './session-tag.js';
import { validateKey } from './validate-key.js';
import { validateUserId, validateUserInfo } from './validate-user.js';

/**
 * Reads the store key of a session opened by the engine (loading it first), for the manager's
 * user-session methods. Not part of the public `Session` interface.
 */
export const readStoreKey: unique symbol = Symbol('@sessions/core.readStoreKey');

/**
 * Marks a stored session so its commit re-issues the token even when nothing else changed (the
 * sealed-cookie manager uses it to re-seal a session kept by `revokeUserSessions({ except })`).
 * Loads first; throws `INVALID_STATE` after commit. Not part of the public `Session` interface.
 */
export const reissueToken: unique symbol = Symbol('@sessions/core.reissueToken');

/**
 * Replaces how a {@link SessionHandle} learns the presented session and hands a token back, for
 * managers whose token is not a signed ID (sealed cookies). Everything else (loading through the
 * store, dirty tracking, limits, expiry, commit) stays the engine's.
 */
export interface SessionHandleHooks {
  /**
   * The session the request presents, or `undefined` for none: used instead of verifying a
   * signed ID. Must not throw for malformed input (report it and return `undefined`).
   */
  identify(headers: HeaderSource): Promise<PresentedIdentity | undefined>;
  /**
   * The token for the record now stored under `key` (session `id`), used instead of the signed ID.
   * Because such a token carries the record itself, every write re-issues it.
   */
  token(id: string, key: string): Promise<string>;
}

/**
 * Ends the request of a session the handler never used, synchronously and without a commit (see
 * `closeIfUnused`); returns false, changing nothing, for a session that was used. Not part of the
 * public `Session` interface.
 */
export const closeUnused: unique symbol = Symbol('@sessions/core.closeUnused');

const FLASH_PREFIX = `${INTERNAL_KEY_PREFIX}flash:`;

/** Default and upper bound of `update()` retries. */
const DEFAULT_UPDATE_RETRIES = 10;
const MAX_UPDATE_RETRIES = 100;

/** Rotation and creation retry this many fresh IDs before reporting `CONFLICT`. */
const MAX_ID_ATTEMPTS = 3;

function entrySize(key: string, entry: StoredEntry): number {
  return utf8ByteLength(key) + storedValueByteLength(entry.value);
}

/** The engine's implementation of {@link Session}; create it with `manager.session(request)`. */
export class SessionHandle<Data extends SessionData> implements Session<Data> {
  readonly #config: SessionConfig;
  readonly #store: SessionStore;
  readonly #headers: HeaderSource;
  readonly #url: RequestUrl | undefined;
  readonly #hooks: SessionHandleHooks | undefined;
  readonly #clientAddress: ClientAddressSource | undefined;
  /** Operations started and not yet settled (created on first use: most requests start none). */
  #pending: Set<Promise<unknown>> | undefined;

  #identity: Promise<PresentedIdentity | undefined> | undefined;
  #loading: Promise<void> | undefined;
  #ready = false;
  #committed = false;
  #commitCalled = false;

  /** Current ID: the loaded one, or one minted for a new session or a pending rotation. */
  #id: string | undefined;
  /** Store key of the stored record; undefined while the session is new. */
  #key: string | undefined;
  #storedExpiresAt = 0;
  #meta: SessionMeta | undefined;
  #metaChanged = false;
  #entries = new EntryChanges();
  #usage: { bytes: number; keys: number } | undefined;
  #rotatePending = false;
  #destroyKeys: string[] = [];
  #reissue = false;
  /** `signIn` ran in this request (reported once the write lands). */
  #signedIn = false;
  #storable: boolean;
  #cookieAction: 'none' | 'issue' | 'revoke' = 'none';
  /** This request's client binding, once computed (only when the manager binds sessions). */
  #binding: string | undefined;

  constructor(
    config: SessionConfig,
    store: SessionStore,
    headers: HeaderSource,
    url: RequestUrl | undefined,
    hooks?: SessionHandleHooks,
    clientAddress?: ClientAddressSource,
  ) {
    this.#config = config;
    this.#store = store;
    this.#headers = headers;
    this.#url = url;
    this.#hooks = hooks;
    this.#clientAddress = clientAddress;
    this.#storable = !config.requireConsent;
  }

  get id(): string | undefined {
    return this.#id;
  }

  get isNew(): boolean {
    return this.#key === undefined;
  }

  get isModified(): boolean {
    return (
      this.#entries.hasChanges ||
      this.#metaChanged ||
      this.#rotatePending ||
      this.#destroyKeys.length > 0
    );
  }

  get storable(): boolean {
    return this.#storable;
  }

  get<K extends SessionKey<Data>>(key: K): Promise<SessionValueOf<Data, K> | undefined> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      await this.#load();
      return this.#read(key) as SessionValueOf<Data, K> | undefined;
    });
  }

  set<K extends SessionKey<Data>>(
    key: K,
    value: SessionValueOf<Data, K>,
    options?: SetOptions,
  ): Promise<void> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      const ttlMs = options?.ttl === undefined ? undefined : durationToMs(options.ttl, 'set() ttl');
      await this.#setEncoded(key, this.#encode(key, value), ttlMs);
    });
  }

  update<K extends SessionKey<Data>>(
    key: K,
    updater: (current: SessionValueOf<Data, K> | undefined) => SessionValueOf<Data, K>,
    options?: UpdateOptions,
  ): Promise<SessionValueOf<Data, K>> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      const ttlMs =
        options?.ttl === undefined ? undefined : durationToMs(options.ttl, 'update() ttl');
      const retries = options?.retries ?? DEFAULT_UPDATE_RETRIES;
      if (!Number.isInteger(retries) || retries < 0 || retries > MAX_UPDATE_RETRIES) {
        throw new SessionError(
          'INVALID_VALUE',
          `update() retries must be an integer from 0 to ${MAX_UPDATE_RETRIES}.`,
        );
      }
      await this.#load();
      this.#assertOpen();
      if (this.#entries.isChanged(key)) {
        throw new SessionError(
          'INVALID_STATE',
          `update("${key}") after this request already changed that key or cleared the session; use either set() or update() for a key within one request.`,
        );
      }
      if (this.#key === undefined || this.#rotatePending) {
        // Nobody else can reach a session that is not stored yet (or is moving to an ID only this
        // request knows): a plain set, written at commit, is already race-free.
        const next = updater(this.#read(key) as SessionValueOf<Data, K> | undefined);
        await this.#setEncoded(key, this.#encode(key, next), ttlMs);
        return next;
      }
      return this.#updateStored(key, updater, ttlMs, retries);
    });
  }

  has(key: SessionKey<Data>): Promise<boolean> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      await this.#load();
      return this.#entries.get(key, this.#config.clock()) !== undefined;
    });
  }

  remove(key: SessionKey<Data>): Promise<void> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      await this.#load();
      this.#assertOpen();
      this.#removeEntry(key);
    });
  }

  getAll(): Promise<Partial<Data>> {
    return this.#track(async () => {
      await this.#load();
      const pairs: [string, unknown][] = [];
      for (const key of this.#userKeys()) {
        const value = this.#read(key);
        if (value !== undefined) pairs.push([key, value]);
      }
      // Object.fromEntries defines own data properties, so a `__proto__` key stays plain data.
      return Object.fromEntries(pairs) as Partial<Data>;
    });
  }

  keys(): Promise<SessionKey<Data>[]> {
    return this.#track(async () => {
      await this.#load();
      return this.#userKeys() as SessionKey<Data>[];
    });
  }

  clear(): Promise<void> {
    return this.#track(async () => {
      await this.#load();
      this.#assertOpen();
      this.#entries.clear();
      this.#usage = undefined;
    });
  }

  destroy(): Promise<void> {
    return this.#track(async () => {
      this.#assertOpen();
      // With client binding, load first: another client's copy of the token must not end it.
      if (this.#loading === undefined && this.#config.binding === undefined) {
        // Logout needs no load: verify the token, queue the delete, start over as a new session.
        this.#loading = Promise.resolve();
        const identity = await this.#presentedIdentity();
        if (identity !== undefined) this.#destroyKeys.push(identity.key);
        this.#ready = true;
      } else {
        await this.#load();
        if (this.#key !== undefined) this.#destroyKeys.push(this.#key);
      }
      this.#resetToNew();
      this.#cookieAction = 'revoke';
    });
  }

  regenerate(options?: RegenerateOptions<Data>): Promise<void> {
    return this.#track(async () => {
      await this.#load();
      this.#assertOpen();
      const now = this.#config.clock();
      if (options?.keep !== undefined) this.#keepOnly(options.keep, now);
      this.#id = this.#config.idFormat.generate();
      if (this.#key !== undefined) this.#rotatePending = true;
      this.#bindToClient();
    });
  }

  signIn(userId: string, options?: SignInOptions<Data>): Promise<void> {
    return this.#track(async () => {
      validateUserId(userId);
      const info = options?.info === undefined ? undefined : validateUserInfo(options.info);
      await this.#load();
      this.#assertOpen();
      const now = this.#config.clock();
      this.#keepOnly(options?.keep ?? [], now);
      const base = this.#meta ?? createMeta(now, this.#config.expiry);
      const { userInfo: _previousInfo, ...rest } = base;
      this.#meta =
        info === undefined
          ? { ...rest, userId, lastActiveAt: now }
          : { ...rest, userId, userInfo: info, lastActiveAt: now };
      this.#metaChanged = true;
      this.#signedIn = true;
      this.#id = this.#config.idFormat.generate();
      if (this.#key !== undefined) this.#rotatePending = true;
      this.#bindToClient();
    });
  }

  getUserId(): Promise<string | undefined> {
    return this.#track(async () => {
      await this.#load();
      return this.#meta?.userId;
    });
  }

  /** See {@link readStoreKey}: the stored record's key after loading, if it exists. */
  async [readStoreKey](): Promise<string | undefined> {
    await this.#load();
    return this.#key;
  }

  /** See {@link reissueToken}. */
  async [reissueToken](): Promise<void> {
    await this.#load();
    this.#assertOpen();
    if (this.#key !== undefined) this.#reissue = true;
  }

  setExpiry(override: ExpiryOverride): Promise<void> {
    return this.#track(async () => {
      await this.#load();
      this.#assertOpen();
      const now = this.#config.clock();
      this.#meta = applyExpiryOverride(
        this.#meta ?? createMeta(now, this.#config.expiry),
        override,
        this.#config.expiry,
      );
      this.#metaChanged = true;
    });
  }

  flash(key: string, value: SessionValue): Promise<void> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      await this.#setEncoded(FLASH_PREFIX + key, this.#encode(key, value), undefined);
    });
  }

  getFlash<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    return this.#track(async () => {
      validateKey(key, this.#config.maxKeyLength);
      await this.#load();
      const value = this.#read(FLASH_PREFIX + key);
      if (value !== undefined && !this.#committed) this.#removeEntry(FLASH_PREFIX + key);
      return value as T | undefined;
    });
  }

  allowStorage(): void {
    this.#storable = true;
  }

  save(): Promise<SaveOutcome> {
    return this.#track(() => this.#save());
  }

  /** See {@link closeUnused}. */
  [closeUnused](): boolean {
    if (this.#commitCalled || this.#loading !== undefined || this.#pending !== undefined) {
      return false;
    }
    this.#commitCalled = true;
    this.#committed = true;
    return true;
  }

  async commit(): Promise<CommitResult> {
    // Once per request, even when it fails: a failed commit is reported, never retried behind
    // the adapter's back (Fastify, for one, runs onSend again for the error reply).
    if (this.#commitCalled) {
      throw new SessionError(
        'INVALID_STATE',
        'commit() was already called for this request; call it once, after the handler.',
      );
    }
    this.#commitCalled = true;
    if (this.#loading === undefined && this.#pending === undefined) {
      // Never used: nothing to wait for, load or write (the common untouched request).
      this.#committed = true;
      return { headers: [], outcome: 'unchanged' };
    }
    // Wait for operations the handler started but did not await, so none is lost or half-applied.
    const pending = this.#pending;
    while (pending !== undefined && pending.size > 0) await Promise.allSettled([...pending]);
    try {
      const outcome = await this.#save();
      this.#committed = true;
      return { headers: await this.#responseHeaders(), outcome };
    } catch (error) {
      throw this.#withStatus(error);
    }
  }

  // ---- loading -----------------------------------------------------------------------------

  #track<T>(operation: () => Promise<T>): Promise<T> {
    const self: { promise?: Promise<T> } = {};
    const promise = this.#settle(operation, self);
    self.promise = promise;
    this.#pending ??= new Set();
    this.#pending.add(promise);
    return promise;
  }

  /** Runs a tracked operation: its error gets the configured status; it leaves `#pending` when done. */
  async #settle<T>(operation: () => Promise<T>, self: { promise?: Promise<T> }): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.#withStatus(error);
    } finally {
      // Runs after at least one await, so `self.promise` is set by then.
      this.#pending?.delete(self.promise as Promise<T>);
    }
  }

  /** Applies the manager's `errorStatus` override to a session error. */
  #withStatus(error: unknown): unknown {
    if (isSessionError(error)) {
      const status = this.#config.errorStatus[error.code];
      if (status !== undefined) error.status = status;
    }
    return error;
  }

  #presentedIdentity(): Promise<PresentedIdentity | undefined> {
    this.#identity ??=
      this.#hooks === undefined
        ? resolveIdentity(this.#config, this.#headers)
        : this.#hooks.identify(this.#headers);
    return this.#identity;
  }

  #load(): Promise<void> {
    this.#loading ??= this.#loadOnce();
    return this.#loading;
  }

  async #loadOnce(): Promise<void> {
    const identity = await this.#presentedIdentity();
    if (identity !== undefined) {
      const record = await callStore(this.#config, this.#store, 'load the session', () =>
        this.#store.load(identity.key),
      );
      const now = this.#config.clock();
      // Checked here too, so a store that forgets to hide an expired record cannot revive it.
      const live =
        record !== undefined &&
        record.expiresAt > now &&
        (record.meta.absoluteExpiresAt === undefined || record.meta.absoluteExpiresAt > now);
      if (live && this.#config.binding !== undefined && !this.#boundHere(record.meta)) {
        // Another client's session: treated as none. Its record is left alone, and a write from
        // this request creates a new session under a new ID, never the presented one.
        this.#config.emit({ type: 'session-binding-mismatch', session: sessionTag(identity.key) });
      } else if (live) {
        this.#id = identity.id;
        this.#key = identity.key;
        this.#storedExpiresAt = record.expiresAt;
        this.#meta = record.meta;
        this.#entries = new EntryChanges(record.entries);
        this.#storable = true;
        this.#reissue = identity.signedWithOldKey;
        if (identity.signedWithOldKey) {
          this.#config.emit({ type: 'token-reissued', session: sessionTag(identity.key) });
        }
      } else {
        this.#config.emit({
          type: record === undefined ? 'session-unknown' : 'session-expired',
          session: sessionTag(identity.key),
        });
      }
    }
    this.#ready = true;
  }

  // ---- client binding (all of it behind `config.binding`: no work when it is off) ------------

  #clientBinding(): string {
    this.#binding ??= (this.#config.binding as ClientBinding).compute(
      this.#headers,
      this.#clientAddress,
    );
    return this.#binding;
  }

  /** True unless the stored session is bound to a different client (unbound sessions pass). */
  #boundHere(meta: SessionMeta): boolean {
    return meta.clientBinding === undefined || meta.clientBinding === this.#clientBinding();
  }

  /** Re-binds a session that has meta to this request's client (`signIn`, `regenerate`). */
  #bindToClient(): void {
    if (this.#config.binding === undefined || this.#meta === undefined) return;
    this.#meta = { ...this.#meta, clientBinding: this.#clientBinding() };
    this.#metaChanged = true;
  }

  // ---- reading and writing entries ------------------------------------------------------------

  #assertOpen(): void {
    if (this.#committed) {
      throw new SessionError(
        'INVALID_STATE',
        'the session was already committed for this request; call save() before sending the response instead.',
      );
    }
  }

  #read(key: string): unknown {
    const entry = this.#entries.get(key, this.#config.clock());
    return entry === undefined ? undefined : this.#decodeOrUndefined(key, entry);
  }

  #userKeys(): string[] {
    const keys: string[] = [];
    for (const key of this.#entries.keys(this.#config.clock())) {
      if (!key.startsWith(INTERNAL_KEY_PREFIX)) keys.push(key);
    }
    return keys;
  }

  #encode(key: string, value: unknown): StoredValue {
    let encoded: StoredValue;
    try {
      encoded = this.#config.codec.encode(value);
    } catch (error) {
      if (!isSessionError(error)) throw error;
      // Name the session key: the codec only knows the path inside the value.
      throw new SessionError(error.code, `session key "${key}": ${error.message}`, {
        cause: error,
      });
    }
    if (utf8ByteLength(key) + storedValueByteLength(encoded) > this.#config.maxBytes)
      throw this.#tooLarge();
    return encoded;
  }

  #tooLarge(): SessionError {
    return new SessionError(
      'PAYLOAD_TOO_LARGE',
      `session data would exceed limits.maxBytes (${this.#config.maxBytes} bytes); store large data elsewhere and keep a reference in the session.`,
    );
  }

  async #setEncoded(key: string, value: StoredValue, ttlMs: number | undefined): Promise<void> {
    await this.#load();
    this.#assertOpen();
    const now = this.#config.clock();
    const entry: StoredEntry = ttlMs === undefined ? { value } : { value, expiresAt: now + ttlMs };
    this.#usage = this.#checkLimits(key, entry, now);
    this.#id ??= this.#config.idFormat.generate();
    this.#entries.set(key, entry);
  }

  /** Drops every entry but `keep` (regenerate and sign-in). */
  #keepOnly(keep: readonly string[], now: number): void {
    const kept: [string, StoredEntry][] = [];
    for (const key of keep) {
      const entry = this.#entries.get(key, now);
      if (entry !== undefined) kept.push([key, entry]);
    }
    this.#entries.clear();
    for (const [key, entry] of kept) this.#entries.set(key, entry);
    this.#usage = undefined;
  }

  /** The compare-and-set loop of {@link SessionHandle.update} on a stored session. */
  async #updateStored<V>(
    key: string,
    updater: (current: V | undefined) => V,
    ttlMs: number | undefined,
    retries: number,
  ): Promise<V> {
    const store = this.#store;
    const patchIf = store.patchIf;
    if (store.capabilities.conditionalPatch !== true || patchIf === undefined) {
      throw new SessionError(
        'MISCONFIGURED',
        `session store "${store.name}" has no conditional patch (capabilities.conditionalPatch), which update() needs; use set(), or a store that supports it (memory, Redis, Postgres, layered).`,
      );
    }
    const storeKey = this.#key as string;
    let current = this.#entries.get(key, this.#config.clock());
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        const record = await callStore(this.#config, store, 'reload the session', () =>
          store.load(storeKey),
        );
        if (record === undefined) throw this.#endedDuringUpdate();
        const entry = record.entries.get(key);
        const now = this.#config.clock();
        current =
          entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now)
            ? entry
            : undefined;
      }
      const decoded = current === undefined ? undefined : this.#decodeOrUndefined(key, current);
      const next = updater(decoded as V | undefined);
      const value = this.#encode(key, next);
      const now = this.#config.clock();
      const entry: StoredEntry =
        ttlMs === undefined ? { value } : { value, expiresAt: now + ttlMs };
      this.#checkLimits(key, entry, now);
      const expiresAt = this.#expiryAfterWrite(now, 'updated');
      const meta = this.#metaToWrite(now);
      const patch: SessionPatch = {
        set: new Map([[key, entry]]),
        remove: [],
        clear: false,
        expiresAt,
        ...(meta === undefined ? {} : { meta }),
        limits: this.#config.recordLimits,
      };
      const condition = { key, value: current?.value };
      const result = await callStore(this.#config, store, 'update the session', () =>
        patchIf.call(store, storeKey, condition, patch),
      );
      if (result === 'missing') throw this.#endedDuringUpdate();
      if (result === 'too-large') throw this.#grewElsewhere();
      if (result === 'ok') {
        this.#entries.acceptStored(key, entry);
        this.#usage = undefined;
        if (meta !== undefined) this.#metaChanged = false;
        if (expiresAt !== this.#storedExpiresAt && this.#persistent()) this.#cookieAction = 'issue';
        this.#storedExpiresAt = expiresAt;
        return next;
      }
    }
    throw new SessionError(
      'CONFLICT',
      `update("${key}") lost the race ${retries + 1} times to other requests changing the same key; retry the request, or raise the retries option.`,
    );
  }

  #endedDuringUpdate(): SessionError {
    this.#config.emit({ type: 'session-vanished', session: sessionTag(this.#key as string) });
    this.#resetToNew();
    return new SessionError(
      'CONFLICT',
      'the session was destroyed or regenerated by another request during update(); nothing was written.',
    );
  }

  #decodeOrUndefined(key: string, entry: StoredEntry): unknown {
    try {
      return decodeStoredValue(this.#config.codec, entry.value);
    } catch {
      this.#config.emit({ type: 'value-undecodable', key });
      return undefined;
    }
  }

  /**
   * The session's usage once `entry` is stored under `key`; throws `PAYLOAD_TOO_LARGE` when that
   * would exceed the limits.
   */
  #checkLimits(key: string, entry: StoredEntry, now: number): { bytes: number; keys: number } {
    const previous = this.#entries.get(key, now);
    const usage = this.#currentUsage(now);
    const bytes =
      usage.bytes - (previous === undefined ? 0 : entrySize(key, previous)) + entrySize(key, entry);
    if (bytes > this.#config.maxBytes) throw this.#tooLarge();
    if (previous === undefined && usage.keys >= this.#config.maxKeys) {
      throw new SessionError(
        'PAYLOAD_TOO_LARGE',
        `session would exceed limits.maxKeys (${this.#config.maxKeys}); group related values under one key.`,
      );
    }
    return { bytes, keys: usage.keys + (previous === undefined ? 1 : 0) };
  }

  #removeEntry(key: string): void {
    this.#entries.remove(key);
    this.#usage = undefined;
  }

  #currentUsage(now: number): { bytes: number; keys: number } {
    if (this.#usage === undefined) {
      let bytes = 0;
      let keys = 0;
      for (const key of this.#entries.keys(now)) {
        bytes += entrySize(key, this.#entries.get(key, now) as StoredEntry);
        keys++;
      }
      this.#usage = { bytes, keys };
    }
    return this.#usage;
  }

  #resetToNew(): void {
    this.#id = undefined;
    this.#key = undefined;
    this.#meta = undefined;
    this.#metaChanged = false;
    this.#entries = new EntryChanges();
    this.#usage = undefined;
    this.#rotatePending = false;
    this.#reissue = false;
    this.#signedIn = false;
  }

  // ---- committing -----------------------------------------------------------------------------

  async #save(): Promise<SaveOutcome> {
    if (this.#loading !== undefined) await this.#loading.catch(() => undefined);
    if (!this.#ready) return 'unchanged';
    this.#assertOpen();
    const now = this.#config.clock();
    let outcome: SaveOutcome = 'unchanged';
    if (this.#destroyKeys.length > 0) {
      for (const key of this.#destroyKeys.splice(0)) {
        await callStore(this.#config, this.#store, 'destroy the session', () =>
          this.#store.destroy(key),
        );
        this.#config.emit({ type: 'session-destroyed', session: sessionTag(key) });
      }
      outcome = 'destroyed';
    }
    if (this.#key !== undefined) {
      if (this.#rotatePending) return this.#rotate(now);
      if (this.#entries.hasChanges || this.#metaChanged) return this.#patch(now, 'updated');
      if (shouldTouch(now, this.#storedExpiresAt, this.#meta as SessionMeta, this.#config.expiry)) {
        // A signed-in session's expiry moves with its meta (lastActiveAt), so stores can keep
        // their user index in step with the record without reading it.
        return this.#meta?.userId === undefined ? this.#touch(now) : this.#patch(now, 'touched');
      }
      return outcome;
    }
    const empty = this.#entries.keys(now).next().done === true;
    // An empty session is not stored, unless it was signed in (the binding is its content).
    if (this.#id === undefined || (empty && this.#meta?.userId === undefined)) return outcome;
    if (!this.#storable) return 'not-storable';
    return this.#create(now);
  }

  /**
   * The meta a write sends: for a signed-in session always (with `lastActiveAt` moved to now),
   * otherwise only when it changed.
   */
  #metaToWrite(now: number): SessionMeta | undefined {
    const meta = this.#meta as SessionMeta;
    if (meta.userId !== undefined) {
      this.#meta = { ...meta, lastActiveAt: now };
      return this.#meta;
    }
    return this.#metaChanged ? meta : undefined;
  }

  #reportSignIn(key: string): void {
    if (!this.#signedIn) return;
    this.#signedIn = false;
    this.#config.emit({ type: 'session-signed-in', session: sessionTag(key) });
  }

  /**
   * The expiry a `patch` writes. A write that changes data moves the idle deadline on the same
   * terms as a read-only request (only by at least the touch interval), so a busy session's record
   * and cookie expiry move together at most once per interval instead of on every write: the
   * cookie needs no new `Set-Cookie` in between. A meta change (`setExpiry`, `signIn`) always
   * recomputes it.
   */
  #expiryAfterWrite(now: number, outcome: 'updated' | 'touched'): number {
    const meta = this.#meta as SessionMeta;
    const policy = this.#config.expiry;
    if (
      outcome === 'updated' &&
      !this.#metaChanged &&
      !shouldTouch(now, this.#storedExpiresAt, meta, policy)
    ) {
      return this.#storedExpiresAt;
    }
    return expiresAtAfterActivity(now, meta, policy);
  }

  #written(now: number, expiresAt: number, outcome: SaveOutcome): SaveOutcome {
    this.#reportSignIn(this.#key as string);
    const expiryMoved = expiresAt !== this.#storedExpiresAt;
    this.#storedExpiresAt = expiresAt;
    this.#entries.markStored(now);
    this.#metaChanged = false;
    this.#rotatePending = false;
    const refreshCookie =
      this.#hooks !== undefined ||
      outcome === 'created' ||
      outcome === 'rotated' ||
      (expiryMoved && this.#persistent());
    if (refreshCookie) this.#cookieAction = 'issue';
    return outcome;
  }

  #vanished(): SaveOutcome {
    this.#config.emit({ type: 'session-vanished', session: sessionTag(this.#key as string) });
    this.#resetToNew();
    return 'vanished';
  }

  #persistent(): boolean {
    return isPersistent(this.#meta as SessionMeta, this.#config.expiry);
  }

  async #create(now: number): Promise<SaveOutcome> {
    const base = this.#meta ?? createMeta(now, this.#config.expiry);
    const active = base.userId === undefined ? base : { ...base, lastActiveAt: now };
    const meta =
      this.#config.binding === undefined
        ? active
        : { ...active, clientBinding: this.#clientBinding() };
    const expiresAt = expiresAtAfterActivity(now, meta, this.#config.expiry);
    const record = { entries: this.#entries.snapshot(now), meta, expiresAt };
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      if (attempt > 0) this.#id = this.#config.idFormat.generate();
      const key = sessionStoreKey(this.#id as string);
      const result = await callStore(this.#config, this.#store, 'create the session', () =>
        this.#store.create(key, record),
      );
      if (result === 'created') {
        this.#key = key;
        this.#meta = meta;
        this.#config.emit({ type: 'session-created', session: sessionTag(key) });
        return this.#written(now, expiresAt, 'created');
      }
    }
    throw this.#conflict('create');
  }

  async #patch(now: number, outcome: 'updated' | 'touched'): Promise<SaveOutcome> {
    const expiresAt = this.#expiryAfterWrite(now, outcome);
    const patch = this.#entries.toPatch(
      now,
      expiresAt,
      this.#metaToWrite(now),
      this.#config.recordLimits,
    );
    const key = this.#key as string;
    const result = await callStore(this.#config, this.#store, 'save the session', () =>
      this.#store.patch(key, patch),
    );
    if (result === 'too-large') throw this.#grewElsewhere();
    return result === 'ok' ? this.#written(now, expiresAt, outcome) : this.#vanished();
  }

  async #touch(now: number): Promise<SaveOutcome> {
    const expiresAt = expiresAtAfterActivity(now, this.#meta as SessionMeta, this.#config.expiry);
    const key = this.#key as string;
    const result = await callStore(this.#config, this.#store, 'refresh the session expiry', () =>
      this.#store.touch(key, expiresAt),
    );
    return result === 'ok' ? this.#written(now, expiresAt, 'touched') : this.#vanished();
  }

  async #rotate(now: number): Promise<SaveOutcome> {
    const expiresAt = expiresAtAfterActivity(now, this.#meta as SessionMeta, this.#config.expiry);
    const patch = this.#entries.toPatch(
      now,
      expiresAt,
      this.#metaToWrite(now),
      this.#config.recordLimits,
    );
    const fromKey = this.#key as string;
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      if (attempt > 0) this.#id = this.#config.idFormat.generate();
      const toKey = sessionStoreKey(this.#id as string);
      const result = await callStore(this.#config, this.#store, 'regenerate the session', () =>
        this.#store.rotate(fromKey, toKey, patch),
      );
      if (result === 'missing') return this.#vanished();
      if (result === 'too-large') throw this.#grewElsewhere();
      if (result === 'ok') {
        this.#key = toKey;
        this.#config.emit({
          type: 'session-regenerated',
          session: sessionTag(toKey),
          previous: sessionTag(fromKey),
        });
        this.#reissue = false;
        return this.#written(now, expiresAt, 'rotated');
      }
    }
    throw this.#conflict('regenerate');
  }

  #grewElsewhere(): SessionError {
    return new SessionError(
      'PAYLOAD_TOO_LARGE',
      `session would exceed limits.maxBytes (${this.#config.maxBytes} bytes) or limits.maxKeys (${this.#config.maxKeys}): parallel requests grew it meanwhile, and nothing was written; store large data elsewhere and keep a reference in the session.`,
    );
  }

  #conflict(operation: string): SessionError {
    return new SessionError(
      'CONFLICT',
      `could not ${operation} the session: ${MAX_ID_ATTEMPTS} fresh IDs all collided in store "${this.#store.name}". Random IDs do not collide; check that the store's create/rotate are insert-only and not reporting conflicts wrongly.`,
    );
  }

  /** The presented token, when it names the current ID and the newest secret signed it. */
  async #reusableToken(): Promise<string | undefined> {
    const presented =
      this.#identity === undefined ? undefined : await this.#identity.catch(() => undefined);
    if (presented === undefined || presented.signedWithOldKey || presented.id !== this.#id)
      return undefined;
    return presented.token;
  }

  async #responseHeaders(): Promise<ResponseHeader[]> {
    let action = this.#cookieAction;
    if (action === 'none' && this.#reissue && this.#key !== undefined) action = 'issue';
    if (action === 'revoke') return [this.#config.transport.revoke()];
    if (action === 'issue' && this.#id !== undefined && this.#key !== undefined) {
      return [
        await issueTokenHeader(
          this.#config,
          this.#id,
          this.#storedExpiresAt,
          this.#persistent(),
          this.#url,
          this.#hooks === undefined
            ? await this.#reusableToken()
            : await this.#hooks.token(this.#id, this.#key),
        ),
      ];
    }
    return [];
  }
}
