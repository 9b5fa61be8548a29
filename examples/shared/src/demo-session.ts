import {
  createSessionManager,
  type SessionManager,
  type SessionStore,
  type SessionValue,
} from '@sessions/core';

/** The demo's session data: a counter, the signed-in user, and one key per preference. */
export type DemoSession = { views: number; user: string } & {
  [key: `pref:${string}`]: SessionValue;
};

/** What every demo needs to run. */
export interface DemoOptions {
  store: SessionStore;
  secret: string;
  /** Cookie `Secure` attribute; browsers accept secure cookies on http://localhost. Default true. */
  secure?: boolean;
}

/** The session manager options every demo passes to its adapter (or to `createSessionManager`). */
export function demoSessionOptions({ store, secret, secure }: DemoOptions) {
  return { store, secrets: [secret], cookie: { secure: secure ?? true } };
}

/**
 * The demo's session manager: each demo hands it to its adapter (`{ manager }`) and to the actions
 * on the signed-in user's sessions, which list and revoke through it.
 */
export function demoSessionManager(options: DemoOptions): SessionManager<DemoSession> {
  return createSessionManager<DemoSession>(demoSessionOptions(options));
}
