import type { HeaderSource } from '../adapter/header-source.js';
import { SessionError } from '../errors/session-error.js';
import type { Session } from '../session/session.js';
import { SessionHandle } from '../session/session-handle.js';
import type { SessionStore } from '../store/session-store.js';
import type { SessionTransport } from '../transport/session-transport.js';
import type { Register, RegisteredSessionData } from '../types/register.js';
import type { SessionData, ValidSessionData } from '../types/session-value.js';
import { checkCodecFits, checkStore, resolveSessionConfig } from './session-config.js';
import type { SessionManagerOptions } from './session-manager-options.js';
import { countSessions, purgeExpired, type StoreMaintenanceOptions } from './store-maintenance.js';
import type {
  ListUserSessionsOptions,
  RevokeUserSessionOptions,
  RevokeUserSessionsOptions,
  UserSessionInfo,
} from './user-session-info.js';
import {
  listUserSessions,
  revokeUserSession,
  revokeUserSessions,
  storeKeyOf,
} from './user-sessions.js';

/** Per-request options for {@link SessionManager.session}. */
export interface OpenSessionOptions {
  /** A store for this request only (e.g. one built from a Cloudflare Workers binding). */
  store?: SessionStore | undefined;
  /**
   * The request URL, when `request` is a {@link HeaderSource} rather than a `Request`; used only to
   * report a `Secure` cookie issued over plain HTTP (the `insecure-request` event). Pass a function
   * to build it only when a cookie is issued, off the hot path of requests that issue none.
   */
  url?: string | (() => string) | undefined;
  /**
   * The client's IP address as the framework reports it (honouring its trust-proxy setting), for
   * client binding (`binding.ip`, and `fingerprint`'s `clientAddress()`). Called only when a
   * binding needs it, never when binding is off. Adapters pass it; when calling `session()`
   * yourself with `binding.ip` on, pass it too, or binding fails with `MISCONFIGURED`.
   */
  clientAddress?: (() => string | undefined) | undefined;
}

/**
 * Created once per app from {@link SessionManagerOptions}; opens a lazy {@link Session} per
 * request. Framework adapters hold one and call `session()` and `commit()` around each handler.
 */
export interface SessionManager<Data extends SessionData = RegisteredSessionData> {
  /** How tokens travel (cookie or header); adapters use it to describe the transport. */
  readonly transport: SessionTransport;
  /**
   * Opens the session a request presents. Performs no I/O: the store is read on first access, and
   * a request that never touches its session costs nothing.
   */
  session(request: Request | HeaderSource, options?: OpenSessionOptions): Session<Data>;
  /**
   * Lists the live sessions of a user (those `signIn` bound to `userId`), newest activity first;
   * pass the requesting session as `current` to mark it. Needs a store with a user index
   * (`capabilities.userIndex`), else throws `MISCONFIGURED`.
   */
  listUserSessions(
    userId: string,
    options?: ListUserSessionsOptions<Data>,
  ): Promise<UserSessionInfo[]>;
  /**
   * Ends one of a user's sessions by its `handle` (from `listUserSessions`). Resolves false when
   * the handle names no live session of this user. The revoked session's next request is anonymous.
   */
  revokeUserSession(
    userId: string,
    handle: string,
    options?: RevokeUserSessionOptions,
  ): Promise<boolean>;
  /**
   * Ends every session of a user ("sign out everywhere"; call it on a password change), or every
   * one but `except` ("sign out everywhere else"). Resolves to how many sessions ended.
   */
  revokeUserSessions(userId: string, options?: RevokeUserSessionsOptions<Data>): Promise<number>;
  /**
   * Counts the live sessions in the store, for admin pages and metrics (not for the request path:
   * the cost depends on the store; see its README). Whether the number is a snapshot is the
   * store's `capabilities.count` (`'exact'` or `'approximate'`). Throws `MISCONFIGURED` when the
   * store cannot count, `STORE_UNAVAILABLE` when it fails.
   */
  countSessions(options?: StoreMaintenanceOptions): Promise<number>;
  /**
   * Removes expired sessions from the store now and resolves to how many this call removed; call
   * it from a cron job or scheduled function. Live sessions are never touched. Throws
   * `MISCONFIGURED` when the store has no `deleteExpired` (`capabilities.deleteExpired`),
   * `STORE_UNAVAILABLE` when it fails.
   */
  purgeExpired(options?: StoreMaintenanceOptions): Promise<number>;
}

/**
 * Creates a session manager for session data of type `Data` (checked against the value domain at
 * compile time; defaults to the type declared through {@link Register}). Validates every option
 * now, so an unsafe configuration fails at start-up with `SessionError('MISCONFIGURED')` rather
 * than on the first request.
 *
 * ```ts
 * const sessions = createSessionManager<{ userId: string }>({
 *   store: createMemoryStore(),
 *   secrets: [process.env.SESSION_SECRET],
 * });
 * ```
 */
export function createSessionManager<Data extends ValidSessionData<Data> = RegisteredSessionData>(
  options: SessionManagerOptions,
): SessionManager<Data> {
  const config = resolveSessionConfig(options);
  const storeFor = (requestStore: SessionStore | undefined): SessionStore => {
    if (requestStore !== undefined) {
      if (requestStore === config.store) return requestStore;
      return config.wrapStore(checkCodecFits(config.codec, checkStore(requestStore)));
    }
    if (config.store !== undefined) return config.store;
    throw new SessionError(
      'MISCONFIGURED',
      'no session store: pass `store` to the manager, or `{ store }` with each request (manager.session(request, { store })).',
    );
  };
  return {
    transport: config.transport,
    session(request, open) {
      // Duck-typed: a Request from another realm or polyfill must work too.
      const requestUrl = (request as Partial<Request>).url;
      const isRequest = typeof requestUrl === 'string';
      const headers = isRequest ? (request as Request).headers : (request as HeaderSource);
      return new SessionHandle<Data>(
        config,
        storeFor(open?.store),
        headers,
        isRequest ? requestUrl : open?.url,
        undefined,
        open?.clientAddress,
      );
    },
    async listUserSessions(userId, options) {
      const store = storeFor(options?.store);
      return listUserSessions(config, store, userId, await storeKeyOf(options?.current));
    },
    revokeUserSession(userId, handle, options) {
      return revokeUserSession(config, storeFor(options?.store), userId, handle);
    },
    async revokeUserSessions(userId, options) {
      const store = storeFor(options?.store);
      return revokeUserSessions(config, store, userId, await storeKeyOf(options?.except));
    },
    async countSessions(options) {
      return countSessions(config, storeFor(options?.store));
    },
    async purgeExpired(options) {
      return purgeExpired(config, storeFor(options?.store));
    },
  };
}
