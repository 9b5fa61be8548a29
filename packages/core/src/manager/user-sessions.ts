import { isUserSessionHandle, userSessionHandle } from '../crypto/user-session-handle.js';
import { SessionError } from '../errors/session-error.js';
import { callStore } from '../session/call-store.js';
import type { Session } from '../session/session.js';
import { readStoreKey } from '../session/session-handle.js';
import { sessionTag } from '../session/session-tag.js';
import { validateUserId } from '../session/validate-user.js';
import type { UserSessionRecord } from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';
import type { SessionData } from '../types/session-value.js';
import type { SessionConfig } from './session-config.js';
import type { UserSessionInfo } from './user-session-info.js';

/** A store that can list and destroy a user's sessions. */
type IndexedStore = SessionStore &
  Required<Pick<SessionStore, 'listUserSessions' | 'destroyUserSessions'>>;

/** Throws `MISCONFIGURED` unless the store declares and implements a user index. */
export function requireUserIndex(store: SessionStore): IndexedStore {
  if (
    store.capabilities.userIndex !== true ||
    typeof store.listUserSessions !== 'function' ||
    typeof store.destroyUserSessions !== 'function'
  ) {
    throw new SessionError(
      'MISCONFIGURED',
      `session store "${store.name}" has no user index (capabilities.userIndex); listing and revoking a user's sessions needs one: use the memory, Redis, Postgres or layered store, or add the index to yours.`,
    );
  }
  return store as IndexedStore;
}

/** The store key of a session this manager opened (after loading it), if it is stored. */
export async function storeKeyOf<Data extends SessionData>(
  session: Session<Data> | undefined,
): Promise<string | undefined> {
  if (session === undefined) return undefined;
  const read = (session as Partial<Record<typeof readStoreKey, () => Promise<string | undefined>>>)[
    readStoreKey
  ];
  if (typeof read !== 'function') {
    throw new SessionError(
      'MISCONFIGURED',
      'pass the Session this manager opened for the request (c.get("session"), req.session, ctx.session).',
    );
  }
  return read.call(session);
}

/** Whether a listed record is live and bound to `userId` (the engine re-checks what stores say). */
function isLiveFor(record: UserSessionRecord, userId: string, now: number): boolean {
  const absolute = record.meta.absoluteExpiresAt;
  return (
    record.meta.userId === userId &&
    record.expiresAt > now &&
    (absolute === undefined || absolute > now)
  );
}

/** The live sessions of `userId`, newest activity first. */
export async function listUserSessions(
  config: SessionConfig,
  store: SessionStore,
  userId: string,
  currentKey: string | undefined,
): Promise<UserSessionInfo[]> {
  validateUserId(userId);
  const indexed = requireUserIndex(store);
  const records = await callStore(config, store, "list the user's sessions", () =>
    indexed.listUserSessions(userId),
  );
  const now = config.clock();
  const live = records.filter((record) => isLiveFor(record, userId, now));
  const infos = await Promise.all(
    live.map(
      async (record): Promise<UserSessionInfo> => ({
        handle: await userSessionHandle(record.key),
        current: record.key === currentKey,
        createdAt: record.meta.createdAt,
        lastActiveAt: record.meta.lastActiveAt ?? record.meta.createdAt,
        expiresAt: record.expiresAt,
        info: { ...record.meta.userInfo },
      }),
    ),
  );
  return infos.sort((a, b) => b.lastActiveAt - a.lastActiveAt);
}

function reportRevoked(config: SessionConfig, keys: readonly string[]): number {
  for (const key of keys) config.emit({ type: 'session-revoked', session: sessionTag(key) });
  return keys.length;
}

/** Revokes every session of `userId` except `exceptKey`; returns how many ended. */
export async function revokeUserSessions(
  config: SessionConfig,
  store: SessionStore,
  userId: string,
  exceptKey: string | undefined,
): Promise<number> {
  validateUserId(userId);
  const indexed = requireUserIndex(store);
  const destroyed = await callStore(config, store, "revoke the user's sessions", () =>
    indexed.destroyUserSessions(userId, exceptKey === undefined ? {} : { except: exceptKey }),
  );
  return reportRevoked(config, destroyed);
}

/**
 * Revokes the session of `userId` named by `handle`; false when the handle names none of that
 * user's live sessions (a malformed handle never reaches the store).
 */
export async function revokeUserSession(
  config: SessionConfig,
  store: SessionStore,
  userId: string,
  handle: string,
): Promise<boolean> {
  validateUserId(userId);
  const indexed = requireUserIndex(store);
  if (!isUserSessionHandle(handle)) return false;
  const records = await callStore(config, store, "list the user's sessions", () =>
    indexed.listUserSessions(userId),
  );
  const now = config.clock();
  let key: string | undefined;
  for (const record of records) {
    if (isLiveFor(record, userId, now) && (await userSessionHandle(record.key)) === handle) {
      key = record.key;
      break;
    }
  }
  if (key === undefined) return false;
  const target = key;
  const destroyed = await callStore(config, store, 'revoke the session', () =>
    indexed.destroyUserSessions(userId, { only: [target] }),
  );
  return reportRevoked(config, destroyed) > 0;
}
