import type { SessionStore } from './session-store.js';

/** The contract methods a store exposes, as names. */
export type StoreOperation =
  | 'load'
  | 'create'
  | 'patch'
  | 'touch'
  | 'rotate'
  | 'destroy'
  | 'deleteExpired'
  | 'countSessions'
  | 'patchIf'
  | 'listUserSessions'
  | 'destroyUserSessions';

/** Called before each store call (for metrics, tracing or tests). Must not throw. */
export type StoreObserver = (operation: StoreOperation) => void;

/**
 * Wraps a store so `observer` hears about every call before it is made: count round trips, feed a
 * metrics counter, or assert in tests that an untouched request makes no store call. The wrapper
 * forwards everything else unchanged (results, errors, sync or async returns, capabilities).
 */
export function observeStore(store: SessionStore, observer: StoreObserver): SessionStore {
  const before = <T>(operation: StoreOperation, run: () => T): T => {
    try {
      observer(operation);
    } catch {
      // An observer is diagnostics only: it must never fail a store call.
    }
    return run();
  };
  const observed: SessionStore = {
    name: store.name,
    capabilities: store.capabilities,
    load: (key) => before('load', () => store.load(key)),
    create: (key, record) => before('create', () => store.create(key, record)),
    patch: (key, patch) => before('patch', () => store.patch(key, patch)),
    touch: (key, expiresAt) => before('touch', () => store.touch(key, expiresAt)),
    rotate: (fromKey, toKey, patch) => before('rotate', () => store.rotate(fromKey, toKey, patch)),
    destroy: (key) => before('destroy', () => store.destroy(key)),
  };
  const deleteExpired = store.deleteExpired;
  if (deleteExpired !== undefined) {
    observed.deleteExpired = () => before('deleteExpired', () => deleteExpired.call(store));
  }
  const countSessions = store.countSessions;
  if (countSessions !== undefined) {
    observed.countSessions = () => before('countSessions', () => countSessions.call(store));
  }
  const { patchIf, listUserSessions, destroyUserSessions } = store;
  if (patchIf !== undefined) {
    observed.patchIf = (key, condition, patch) =>
      before('patchIf', () => patchIf.call(store, key, condition, patch));
  }
  if (listUserSessions !== undefined) {
    observed.listUserSessions = (userId) =>
      before('listUserSessions', () => listUserSessions.call(store, userId));
  }
  if (destroyUserSessions !== undefined) {
    observed.destroyUserSessions = (userId, options) =>
      before('destroyUserSessions', () => destroyUserSessions.call(store, userId, options));
  }
  return observed;
}
