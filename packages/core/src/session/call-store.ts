import { isSessionError, SessionError } from '../errors/session-error.js';
import type { SessionConfig } from '../manager/session-config.js';
import type { SessionStore } from '../store/session-store.js';
import type { Awaitable } from '../types/awaitable.js';

/**
 * Runs one store operation and turns any failure into `SessionError('STORE_UNAVAILABLE')`, so a
 * store outage is always an error the app sees, never an empty session that logs the user out.
 */
export async function callStore<T>(
  config: SessionConfig,
  store: SessionStore,
  operation: string,
  run: () => Awaitable<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSessionError(error)) throw error;
    config.emit({ type: 'store-error', operation });
    throw new SessionError(
      'STORE_UNAVAILABLE',
      `session store "${store.name}" failed to ${operation}; the user keeps their session (a write that timed out may or may not have been applied). Check the store's connection and retry.`,
      { cause: error },
    );
  }
}
