import { readCookieValues } from '../cookie/parse-cookie-header.js';
import type { ResolvedCookieOptions } from '../cookie/resolve-cookie-options.js';
import { serializeSetCookie } from '../cookie/serialize-set-cookie.js';
import type { SessionTransport } from './session-transport.js';

/**
 * Carries the token in a cookie. Parses the `Cookie` header itself (never the framework's parser,
 * since frameworks disagree on duplicates) and emits exactly one `Set-Cookie` per response.
 */
export function createCookieTransport(cookie: ResolvedCookieOptions): SessionTransport {
  return {
    kind: 'cookie',
    name: cookie.name,
    read: (headers) => readCookieValues(headers.get('cookie'), cookie.name),
    issue: (token, lifetime, now) => [
      'set-cookie',
      serializeSetCookie(cookie.name, token, cookie, lifetime, now),
    ],
    revoke: () => ['set-cookie', serializeSetCookie(cookie.name, '', cookie, { kind: 'delete' })],
  };
}
