import { observeStore, type SessionStore, type StoreOperation } from '../../src/index.js';

/** A store wrapper that records every call, to assert how many round trips the engine makes. */
export type CountingStore = SessionStore & {
  /** Operations in call order. */
  readonly calls: StoreOperation[];
  /** Forgets the recorded calls. */
  reset(): void;
};

/** Wraps `inner`, recording each contract call before delegating. */
export function countingStore(inner: SessionStore): CountingStore {
  const calls: StoreOperation[] = [];
  const observed = observeStore(inner, (operation) => calls.push(operation));
  return Object.assign(observed, {
    calls,
    reset: () => {
      calls.length = 0;
    },
  });
}
