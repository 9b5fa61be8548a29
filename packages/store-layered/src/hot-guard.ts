import { type Awaitable, type Clock, withDeadline } from '@sessions/core';
import type { HotOperation, LayeredStoreEvent } from './layered-store-event.js';

/** The outcome of a guarded hot call: its value, or the fact that hot was not usable. */
export type HotCall<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** Runs hot operations with a deadline and a circuit breaker. */
export interface HotGuard {
  /**
   * Runs `run` unless hot is suspended. Never rejects: a throw or a missed deadline is reported
   * (event, failure count) and comes back as `{ ok: false }`, so every caller has to decide what
   * an unusable hot store means for it.
   */
  call<T>(operation: HotOperation, run: () => Awaitable<T>): Promise<HotCall<T>>;
}

/** What {@link createHotGuard} needs. */
export interface HotGuardOptions {
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly backoffMs: number;
  readonly clock: Clock;
  readonly emit: (event: LayeredStoreEvent) => void;
}

const UNUSABLE: HotCall<never> = { ok: false };

/**
 * Why a breaker and not only a deadline: with hot down, every request would otherwise pay
 * `timeoutMs` before reaching cold. After `failureThreshold` failures in a row, hot is skipped for
 * `backoffMs`; then calls go through again, and one more failure suspends it again at once (the
 * count only resets on a success). A late success of a call started before the suspension also
 * ends it: hot answered.
 *
 * An abandoned call keeps running in the hot store and may still apply; `withDeadline` observes
 * its late outcome, so it never becomes an unhandled rejection. Callers treat a timed-out write
 * as "maybe applied", which for the operations used on hot (lease, fill, destroy) is harmless.
 */
export function createHotGuard(options: HotGuardOptions): HotGuard {
  const { timeoutMs, failureThreshold, backoffMs, clock, emit } = options;
  let failures = 0;
  let suspendedUntil: number | undefined;

  function succeeded(): void {
    failures = 0;
    if (suspendedUntil !== undefined) {
      suspendedUntil = undefined;
      emit({ type: 'hot-resumed' });
    }
  }

  function failed(operation: HotOperation, reason: 'error' | 'timeout', error: unknown): void {
    failures++;
    emit({ type: 'hot-failed', operation, reason, error });
    if (backoffMs === 0 || failures < failureThreshold) return;
    const now = clock();
    // Many calls in flight fail together; report a suspension once, not once per call.
    if (suspendedUntil !== undefined && now < suspendedUntil) return;
    suspendedUntil = now + backoffMs;
    emit({ type: 'hot-suspended', until: suspendedUntil, failures });
  }

  return {
    async call<T>(operation: HotOperation, run: () => Awaitable<T>): Promise<HotCall<T>> {
      if (suspendedUntil !== undefined && clock() < suspendedUntil) return UNUSABLE;
      let signal: AbortSignal | undefined;
      try {
        const value = await withDeadline(
          timeoutMs,
          (_deadline, abort) => {
            signal = abort;
            return Promise.resolve(run());
          },
          `layered store: hot ${operation} did not complete within ${timeoutMs} ms`,
        );
        succeeded();
        return { ok: true, value };
      } catch (error) {
        failed(operation, signal?.aborted === true ? 'timeout' : 'error', error);
        return UNUSABLE;
      }
    },
  };
}
