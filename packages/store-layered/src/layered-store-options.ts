import {
  type Clock,
  SessionError,
  type SessionRecord,
  type SessionStore,
  systemClock,
} from '@sessions/core';
import type { LayeredStoreEventListener } from './layered-store-event.js';

/** A per-session hot TTL in milliseconds, or `'cold-only'` to keep the session out of hot. */
export type HotTtlChoice = number | 'cold-only';

/** Options for `createLayeredStore`. */
export interface LayeredStoreOptions {
  /**
   * The cache: a fast store (Redis, or core's memory store) holding copies of active sessions.
   * Never the authority: anything in it may be dropped at any time. It must not share keys with
   * `cold` (use a different Redis prefix when both are Redis).
   */
  readonly hot: SessionStore;
  /**
   * The authority: a durable store (Postgres, or Redis with persistence) that every write goes to
   * first and that decides whether a session exists. Its operations should have deadlines of
   * their own (ours do); the layered store does not add one.
   */
  readonly cold: SessionStore;
  /**
   * The longest a copy stays in hot without being read into it again, in ms: bounds the cache's
   * memory to sessions active within this window. Always capped at the session's own expiry.
   * It also bounds how long a revocation made outside this layered store (directly in cold, or by
   * another instance when `hot` is per-process) can be missed; see the README.
   * @default 300_000 (5 minutes)
   */
  readonly hotTtlMs?: number | undefined;
  /**
   * Per-session cache policy, called with the record each time it is copied into hot: a shorter
   * TTL in ms (values above `hotTtlMs` are capped; non-finite or below 1 count as `'cold-only'`),
   * or `'cold-only'`. Example: `(record) => record.entries.has('admin') ? 10_000 : 300_000`.
   * @default undefined (every session gets `hotTtlMs`)
   */
  readonly hotTtlFor?: ((record: SessionRecord) => HotTtlChoice) | undefined;
  /**
   * Entry keys (exact) or a predicate on entry keys: a session holding any of them is never
   * copied into hot. Its reads cost one hot read (finding a marker) and one cold read. For data
   * that must not sit in the cache (say, tokens you keep out of Redis or process memory).
   * @default undefined (every key may be cached)
   */
  readonly coldOnlyKeys?: readonly string[] | ((entryKey: string) => boolean) | undefined;
  /**
   * Deadline of each hot operation in ms. Past it the operation counts as failed and the request
   * goes on with cold alone. Keep it well below cold's latency budget and above hot's p99.
   * @default 250
   */
  readonly hotTimeoutMs?: number | undefined;
  /**
   * Hot failures in a row after which the hot store is skipped for `hotBackoffMs`.
   * @default 3
   */
  readonly hotFailureThreshold?: number | undefined;
  /**
   * How long to skip the hot store after `hotFailureThreshold` failures in a row, in ms. After it
   * the next operations try hot again; one failure suspends it again. `0` never skips.
   * @default 5_000
   */
  readonly hotBackoffMs?: number | undefined;
  /**
   * When cold has failed and not yet answered again, serve hits from hot (reads of cached
   * sessions keep working, misses and writes fail). Off by default: once a cold operation has
   * failed, every read goes to cold until one succeeds, so the whole store is consistently
   * unavailable rather than half up. Either way a copy this process failed to invalidate is never
   * served.
   * @default false
   */
  readonly serveHotWhenColdDown?: boolean | undefined;
  /**
   * Most keys remembered as "hot invalidation failed" (see the README). Beyond it the store stops
   * reading hot altogether until every possibly stale copy has expired.
   * @default 10_000
   */
  readonly maxTaintedKeys?: number | undefined;
  /** Receives failures, suspensions and recoveries. See `LayeredStoreEvent`. */
  readonly onEvent?: LayeredStoreEventListener | undefined;
  /**
   * Source of "now" for hot TTLs, leases, backoff and the taint window (expiry itself is decided by
   * the stores' clocks). Inject one in tests.
   * @default systemClock
   */
  readonly clock?: Clock | undefined;
}

