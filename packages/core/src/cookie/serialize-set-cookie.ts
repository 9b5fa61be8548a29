import { SessionError } from '../errors/session-error.js';
import type { CookiePriority, SameSite } from './cookie-options.js';
import {
  assertCookieOptions,
  MAX_COOKIE_MAX_AGE_SECONDS,
  type ResolvedCookieOptions,
} from './resolve-cookie-options.js';

/**
 * How long the browser keeps the cookie: until it closes (`session`), for a number of seconds
 * (`persistent`, clamped to 1..34560000, i.e. 400 days), or not at all (`delete`).
 */
export type CookieLifetime =
  | { readonly kind: 'session' }
  | { readonly kind: 'persistent'; readonly maxAgeSeconds: number }
  | { readonly kind: 'delete' };

/** Largest `name=value` browsers store, in bytes (RFC 6265bis); attributes are not counted. */
export const MAX_COOKIE_NAME_VALUE_BYTES = 4096;

/** Latest instant an IMF-fixdate can express (9999-12-31T23:59:59.999Z). */
const MAX_DATE_MS = 253_402_300_799_999;

const EPOCH_EXPIRES = 'Thu, 01 Jan 1970 00:00:00 GMT';

const SAME_SITE_ATTRIBUTE: Readonly<Record<SameSite, string>> = {
  lax: 'Lax',
  strict: 'Strict',
  none: 'None',
};

const PRIORITY_ATTRIBUTE: Readonly<Record<CookiePriority, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

/**
 * True when `value` is a sequence of RFC 6265 cookie-octets (visible ASCII except DQUOTE, comma,
 * semicolon and backslash; no space). The empty string qualifies.
 */
export function isCookieValue(value: string): boolean {
  if (typeof value !== 'string') return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code <= 0x20 ||
      code >= 0x7f ||
      code === 0x22 ||
      code === 0x2c ||
      code === 0x3b ||
      code === 0x5c
    ) {
      return false;
    }
  }
  return true;
}

/** The last `Expires` rendered, by whole second: consecutive responses mostly share it. */
let lastExpires: { second: number; text: string } | undefined;

/** `Expires` for an instant (IMF-fixdate, whole seconds), memoized for the current second. */
function formatExpires(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (lastExpires?.second !== second) {
    lastExpires = { second, text: new Date(second * 1000).toUTCString() };
  }
  return lastExpires.text;
}

/** Renders an unexpected value for an error message, escaping control characters. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `Max-Age` for a persistent lifetime: a whole number of seconds in 1..MAX. */
function clampMaxAge(maxAgeSeconds: number): number {
  if (typeof maxAgeSeconds !== 'number' || Number.isNaN(maxAgeSeconds)) {
    throw new SessionError(
      'MISCONFIGURED',
      `cookie: maxAgeSeconds must be a number of seconds, got ${show(maxAgeSeconds)}; pass a positive number.`,
    );
  }
  return Math.min(MAX_COOKIE_MAX_AGE_SECONDS, Math.max(1, Math.floor(maxAgeSeconds)));
}

/**
 * Builds one `Set-Cookie` header value (never several, never comma-joined) in the order
 * `name=value; Path; Domain; Max-Age; Expires; HttpOnly; Secure; SameSite; Partitioned; Priority`.
 *
 * A `delete` lifetime ignores `value` and emits an empty value with `Max-Age=0` and a 1970
 * `Expires`, keeping every other attribute of `options`, so it matches the cookie it removes.
 *
 * Throws `SessionError` with `MISCONFIGURED` for a name that is not a token or options that
 * break a cookie rule, `INVALID_VALUE` for a value that is not RFC 6265 cookie-octets, and
 * `COOKIE_TOO_LARGE` when `name=value` exceeds 4096 bytes. `now` (ms since epoch) is for tests.
 */
export function serializeSetCookie(
  name: string,
  value: string,
  options: ResolvedCookieOptions,
  lifetime: CookieLifetime,
  now: number = Date.now(),
): string {
  assertCookieOptions(name === options.name ? options : { ...options, name });

  const kind: unknown = lifetime?.kind;
  if (kind !== 'session' && kind !== 'persistent' && kind !== 'delete') {
    throw new SessionError(
      'MISCONFIGURED',
      `cookie: lifetime.kind must be "session", "persistent" or "delete", got ${show(kind)}.`,
    );
  }
  const cookieValue = kind === 'delete' ? '' : value;
  if (!isCookieValue(cookieValue)) {
    throw new SessionError(
      'INVALID_VALUE',
      `cookie: the value of cookie "${name}" is not valid RFC 6265 cookie-octets (no spaces, quotes, commas, semicolons, backslashes, control or non-ASCII characters); encode it first, for example as base64url.`,
    );
  }
  const size = name.length + 1 + cookieValue.length; // ASCII only, so characters are bytes.
  if (size > MAX_COOKIE_NAME_VALUE_BYTES) {
    throw new SessionError(
      'COOKIE_TOO_LARGE',
      `cookie: "${name}=<value>" would be ${size} bytes, over the ${MAX_COOKIE_NAME_VALUE_BYTES}-byte browser limit; store less in the cookie (keep data in the session store) or use a shorter name.`,
    );
  }

  let header = `${name}=${cookieValue}; Path=${options.path}`;
  if (options.domain !== undefined) header += `; Domain=${options.domain}`;

  if (lifetime.kind === 'persistent') {
    const maxAge = clampMaxAge(lifetime.maxAgeSeconds);
    const expiresMs = now + maxAge * 1000;
    if (!Number.isFinite(expiresMs) || expiresMs < 0 || expiresMs > MAX_DATE_MS) {
      throw new SessionError(
        'MISCONFIGURED',
        `cookie: cannot compute Expires from now=${String(now)}; pass milliseconds since the epoch.`,
      );
    }
    header += `; Max-Age=${maxAge}; Expires=${formatExpires(expiresMs)}`;
  } else if (lifetime.kind === 'delete') {
    header += `; Max-Age=0; Expires=${EPOCH_EXPIRES}`;
  }

  if (options.httpOnly) header += '; HttpOnly';
  if (options.secure) header += '; Secure';
  header += `; SameSite=${SAME_SITE_ATTRIBUTE[options.sameSite]}`;
  if (options.partitioned) header += '; Partitioned';
  if (options.priority !== undefined) {
    header += `; Priority=${PRIORITY_ATTRIBUTE[options.priority]}`;
  }
  return header;
}
