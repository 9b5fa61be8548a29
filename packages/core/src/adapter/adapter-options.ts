import type { SessionManager } from '../manager/session-manager.js';
import { createSessionManager } from '../manager/session-manager.js';
import type { SessionManagerOptions } from '../manager/session-manager-options.js';
import type { RegisteredSessionData } from '../types/register.js';
import type { SessionData, ValidSessionData } from '../types/session-value.js';

/** What an adapter does after the handler; the same in every adapter. */
export interface CommitPolicyOptions {
  /**
   * Commit the session even when the handler failed (threw, or answered with a 5xx status).
   * Default `false`: a failed request changes nothing, as in tower-sessions.
   */
  commitOnError?: boolean | undefined;
}

/**
 * Options every framework adapter accepts: either the manager's options (the adapter builds the
 * manager) or a manager you built with `createSessionManager` (to share it, or to use it outside
 * the framework too), plus the commit policy.
 */
export type SessionAdapterOptions<Data extends SessionData = RegisteredSessionData> = (
  | SessionManagerOptions
  | { manager: SessionManager<Data> }
) &
  CommitPolicyOptions;

/** The manager an adapter should use for `options`. */
export function managerFromOptions<Data extends ValidSessionData<Data>>(
  options: SessionAdapterOptions<Data>,
): SessionManager<Data> {
  return 'manager' in options ? options.manager : createSessionManager<Data>(options);
}

/**
 * Whether an adapter commits after the handler: not when the handler threw or answered 5xx,
 * unless `commitOnError` is set. One rule for every framework.
 */
export function shouldCommit(
  outcome: { failed: boolean; status: number },
  policy: CommitPolicyOptions,
): boolean {
  if (policy.commitOnError === true) return true;
  return !outcome.failed && outcome.status < 500;
}
