import { SessionError } from '@sessions/core';

/** Anything with a `deleteExpired()`: a Postgres store, or any other store that has one. */
export interface ExpiredRecordSweeper {
  deleteExpired(): PromiseLike<number> | number;
}

/** Options for {@link startCleanup}. */
export interface CleanupOptions {
  /**
   * Average milliseconds between the end of one run and the start of the next. The first run
   * comes after one (jittered) interval, not at once, so a fleet restarting together does not
   * sweep together.
   * @default 300_000 (5 minutes)
   */
  readonly intervalMs?: number | undefined;
  /**
   * How much each wait varies at random, as a fraction of `intervalMs` (0 to 1): every wait is
   * drawn uniformly from `intervalMs × (1 ± jitter)`, so instances sharing a database spread
   * their sweeps out instead of running in lockstep.
   * @default 0.1
   */
  readonly jitter?: number | undefined;
  /**
   * Called with each failed run's error; the job keeps running and tries again after the next
   * interval. It must not throw (anything it throws is ignored).
   * @default logs the error with `console.error`
   */
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Called after each successful run with how many records it removed. @default none */
  readonly onSweep?: ((removed: number) => void) | undefined;
}

/** A running cleanup job. */
export interface CleanupJob {
  /**
   * Stops the job: no further run starts. Resolves once a run in progress (if any) has finished,
   * so `await job.stop()` before `sql.end()` shuts down without a query racing the pool's close.
   * Idempotent; never rejects.
   */
  stop(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 300_000;
const DEFAULT_JITTER = 0.1;
/** setTimeout's largest delay; longer ones fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

/** Runs a user callback; what it throws must neither stop the job nor go unhandled. */
function safely(call: () => void): void {
  try {
    call();
  } catch {
    // Ignored on purpose (see above).
  }
}

function logError(error: unknown): void {
  console.error('@sessions/store-postgres: deleteExpired() failed; will retry', error);
}

/**
 * Starts a periodic `deleteExpired()`. Opt-in: no store ever starts a timer by itself.
 *
 * Runs never overlap (the next wait starts when a run ends). The timer is `unref`'d, so it never
 * keeps a process alive. A failing run is reported to `onError` and the job carries on.
 *
 * Where timers do not run between requests (serverless functions, edge runtimes), do not use a
 * job: call `store.deleteExpired()` from a scheduled function or cron instead.
 *
 * Throws `SessionError('MISCONFIGURED')` for invalid options.
 *
 * @example
 * ```ts
 * const cleanup = startCleanup(store, { intervalMs: 60_000 });
 * process.on('SIGTERM', async () => { await cleanup.stop(); await sql.end(); });
 * ```
 */
export function startCleanup(
  target: ExpiredRecordSweeper,
  options: CleanupOptions = {},
): CleanupJob {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const jitter = options.jitter ?? DEFAULT_JITTER;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new SessionError('MISCONFIGURED', 'cleanup: intervalMs must be a positive number');
  }
  if (!(Number.isFinite(jitter) && jitter >= 0 && jitter <= 1)) {
    throw new SessionError('MISCONFIGURED', 'cleanup: jitter must be between 0 and 1');
  }
  const onError = options.onError ?? logError;
  const onSweep = options.onSweep;

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  function schedule(): void {
    if (stopped) return;
    const delay = intervalMs * (1 + jitter * (2 * Math.random() - 1));
    timer = setTimeout(tick, Math.min(Math.max(delay, 1), MAX_DELAY_MS));
    // Node and Bun return a Timeout object with `unref`; Deno and browsers a number.
    const handle: unknown = timer;
    if (typeof handle === 'object' && handle !== null && 'unref' in handle) {
      if (typeof handle.unref === 'function') handle.unref();
    }
  }

  /** One run; never rejects. */
  async function sweepOnce(): Promise<void> {
    let removed: number;
    try {
      removed = await target.deleteExpired();
    } catch (error) {
      safely(() => onError(error));
      return;
    }
    if (onSweep !== undefined) safely(() => onSweep(removed));
  }

  function tick(): void {
    timer = undefined;
    running = sweepOnce().finally(() => {
      running = undefined;
      schedule();
    });
  }

  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
