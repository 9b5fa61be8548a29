import type { SessionStore } from '../store/session-store.js';
import { encryptStoreWith } from './encrypted-store.js';
import type { EncryptionOptions } from './encryption-options.js';
import { createValueCipher } from './value-cipher.js';

/** Wraps stores for a manager: returns the same wrapper for the same store object. */
export type StoreEncryptor = (store: SessionStore) => SessionStore;

/**
 * The manager's `encryption` option: one cipher (keys checked now, derived once) shared by every
 * store it wraps, and one wrapper per store object, cached, so wrapping a per-request store (a
 * Workers binding) costs a `WeakMap` lookup. `onUndecryptable` also receives each dropped value.
 */
export function createStoreEncryptor(
  options: EncryptionOptions,
  onUndecryptable: (entry: string) => void,
): StoreEncryptor {
  const listener = options.onUndecryptable;
  const cipher = createValueCipher({
    ...options,
    onUndecryptable: (entry, reason) => {
      try {
        listener?.(entry, reason);
      } finally {
        onUndecryptable(entry);
      }
    },
  });
  const wrappers = new WeakMap<SessionStore, SessionStore>();
  return (store) => {
    let wrapped = wrappers.get(store);
    if (wrapped === undefined) {
      wrapped = encryptStoreWith(store, cipher);
      wrappers.set(store, wrapped);
    }
    return wrapped;
  };
}
