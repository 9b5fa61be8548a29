import type { StoreOperation } from '@sessions/core';

/** The hot-store operations the layered store makes. */
export type HotOperation = 'load' | 'create' | 'patch' | 'destroy' | 'deleteExpired';

/**
 * What the layered store reports through `onEvent`: for logs, metrics and alerts. Store keys are
 * SHA-256 hashes of session IDs, safe to log (they cannot be replayed as cookies).
 */
export type LayeredStoreEvent =
  /**
   * A hot operation threw (`error`) or missed `hotTimeoutMs` (`timeout`). The request went on
   * without the hot store.
   */
  | {
      readonly type: 'hot-failed';
      readonly operation: HotOperation;
      readonly reason: 'error' | 'timeout';
      readonly error: unknown;
    }
  /** `hotFailureThreshold` failures in a row: the hot store is skipped until `until` (epoch ms). */
  | { readonly type: 'hot-suspended'; readonly until: number; readonly failures: number }
  /** A hot operation succeeded again after a suspension. */
  | { readonly type: 'hot-resumed' }
  /**
   * A write could not remove the hot copy of `key` (the hot store failed or was suspended). This
   * process will not serve that copy (it reads cold for `key` until a removal succeeds or the copy
   * must have expired); other processes sharing the hot store may, until it expires.
   */
  | { readonly type: 'hot-invalidation-failed'; readonly key: string }
  /**
   * More keys failed invalidation than `maxTaintedKeys`: every read goes to cold until `until`
   * (epoch ms), by when every copy that might be stale has expired.
   */
  | { readonly type: 'hot-bypassed'; readonly until: number }
  /** A cold operation failed; the error is rethrown to the caller. */
  | { readonly type: 'cold-failed'; readonly operation: StoreOperation; readonly error: unknown }
  /** A cold operation succeeded after a failure. */
  | { readonly type: 'cold-recovered' };

/** Receives {@link LayeredStoreEvent}s. Must not throw (a throw is caught and ignored). */
export type LayeredStoreEventListener = (event: LayeredStoreEvent) => void;
