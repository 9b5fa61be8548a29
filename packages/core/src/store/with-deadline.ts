/**
 * Settles with `run`'s outcome, or rejects with `new Error(message)` once `timeoutMs` have passed
 * (then calls `onTimeout`), whichever comes first; a late outcome is observed and discarded.
 */
function settleWithin<T>(
  timeoutMs: number,
  message: string,
  run: (deadline: number) => PromiseLike<T>,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(message));
      onTimeout?.();
    }, timeoutMs);
    let pending: PromiseLike<T>;
    try {
      pending = run(Date.now() + timeoutMs);
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

/**
 * For store authors: runs `work` and settles with its outcome, or rejects with
 * `new Error(timeoutMessage)` once `timeoutMs` have passed, whichever comes first. The engine turns
 * that rejection into `SessionError('STORE_UNAVAILABLE')`, so a slow or unreachable backend is an
 * error within a bounded time: never a hang, never an empty session.
 *
 * `work` receives the deadline as an instant (epoch ms on this machine's clock), to hand to the
 * backend so a command that reaches it late changes nothing (the contract: a write never applies
 * after it has rejected), and a signal that aborts at the deadline, to cancel a query or stop
 * multi-step work. Its late outcome is still observed (and discarded) here, so an operation that
 * fails after the deadline never becomes an unhandled rejection.
 */
export function withDeadline<T>(
  timeoutMs: number,
  work: (deadline: number, signal: AbortSignal) => PromiseLike<T>,
  timeoutMessage: string,
): Promise<T> {
  const controller = new AbortController();
  return settleWithin(
    timeoutMs,
    timeoutMessage,
    (deadline) => work(deadline, controller.signal),
    () => controller.abort(),
  );
}

/**
 * For store authors: {@link withDeadline} for work that needs only the deadline instant, not an
 * abort signal (a single backend command that carries its own deadline, say). Same outcome and
 * guarantees, without creating an `AbortController` per call (a few microseconds each on Node).
 */
export function withTimeout<T>(
  timeoutMs: number,
  work: (deadline: number) => PromiseLike<T>,
  timeoutMessage: string,
): Promise<T> {
  return settleWithin(timeoutMs, timeoutMessage, work);
}
