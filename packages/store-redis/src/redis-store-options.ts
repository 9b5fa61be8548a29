import { SessionError } from '@sessions/core';

/** Options for {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * Prepended to every Redis key the store writes: a session lives at `<prefix>{<store key>}`.
   * Use one prefix per app sharing a Redis. It must not contain `{` or `}` (the braces around the
   * store key are the Redis Cluster hash tag, and a brace in the prefix would move it) nor control
   * or other non-printable characters, and is at most 256 characters.
   * @default 'sess:'
   * @example 'myapp:sess:'
   */
  readonly prefix?: string | undefined;
  /**
   * Deadline for each store operation, in milliseconds. When Redis has not answered by then the
   * operation rejects and the engine reports `SessionError('STORE_UNAVAILABLE')` (HTTP 503); the
   * user keeps their cookie and no new session is minted. A write that reaches Redis after the
   * deadline (queued by ioredis during an outage, or re-sent after a reconnect) changes nothing,
   * judged by Redis's clock. A rotation in Redis Cluster takes more than one round trip and gets
   * the same deadline for all of them.
   * @default 1000
   */
  readonly timeoutMs?: number | undefined;
}

/** {@link RedisStoreOptions} after validation, with defaults applied. */
export interface ResolvedRedisStoreOptions {
  readonly prefix: string;
  readonly timeoutMs: number;
}

/** Default for {@link RedisStoreOptions.prefix}. */
export const DEFAULT_PREFIX = 'sess:';
/** Default for {@link RedisStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 1_000;
/** Longest accepted prefix. */
const MAX_PREFIX_LENGTH = 256;
/** `setTimeout` fires at once for larger delays, which would make every operation time out. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/**
 * Braces (they would move the Cluster hash tag), C0 and C1 controls (including DEL), format
 * characters (zero-width and bidi controls), lone surrogates and line/paragraph separators: all
 * make a key ambiguous or unreadable in `redis-cli`, logs and dashboards.
 */
const UNSAFE_PREFIX = /[{}\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

function misconfigured(message: string): SessionError {
  return new SessionError('MISCONFIGURED', `redis store: ${message}`);
}

/**
 * Validates options once, at construction, and applies defaults. Throws
 * `SessionError('MISCONFIGURED')` for a prefix with braces or non-printable characters and for a
 * deadline that is not a positive number of milliseconds.
 */
export function resolveRedisStoreOptions(
  options: RedisStoreOptions | undefined,
): ResolvedRedisStoreOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw misconfigured('options must be an object');
  }
  const prefix = options?.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw misconfigured('prefix must be a string');
  if (prefix.length > MAX_PREFIX_LENGTH) {
    throw misconfigured(`prefix must be at most ${MAX_PREFIX_LENGTH} characters`);
  }
  if (UNSAFE_PREFIX.test(prefix)) {
    throw misconfigured(
      'prefix must not contain "{" or "}" (they would move the Redis Cluster hash tag) or non-printable characters',
    );
  }
  const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw misconfigured(
      `timeoutMs must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`,
    );
  }
  return { prefix, timeoutMs };
}
