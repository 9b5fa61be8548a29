import type { SessionStore, StoreOperation } from '@sessions/core';

/** A pause a test opens: calls wait at it until `release()`. */
export interface Gate {
  /** Resolves once a call is waiting at the gate. */
  readonly reached: Promise<void>;
  /** Lets every waiting (and later) call through. */
  release(): void;
}

/** A store wrapper that fails, hangs or pauses chosen operations on demand. */
export interface ControlledStore extends SessionStore {
  /** Calls of `operation` throw until `heal()`. */
  fail(operation: StoreOperation): void;
  /** Calls of `operation` never settle (until `heal()`, then they run). */
  hang(operation: StoreOperation): void;
  /**
   * The next call of `operation` runs, then waits at the returned gate before answering: a reply
   * that is slow to come back, its effect already applied (a read that saw the old state).
   */
  pauseAfter(operation: StoreOperation): Gate;
  /**
   * The next call of `operation` is applied, then throws: a write that timed out after the
   * backend had done it.
   */
  failAfter(operation: StoreOperation): void;
  /** Back to normal; hung calls proceed. */
  heal(): void;
}

function createGate(): Gate & { arrive(): void; open: Promise<void> } {
  let release = () => {};
  let arrive = () => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return { reached, release, arrive, open };
}

/** Wraps `inner` (calls pass straight through until a test says otherwise). */
export function controlledStore(inner: SessionStore): ControlledStore {
  const failing = new Set<StoreOperation>();
  const hanging = new Map<StoreOperation, ReturnType<typeof createGate>>();
  const pausedAfter = new Map<StoreOperation, ReturnType<typeof createGate>>();
  const failingAfter = new Set<StoreOperation>();

  async function run<T>(operation: StoreOperation, call: () => T | PromiseLike<T>): Promise<T> {
    const hang = hanging.get(operation);
    if (hang !== undefined) {
      hang.arrive();
      await hang.open;
    }
    if (failing.has(operation)) throw new Error(`controlled store: ${operation} failed`);
    const pause = pausedAfter.get(operation);
    if (pause !== undefined) pausedAfter.delete(operation);
    const result = await call();
    if (pause !== undefined) {
      pause.arrive();
      await pause.open;
    }
    if (failingAfter.delete(operation)) {
      throw new Error(`controlled store: ${operation} failed after it was applied`);
    }
    return result;
  }

  const store: ControlledStore = {
    name: `controlled ${inner.name}`,
    capabilities: inner.capabilities,
    load: (key) => run('load', () => inner.load(key)),
    create: (key, record) => run('create', () => inner.create(key, record)),
    patch: (key, patch) => run('patch', () => inner.patch(key, patch)),
    touch: (key, expiresAt) => run('touch', () => inner.touch(key, expiresAt)),
    rotate: (from, to, patch) => run('rotate', () => inner.rotate(from, to, patch)),
    destroy: (key) => run('destroy', () => inner.destroy(key)),
    fail: (operation) => failing.add(operation),
    hang(operation) {
      if (!hanging.has(operation)) hanging.set(operation, createGate());
    },
    pauseAfter(operation) {
      const gate = createGate();
      pausedAfter.set(operation, gate);
      return gate;
    },
    failAfter: (operation) => failingAfter.add(operation),
    heal() {
      failing.clear();
      failingAfter.clear();
      for (const gate of hanging.values()) gate.release();
      hanging.clear();
    },
  };
  const deleteExpired = inner.deleteExpired;
  if (deleteExpired !== undefined) {
    store.deleteExpired = () => run('deleteExpired', () => deleteExpired.call(inner));
  }
  const countSessions = inner.countSessions;
  if (countSessions !== undefined) {
    store.countSessions = () => run('countSessions', () => countSessions.call(inner));
  }
  const patchIf = inner.patchIf;
  if (patchIf !== undefined) {
    store.patchIf = (key, condition, patch) =>
      run('patchIf', () => patchIf.call(inner, key, condition, patch));
  }
  const { listUserSessions, destroyUserSessions } = inner;
  if (listUserSessions !== undefined) {
    store.listUserSessions = (userId) =>
      run('listUserSessions', () => listUserSessions.call(inner, userId));
  }
  if (destroyUserSessions !== undefined) {
    store.destroyUserSessions = (userId, options) =>
      run('destroyUserSessions', () => destroyUserSessions.call(inner, userId, options));
  }
  return store;
}
