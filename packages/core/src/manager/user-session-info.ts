import type { Session } from '../session/session.js';
import type { SessionStore } from '../store/session-store.js';
import type { RegisteredSessionData } from '../types/register.js';
import type { SessionData } from '../types/session-value.js';

/** One live session of a user, as `SessionManager.listUserSessions` reports it. */
export interface UserSessionInfo {
  /**
   * Names the session in a "your sessions" page and in `revokeUserSession`. Derived one-way from
   * the store key, so it can be shown to the user and sent back, but never works as a cookie.
   */
  readonly handle: string;
  /** True for the session passed as `current` (the one making the request). */
  readonly current: boolean;
  /** Epoch ms when the session was first stored. */
  readonly createdAt: number;
  /** Epoch ms of its last recorded activity (precise to the touch interval). */
  readonly lastActiveAt: number;
  /** Epoch ms when it expires unless used again. */
  readonly expiresAt: number;
  /** The metadata recorded at sign-in (`signIn(userId, { info })`). */
  readonly info: Readonly<Record<string, string>>;
}

/** Options for `SessionManager.listUserSessions`. */
export interface ListUserSessionsOptions<Data extends SessionData = RegisteredSessionData> {
  /** The requesting session, to mark it `current: true`. */
  current?: Session<Data> | undefined;
  /** The store to read, when the manager has none (see `OpenSessionOptions.store`). */
  store?: SessionStore | undefined;
}

/** Options for `SessionManager.revokeUserSessions`. */
export interface RevokeUserSessionsOptions<Data extends SessionData = RegisteredSessionData> {
  /** A session to keep ("sign out everywhere else"): usually the requesting one. */
  except?: Session<Data> | undefined;
  /** The store to write, when the manager has none (see `OpenSessionOptions.store`). */
  store?: SessionStore | undefined;
}

/** Options for `SessionManager.revokeUserSession`. */
export interface RevokeUserSessionOptions {
  /** The store to write, when the manager has none (see `OpenSessionOptions.store`). */
  store?: SessionStore | undefined;
}
