/** A postgres.js query as `cancelQuery` sees it. */
export interface CancellableQuery<T> extends PromiseLike<T> {
  cancel(): unknown;
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
 */
export function cancelQuery(query: CancellableQuery<unknown>): void {
  const internals = query as unknown as { canceller?: unknown };
  const canceller = internals.canceller;
  if (typeof canceller !== 'function') {
    query.cancel();
    return;
  }
  internals.canceller = null;
  const request: unknown = canceller(query);
  if (request instanceof Promise) {
    request.catch(() => {
      // The cancel request failed (the server is unreachable); the deadline already answered.
    });
  }
}
