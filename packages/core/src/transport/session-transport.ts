import type { HeaderSource } from '../adapter/header-source.js';
import type { CookieLifetime } from '../cookie/serialize-set-cookie.js';

/** A response header to add: `[name, value]`. Append, never replace (`Set-Cookie` may repeat). */
export type ResponseHeader = readonly [name: string, value: string];

/**
 * How a session token travels between client and server: in a cookie (the default) or in a
 * request/response header (for API clients that cannot keep cookies).
 */
export interface SessionTransport {
  /** `cookie` or `header`. */
  readonly kind: 'cookie' | 'header';
  /** The cookie or header name; also bound into token signatures. */
  readonly name: string;
  /** Every raw token the request presents (zero, one, or several when it repeats the name). */
  read(headers: HeaderSource): string[];
  /** The header that hands a (new or re-issued) token to the client; `now` dates a cookie's `Expires`. */
  issue(token: string, lifetime: CookieLifetime, now: number): ResponseHeader;
  /** The header that tells the client to forget its token (logout). */
  revoke(): ResponseHeader;
}
