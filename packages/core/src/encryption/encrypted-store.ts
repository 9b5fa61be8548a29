import { storedValuesEqual } from '../codec/stored-value.js';
import type { RecordLimits, SessionPatch, StoredEntry } from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';
import type { EncryptionOptions } from './encryption-options.js';
import { createValueCipher, type ValueCipher } from './value-cipher.js';

/**
 * Wraps `store` so every session value is encrypted before it reaches it (AES-256-GCM through Web
 * Crypto, a fresh random IV per write, keys derived with HKDF-SHA-256 from `options.keys`).
 *
 * - Each value is encrypted on its own, so a patch still carries only the changed keys. The
 *   ciphertext is bound to the record's store key, the entry name and the entry's `expiresAt`: a
 *   value copied to another session or key, or tampered with, is dropped on load (reported to
 *   `onUndecryptable`), never returned and never an error.
 * - Not encrypted: entry names, per-key and record expiry instants, and `meta` (creation time,
 *   deadlines, the signed-in user ID and the `info` recorded at sign-in), which stores read to
 *   expire and index records.
 * - `rotate` re-encrypts every value for the new store key: one `rotate` when the patch clears
 *   the record (`signIn`, `regenerate({ keep })`), else `rotate`, then `load` and one `patch` of
 *   the new key (which no one else knows yet) to re-encrypt the values that moved. A concurrent
 *   patch to the old key is never lost, so `capabilities` stay the inner store's.
 *
 * Throws `SessionError('MISCONFIGURED')` now for a missing or short key. Pass the same options to
 * the manager's `encryption` option instead to have it wrap per-request stores too.
 */
export function encryptStore(store: SessionStore, options: EncryptionOptions): SessionStore {
  return encryptStoreWith(store, createValueCipher(options));
}

/**
 * Upper bound on the stored (ciphertext) size of entries whose plaintext fits `limits`: a value of
 * n bytes is stored as `e1.<kid>.` plus base64url of IV, ciphertext and tag, at most
 * 4(n + 28)/3 + 9 bytes, so `maxBytes` grows by a third plus 47 bytes per key. The bound the store
 * enforces on ciphertext is therefore looser on plaintext than the engine's own check (by up to
 * 36 bytes per key), but still bounded: parallel requests cannot multiply it.
 */
export function ciphertextLimits(limits: RecordLimits): RecordLimits {
  return {
    maxBytes: Math.ceil((limits.maxBytes * 4) / 3) + 47 * limits.maxKeys,
    maxKeys: limits.maxKeys,
  };
}

/** `patch` with its values replaced by `set` (sealed) and its limits translated to ciphertext. */
function sealedPatch(patch: SessionPatch, set: ReadonlyMap<string, StoredEntry>): SessionPatch {
  return patch.limits === undefined
    ? { ...patch, set }
    : { ...patch, set, limits: ciphertextLimits(patch.limits) };
}

/** {@link encryptStore} with a cipher (and its derived keys) shared between several stores. */
export function encryptStoreWith(store: SessionStore, cipher: ValueCipher): SessionStore {
  /**
   * After a rotation without `clear`, the entries that moved from `fromKey` are still bound to
   * it: decrypt each for `fromKey` and encrypt it for `toKey` (under the newest key), in one patch
   * of `toKey`. Entries that do not decrypt are removed: nothing could ever decrypt them there.
   */
  async function reseal(
    fromKey: string,
    toKey: string,
    written: ReadonlyMap<string, StoredEntry>,
  ): Promise<void> {
    const moved = await store.load(toKey);
    if (moved === undefined) return;
    const stale = new Map<string, StoredEntry>();
    for (const [name, entry] of moved.entries) if (!written.has(name)) stale.set(name, entry);
    if (stale.size === 0) return;
    const opened = await cipher.openAll(fromKey, stale);
    const set = await cipher.sealAll(toKey, opened);
    const remove = [...stale.keys()].filter((name) => !opened.has(name));
    const patch: SessionPatch = { set, remove, clear: false, expiresAt: moved.expiresAt };
    // Meta travels with every write to a signed-in record (see SessionStore.listUserSessions).
    await store.patch(
      toKey,
      moved.meta.userId === undefined ? patch : { ...patch, meta: moved.meta },
    );
  }

  const encrypted: SessionStore = {
    name: store.name,
    // The inner store bounds ciphertext, a looser bound on plaintext than the contract's exact
    // measure (see `ciphertextLimits`): still no multiplying by parallel requests, but not the
    // exact `recordLimits` guarantee, so it is not claimed.
    capabilities: { ...store.capabilities, recordLimits: false },
    async load(key) {
      const record = await store.load(key);
      if (record === undefined) return undefined;
      return {
        entries: await cipher.openAll(key, record.entries),
        meta: record.meta,
        expiresAt: record.expiresAt,
      };
    },
    async create(key, record) {
      const entries = await cipher.sealAll(key, record.entries);
      return store.create(key, { entries, meta: record.meta, expiresAt: record.expiresAt });
    },
    async patch(key, patch) {
      return store.patch(key, sealedPatch(patch, await cipher.sealAll(key, patch.set)));
    },
    touch: (key, expiresAt) => store.touch(key, expiresAt),
    async rotate(fromKey, toKey, patch) {
      const set = await cipher.sealAll(toKey, patch.set);
      const result = await store.rotate(fromKey, toKey, sealedPatch(patch, set));
      if (result === 'ok' && !patch.clear) await reseal(fromKey, toKey, set);
      return result;
    },
    destroy: (key) => store.destroy(key),
  };
  const { deleteExpired, countSessions, listUserSessions, destroyUserSessions, patchIf } = store;
  if (patchIf !== undefined) {
    // The condition names a plaintext encoding; the store holds ciphertext. Read the stored
    // ciphertext, compare its plaintext, then make the store compare that exact ciphertext (and
    // its per-key expiry, on its own clock): a write landing in between is the store's conflict.
    encrypted.patchIf = async (key, condition, patch) => {
      const set = await cipher.sealAll(key, patch.set);
      const sealed = sealedPatch(patch, set);
      // "Absent" needs no translation: the store decides absence and per-key expiry itself.
      if (condition.value === undefined) return patchIf.call(store, key, condition, sealed);
      const record = await store.load(key);
      if (record === undefined) return 'missing';
      const stored = record.entries.get(condition.key);
      if (stored === undefined) return 'conflict';
      const opened = (await cipher.openAll(key, new Map([[condition.key, stored]]))).get(
        condition.key,
      );
      if (!storedValuesEqual(opened?.value, condition.value)) return 'conflict';
      return patchIf.call(store, key, { key: condition.key, value: stored.value }, sealed);
    };
  }
  if (deleteExpired !== undefined) encrypted.deleteExpired = () => deleteExpired.call(store);
  // Counting reads no entries, so nothing is decrypted: the inner store's answer as it is.
  if (countSessions !== undefined) encrypted.countSessions = () => countSessions.call(store);
  if (listUserSessions !== undefined) {
    encrypted.listUserSessions = (userId) => listUserSessions.call(store, userId);
  }
  if (destroyUserSessions !== undefined) {
    encrypted.destroyUserSessions = (userId, options) =>
      destroyUserSessions.call(store, userId, options);
  }
  return encrypted;
}