/** {@link LayeredStoreOptions} with defaults applied and everything validated. */
export interface ResolvedLayeredStoreOptions {
  readonly hot: SessionStore;
  readonly cold: SessionStore;
  readonly hotTtlMs: number;
  readonly hotTtlFor: ((record: SessionRecord) => HotTtlChoice) | undefined;
  readonly isColdOnlyKey: ((entryKey: string) => boolean) | undefined;
  readonly hotTimeoutMs: number;
  readonly hotFailureThreshold: number;
  readonly hotBackoffMs: number;
  readonly serveHotWhenColdDown: boolean;
  readonly maxTaintedKeys: number;
  readonly onEvent: LayeredStoreEventListener | undefined;
  readonly clock: Clock;
}

function misconfigured(message: string): SessionError {
  return new SessionError('MISCONFIGURED', `layered store: ${message}`);
}

const STORE_METHODS = ['load', 'create', 'patch', 'touch', 'rotate', 'destroy'] as const;

function checkStore(value: unknown, name: 'hot' | 'cold'): SessionStore {
  if (typeof value !== 'object' || value === null) {
    throw misconfigured(`${name} must be a SessionStore`);
  }
  for (const method of STORE_METHODS) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') {
      throw misconfigured(`${name} must be a SessionStore (it has no ${method}() method)`);
    }
  }
  return value as SessionStore;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw misconfigured(`${name} must be a positive integer`);
  }
  return resolved;
}

function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw misconfigured(`${name} must be a function`);
  }
  return value;
}

function coldOnlyPredicate(
  value: LayeredStoreOptions['coldOnlyKeys'],
): ((entryKey: string) => boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value;
  if (!Array.isArray(value) || !value.every((key) => typeof key === 'string')) {
    throw misconfigured('coldOnlyKeys must be an array of entry keys or a predicate');
  }
  if (value.length === 0) return undefined;
  const keys = new Set<string>(value);
  return (entryKey) => keys.has(entryKey);
}

/** Applies defaults and validates; throws `SessionError('MISCONFIGURED')` for bad options. */
export function resolveLayeredStoreOptions(
  options: LayeredStoreOptions,
): ResolvedLayeredStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw misconfigured('createLayeredStore({ hot, cold }) needs an options object');
  }
  const hot = checkStore(options.hot, 'hot');
  const cold = checkStore(options.cold, 'cold');
  // The hot store holds leases and token-prefixed copies, which would overwrite the real records.
  if (hot === cold) throw misconfigured('hot and cold must be different stores');
  const hotBackoffMs = options.hotBackoffMs ?? 5_000;
  if (!Number.isSafeInteger(hotBackoffMs) || hotBackoffMs < 0) {
    throw misconfigured('hotBackoffMs must be a non-negative integer');
  }
  const serveHotWhenColdDown = options.serveHotWhenColdDown ?? false;
  if (typeof serveHotWhenColdDown !== 'boolean') {
    throw misconfigured('serveHotWhenColdDown must be a boolean');
  }
  return {
    hot,
    cold,
    hotTtlMs: positiveInteger(options.hotTtlMs, 300_000, 'hotTtlMs'),
    hotTtlFor: optionalFunction(options.hotTtlFor, 'hotTtlFor'),
    isColdOnlyKey: coldOnlyPredicate(options.coldOnlyKeys),
    hotTimeoutMs: positiveInteger(options.hotTimeoutMs, 250, 'hotTimeoutMs'),
    hotFailureThreshold: positiveInteger(options.hotFailureThreshold, 3, 'hotFailureThreshold'),
    hotBackoffMs,
    serveHotWhenColdDown,
    maxTaintedKeys: positiveInteger(options.maxTaintedKeys, 10_000, 'maxTaintedKeys'),
    onEvent: optionalFunction(options.onEvent, 'onEvent'),
    clock: optionalFunction(options.clock, 'clock') ?? systemClock,
  };
}
