/**
 * Settles like `work`, or rejects with `new Error(message)` once `timeoutMs` have passed, first calling
 * `cancel` (for a postgres.js query: `query.cancel()`, which drops it from the client's queue or
 * asks the server to cancel the running statement, so it stops holding a connection and locks).
 *
 * The engine turns the rejection into `SessionError('STORE_UNAVAILABLE')`: a slow or unreachable
 * server is an error within a bounded time, never a hang and never an empty session. `work`'s own
 * later rejection (the cancelled query's) is handled here, so it is never unhandled.
 */
export function withDeadline<T>(
  work: PromiseLike<T>,
  timeoutMs: number,
  message: string,
  cancel?: () => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        // postgres.js sends the cancel request itself; a cancel that fails only means the query
        // runs on until it ends by itself: we have given up on it either way.
        cancel?.();
      } catch {
        // Nothing to do: the caller is answered below regardless.
      }
      reject(new Error(message));
    }, timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
