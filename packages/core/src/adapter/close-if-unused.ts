import { closeUnused } from '../session/session-handle.js';

/**
 * For adapters, after the handler: ends the request of a session the handler never used, at once
 * and without a store call or a `Set-Cookie`, exactly as `await session.commit()` would, but
 * synchronously (an untouched request then pays for no promise, which matters on the hottest
 * path). Returns `false`, changing nothing, when the session was used: then call `commit()`.
 * Sessions not made by `@sessions/core` always get `false`.
 */
export function closeIfUnused(session: object): boolean {
  const close = (session as Partial<Record<typeof closeUnused, () => boolean>>)[closeUnused];
  return typeof close === 'function' && close.call(session);
}
