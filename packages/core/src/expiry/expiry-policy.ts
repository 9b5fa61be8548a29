import { MAX_COOKIE_MAX_AGE_SECONDS } from '../cookie/resolve-cookie-options.js';
import { SessionError } from '../errors/session-error.js';
import type { SessionMeta } from '../store/session-record.js';
import { type Duration, durationToMs } from './duration.js';

/** How long the session cookie lives in the browser. */
export type CookiePersistence =
  /** `Max-Age` derived from the server-side expiry, so closing the browser keeps the session. */
  | 'persistent'
  /** No `Max-Age`: the browser drops the cookie when it closes (the server expiry still applies). */
  | 'browser-session';

/** Expiry settings of a session manager. Every limit is enforced on the server from stored instants. */
export interface ExpiryOptions {
  /** Idle (sliding) timeout: the session ends after this long without activity. Default `'1d'`. */
  idle?: Duration | undefined;
  /**
   * Absolute timeout from the session's creation, never extended by activity, touch or
   * regeneration. Default `'7d'`; `'none'` disables it (not recommended).
   */
  absolute?: Duration | 'none' | undefined;
  /**
   * Minimum move of the idle deadline worth a store write on a request that only reads ("touch").
   * Default: the smaller of one minute and half the idle timeout. Larger values mean fewer writes
   * and a session that may end up to this much earlier than a perfectly sliding one.
   */
  touchInterval?: Duration | undefined;
  /** Cookie persistence. Default `'persistent'`. */
  cookie?: CookiePersistence | undefined;
}

/** A per-session override of the manager's expiry ("remember me"). */
export interface ExpiryOverride {
  /** Idle timeout for this session. */
  idle?: Duration | undefined;
  /** Absolute timeout for this session, measured from its creation; `'none'` removes the limit. */
  absolute?: Duration | 'none' | undefined;
  /** Cookie persistence for this session. */
  cookie?: CookiePersistence | undefined;
}

/** {@link ExpiryOptions} with defaults applied, in milliseconds. */
export interface ExpiryPolicy {
  readonly idleMs: number;
  /** Absent when the manager has no absolute limit. */
  readonly absoluteMs: number | undefined;
  readonly touchIntervalMs: number;
  readonly persistent: boolean;
}

const MAX_COOKIE_MAX_AGE_MS = MAX_COOKIE_MAX_AGE_SECONDS * 1000;

function resolveAbsolute(
  absolute: Duration | 'none' | undefined,
  fallback: number | undefined,
  what: string,
) {
  if (absolute === undefined) return fallback;
  return absolute === 'none' ? undefined : durationToMs(absolute, what);
}

function checkCookieLifetime(
  idleMs: number,
  absoluteMs: number | undefined,
  persistent: boolean,
): void {
  if (
    persistent &&
    Math.min(idleMs, absoluteMs ?? Number.POSITIVE_INFINITY) > MAX_COOKIE_MAX_AGE_MS
  ) {
    throw new SessionError(
      'MISCONFIGURED',
      'a persistent cookie cannot outlive 400 days (RFC 6265bis); lower expiry.idle or set expiry.absolute to at most "400d".',
    );
  }
}

/** Applies defaults to {@link ExpiryOptions} and rejects unsafe values with `MISCONFIGURED`. */
export function resolveExpiryPolicy(options: ExpiryOptions | undefined): ExpiryPolicy {
  const idleMs = durationToMs(options?.idle ?? '1d', 'expiry.idle');
  const absoluteMs = resolveAbsolute(
    options?.absolute,
    durationToMs('7d', 'expiry.absolute'),
    'expiry.absolute',
  );
  const touchIntervalMs =
    options?.touchInterval === undefined
      ? Math.min(60_000, Math.floor(idleMs / 2))
      : durationToMs(options.touchInterval, 'expiry.touchInterval');
  if (touchIntervalMs >= idleMs) {
    throw new SessionError(
      'MISCONFIGURED',
      'expiry.touchInterval must be shorter than expiry.idle.',
    );
  }
  const cookie = options?.cookie ?? 'persistent';
  if (cookie !== 'persistent' && cookie !== 'browser-session') {
    throw new SessionError(
      'MISCONFIGURED',
      'expiry.cookie must be "persistent" or "browser-session".',
    );
  }
  const persistent = cookie === 'persistent';
  checkCookieLifetime(idleMs, absoluteMs, persistent);
  return { idleMs, absoluteMs, touchIntervalMs, persistent };
}

/** Bookkeeping for a session first stored at `now`. */
export function createMeta(now: number, policy: ExpiryPolicy): SessionMeta {
  return policy.absoluteMs === undefined
    ? { createdAt: now }
    : { createdAt: now, absoluteExpiresAt: now + policy.absoluteMs };
}

/** Applies a "remember me" override to a session's bookkeeping. */
export function applyExpiryOverride(
  meta: SessionMeta,
  override: ExpiryOverride,
  policy: ExpiryPolicy,
): SessionMeta {
  const idleMs =
    override.idle === undefined
      ? meta.idleTimeoutMs
      : durationToMs(override.idle, 'setExpiry idle');
  const currentAbsoluteMs =
    meta.absoluteExpiresAt === undefined ? undefined : meta.absoluteExpiresAt - meta.createdAt;
  const absoluteMs = resolveAbsolute(override.absolute, currentAbsoluteMs, 'setExpiry absolute');
  const persistent =
    override.cookie === undefined ? meta.persistent : override.cookie === 'persistent';
  checkCookieLifetime(idleMs ?? policy.idleMs, absoluteMs, persistent ?? policy.persistent);
  const next: { -readonly [K in keyof SessionMeta]: SessionMeta[K] } = {
    createdAt: meta.createdAt,
  };
  // The sign-in binding is not expiry: it carries over unchanged.
  if (meta.userId !== undefined) next.userId = meta.userId;
  if (meta.userInfo !== undefined) next.userInfo = meta.userInfo;
  if (meta.lastActiveAt !== undefined) next.lastActiveAt = meta.lastActiveAt;
  if (absoluteMs !== undefined) next.absoluteExpiresAt = meta.createdAt + absoluteMs;
  if (idleMs !== undefined) next.idleTimeoutMs = idleMs;
  if (persistent !== undefined) next.persistent = persistent;
  return next;
}

/** The idle timeout in force for a session. */
export function idleTimeoutOf(meta: SessionMeta, policy: ExpiryPolicy): number {
  return meta.idleTimeoutMs ?? policy.idleMs;
}

/** Whether a session's cookie carries `Max-Age`. */
export function isPersistent(meta: SessionMeta, policy: ExpiryPolicy): boolean {
  return meta.persistent ?? policy.persistent;
}

/** The record expiry after activity at `now`: the idle deadline, capped by the absolute one. */
export function expiresAtAfterActivity(
  now: number,
  meta: SessionMeta,
  policy: ExpiryPolicy,
): number {
  const idleDeadline = now + idleTimeoutOf(meta, policy);
  return meta.absoluteExpiresAt === undefined
    ? idleDeadline
    : Math.min(idleDeadline, meta.absoluteExpiresAt);
}

/**
 * Whether a read-only request should refresh the stored expiry: only when that would move it by at
 * least the touch interval (so a busy session costs at most one touch per interval).
 */
export function shouldTouch(
  now: number,
  currentExpiresAt: number,
  meta: SessionMeta,
  policy: ExpiryPolicy,
): boolean {
  const interval = Math.min(policy.touchIntervalMs, Math.floor(idleTimeoutOf(meta, policy) / 2));
  return expiresAtAfterActivity(now, meta, policy) - currentExpiresAt >= interval;
}
