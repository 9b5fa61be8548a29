/**
 * Runs `work` and settles with its outcome, or rejects once `timeoutMs` have passed, whichever
 * comes first. `work` receives the deadline as an instant (epoch ms on this machine's clock), to
 * hand to Redis so a command reaching it later changes nothing, and a signal that aborts at the
 * deadline, so multi-step work stops issuing commands nobody waits for.
 *
 * Why: ioredis queues commands while disconnected and retries them (20 reconnections by default),
 * so without a deadline a request could hang for many seconds during an outage. The late outcome
 * of `work` is still observed (and discarded) here, so a command that fails after the deadline
 * never becomes an unhandled rejection.
 */
export function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  work: (deadline: number, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`redis store: ${operation} did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    let pending: Promise<T>;
    try {
      pending = work(deadline, controller.signal);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    pending.then(
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
