/** A postgres.js query as `cancelQuery` sees it. */
export interface CancellableQuery<T> extends PromiseLike<T> {
  cancel(): unknown;
}

/** The postgres.js 3.4 internals of a query that `cancelQuery` reads and writes. */
interface QueryInternals {
  /** The function `cancel()` calls; `null` once used. */
  canceller?: unknown;
  /** The backend it was handed to, set when a connection writes it; `null` before. */
  state?: unknown;
  /** Set by the canceller; a connection does not run a query whose mark is set. */
  cancelled?: unknown;
}

/**
 * Cancels a postgres.js query: drops it from the client's queue if it was not sent yet, otherwise
 * sends Postgres a cancel request for it.
 *
 * Why not just `query.cancel()`: in postgres.js 3.4 it starts the cancel request and discards the
 * promise that reports it. A cancel request needs a new connection, so when the database is
 * unreachable (the very moment deadlines fire) that promise rejects with no handler: an unhandled
 * rejection, which by default ends a Node process. postgres.js keeps the function that makes the
 * request in the query's `canceller` field; calling it ourselves (exactly as `cancel()` does) lets
 * us handle the outcome. If a future version lacks that field, `cancel()` is the fallback.
 *
 * A query not sent yet needs one more step. The canceller rejects it, removes it from the
 * client's queue and marks it `cancelled`, but a query can be unsent and not queued either: a
 * connection that is still connecting holds the query that opened it as its first query. Once
 * connected it skips that query because of the mark, and then never reports itself open (only a
 * finished query does), so it serves nothing again: after a partition heals, every query waits
 * forever. So for an unsent query the mark is cleared again. A queued one is already out of the
 * queue; a connecting connection's first one runs once connected, answering no one (its promise
 * is settled), which frees the connection. A late write changes nothing: `deadlineGuard` makes it
 * fail on the server.
 */
export function cancelQuery(query: CancellableQuery<unknown>): void {
  const internals = query as unknown as QueryInternals;
  const canceller = internals.canceller;
  if (typeof canceller !== 'function') {
    query.cancel();
    return;
  }
  // A connection sets `state` when it writes the query: from then on the canceller asks the
  // server to cancel it (at once if it is running, or when its turn comes if it is pipelined).
  const sent = internals.state !== null && internals.state !== undefined;
  internals.canceller = null;
  const request: unknown = canceller(query);
  if (!sent) internals.cancelled = null;
  if (request instanceof Promise) {
    request.catch(() => {
      // The cancel request failed (the server is unreachable); the deadline already answered.
    });
  }
}
