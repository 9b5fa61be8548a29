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
  return {
    name: `counting(${inner.name})`,
    capabilities: inner.capabilities,
    calls,
    reset: () => {
      calls.length = 0;
    },
    load: (key) => (calls.push('load'), inner.load(key)),
    create: (key, record) => (calls.push('create'), inner.create(key, record)),
    patch: (key, patch) => (calls.push('patch'), inner.patch(key, patch)),
    touch: (key, expiresAt) => (calls.push('touch'), inner.touch(key, expiresAt)),
    rotate: (from, to, patch) => (calls.push('rotate'), inner.rotate(from, to, patch)),
    destroy: (key) => (calls.push('destroy'), inner.destroy(key)),
  };
}
