import { SessionError } from '../errors/session-error.js';
import { callStore } from '../session/call-store.js';
import type { SessionStore } from '../store/session-store.js';
import type { SessionConfig } from './session-config.js';

/** Options for `SessionManager.countSessions` and `SessionManager.purgeExpired`. */
export interface StoreMaintenanceOptions {
  /** The store to use, when the manager has none (see `OpenSessionOptions.store`). */
  store?: SessionStore | undefined;
}

/** `value` when it is a non-negative safe integer; otherwise throws (a store bug, reported as such). */
function checkedCount(store: SessionStore, method: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`session store "${store.name}" returned ${String(value)} from ${method}`);
  }
  return value;
}

/**
 * The store's count of live sessions. Throws `MISCONFIGURED` when the store cannot count
 * (`capabilities.count` unset or the method missing), `STORE_UNAVAILABLE` when it fails.
 */
export async function countSessions(config: SessionConfig, store: SessionStore): Promise<number> {
  const method = store.countSessions;
  if (store.capabilities.count === undefined || typeof method !== 'function') {
    throw new SessionError(
      'MISCONFIGURED',
      `session store "${store.name}" cannot count sessions (capabilities.count): use the memory, Redis, Postgres or layered store, or add countSessions to yours.`,
    );
  }
  return callStore(config, store, 'count sessions', async () =>
    checkedCount(store, 'countSessions', await method.call(store)),
  );
}

/**
 * Runs the store's `deleteExpired` once and resolves to what it reports removed. Throws
 * `MISCONFIGURED` when the store has no such method (`capabilities.deleteExpired` false),
 * `STORE_UNAVAILABLE` when it fails.
 */
export async function purgeExpired(config: SessionConfig, store: SessionStore): Promise<number> {
  const method = store.deleteExpired;
  if (!store.capabilities.deleteExpired || typeof method !== 'function') {
    throw new SessionError(
      'MISCONFIGURED',
      `session store "${store.name}" cannot purge expired sessions (capabilities.deleteExpired): its backend must expire records by itself, so there is nothing to schedule.`,
    );
  }
  return callStore(config, store, 'purge expired sessions', async () =>
    checkedCount(store, 'deleteExpired', await method.call(store)),
  );
}
