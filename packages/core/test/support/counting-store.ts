import type { SessionStore } from '../../src/index.js';

/** Store method names whose calls are counted. */
export type StoreOperation = 'load' | 'create' | 'patch' | 'touch' | 'rotate' | 'destroy';

/** A store wrapper that records every call, to assert how many round trips the engine makes. */
export interface CountingStore extends SessionStore {
  /** Operations in call order. */
  readonly calls: StoreOperation[];
  /** Forgets the recorded calls. */
  reset(): void;
}

/** Wraps `inner`, recording each contract call before delegating. */
export function countingStore(inner: SessionStore): CountingStore {
  const calls: StoreOperation[] = [];
  const counted =
    <A extends unknown[], R>(operation: StoreOperation, run: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(operation);
      return run(...args);
    };
  return {
    name: `counting(${inner.name})`,
    capabilities: inner.capabilities,
    calls,
    reset: () => {
      calls.length = 0;
    },
    load: counted('load', (key) => inner.load(key)),
    create: counted('create', (key, record) => inner.create(key, record)),
    patch: counted('patch', (key, patch) => inner.patch(key, patch)),
    touch: counted('touch', (key, expiresAt) => inner.touch(key, expiresAt)),
    rotate: counted('rotate', (from, to, patch) => inner.rotate(from, to, patch)),
    destroy: counted('destroy', (key) => inner.destroy(key)),
  };
}
