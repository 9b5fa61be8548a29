import type { Fragment } from 'postgres';
import type { StoreContext } from '../store-context.js';

/** Text of the error a write raises when it starts after its deadline. */
export const DEADLINE_PASSED = 'sessions: the operation reached the database after its deadline';

/**
 * A boolean SQL condition that is true while the server's clock is before `deadline` (an ISO
 * timestamp, the operation's client-side deadline) and raises an error after it. Every write puts
 * it in its `WHERE`.
 *
 * Why: cancelling a query on timeout is not enough. postgres.js pipelines queries on a
 * connection, and a query already sent behind a slow one cannot be taken back: its cancel request
 * only goes out once it starts, and may arrive after it has finished. Without this guard a write
 * the store had reported as failed could still apply seconds later, after a newer request's write
 * (a lost update). With it, a write that starts late fails on the server and changes nothing, so
 * a timed-out write was either applied before its deadline or never is.
 *
 * `clock_timestamp()` is the server's clock at evaluation time (re-evaluated after a lock wait);
 * comparing it with the app's instant assumes clocks agree, as expiry already does. Plain SQL
 * cannot raise, so a failing cast of a volatile text does (volatile, so it is never folded into
 * the plan and runs only when the deadline has passed).
 */
export function deadlineGuard(context: StoreContext, deadline: string): Fragment {
  const { sql } = context;
  return sql`(
    case when clock_timestamp() < ${deadline}::text::timestamptz then true
    else (${DEADLINE_PASSED}::text || ' (server clock: ' || clock_timestamp()::text || ')')::boolean
    end
  )`;
}
