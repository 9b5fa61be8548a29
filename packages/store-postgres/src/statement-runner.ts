import { withDeadline } from '@sessions/core';
import { type CancellableQuery, cancelQuery } from './cancel-query.js';
import { instantToTimestamp } from './instants.js';
import { DEADLINE_PASSED } from './statements/deadline-guard.js';

/**
 * Runs one operation's statement within the store's deadline. `statement` receives the deadline
 * as an ISO timestamp, for writes to guard themselves with (see `deadlineGuard`).
 */
export type StatementRunner = <T>(
  operation: string,
  statement: (deadline: string) => CancellableQuery<T>,
) => Promise<T>;

/** Options for {@link createStatementRunner}. */
export interface StatementRunnerOptions {
  /** The whole operation's deadline, queueing and retries included. */
  readonly timeoutMs: number;
  /** Awaited (within the deadline) before the statement: the `migrate: true` option's migration. */
  readonly before?: (() => Promise<void>) | undefined;
}

/** Attempts per operation when Postgres aborts a statement only because of concurrency. */
const MAX_ATTEMPTS = 3;

/**
 * SQLSTATEs after which a statement was rolled back and may simply run again: `40001`
 * (serialization failure, only under REPEATABLE READ or SERIALIZABLE set as the default isolation)
 * and `40P01` (deadlock detected). Every statement of this store is a single atomic statement, so
 * re-running one that was rolled back cannot apply anything twice.
 */
function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === '40001' || error.code === '40P01';
}

/** True for the error `deadlineGuard` raises. */
function isLateOnServer(error: unknown): boolean {
  return error instanceof Error && error.message.includes(DEADLINE_PASSED);
}

/**
 * Builds the function every store method goes through: one deadline for the whole operation
 * (waiting for the migration, queueing for a connection, the statement, any retry), cancelling
 * the statement when it passes.
 */
export function createStatementRunner(options: StatementRunnerOptions): StatementRunner {
  const { timeoutMs, before } = options;
  return async function run<T>(
    operation: string,
    statement: (deadline: string) => CancellableQuery<T>,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const deadlineText = instantToTimestamp(deadline, 'deadline');
    const late = `postgres store: ${operation} did not finish within its ${timeoutMs} ms deadline`;
    if (before !== undefined) {
      await withDeadline(timeoutMs, before, `${late} (it was waiting for the migration)`);
    }
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(late);
      const query = statement(deadlineText);
      try {
        // At the deadline, cancel the statement (drop it from the client's queue or ask the
        // server to stop it) so it stops holding a connection and locks.
        return await withDeadline(
          remaining,
          (_deadline, signal) => {
            const cancel = () => {
              try {
                cancelQuery(query);
              } catch {
                // The caller is answered regardless; the query runs on until it ends by itself.
              }
            };
            signal.addEventListener('abort', cancel, { once: true });
            return query;
          },
          `${late}; the query was cancelled`,
        );
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
        if (isLateOnServer(error)) {
          throw new Error(
            `${late}: it reached the database too late and changed nothing (if this happens for fast queries, the database clock is ahead of this server's)`,
            { cause: error },
          );
        }
        throw error;
      }
    }
  };
}
