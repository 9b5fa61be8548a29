import { SessionError } from '../errors/session-error.js';
import type { SessionTransport } from './session-transport.js';

/** Options for carrying the session token in headers instead of a cookie. */
export interface HeaderTransportOptions {
  type: 'header';
  /**
   * Request header holding the token. Default `'authorization'`, read as `Authorization: Bearer
   * <token>`; any other name is read as the bare token (e.g. `'x-session-token'`).
   */
  requestHeader?: string | undefined;
  /**
   * Response header that hands the client a new token, and an empty value when the session is
   * destroyed (the client should then drop its token). Default `'x-session-token'`.
   */
  responseHeader?: string | undefined;
}

const TOKEN_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerName(name: string, what: string): string {
  if (!TOKEN_NAME.test(name)) {
    throw new SessionError('MISCONFIGURED', `${what} "${name}" is not a valid HTTP header name.`);
  }
  return name.toLowerCase();
}

function splitList(value: string | null): string[] {
  if (value === null) return [];
  const tokens: string[] = [];
  for (const part of value.split(',')) {
    const token = part.trim();
    if (token !== '') tokens.push(token);
  }
  return tokens;
}

/**
 * Carries the token in a request header and returns new tokens in a response header. Several
 * values (a repeated header, which `Headers` joins with commas) are all returned, so the engine can
 * fail closed on two different valid tokens.
 */
export function createHeaderTransport(options: HeaderTransportOptions): SessionTransport {
  const requestHeader = headerName(
    options.requestHeader ?? 'authorization',
    'transport.requestHeader',
  );
  const responseHeader = headerName(
    options.responseHeader ?? 'x-session-token',
    'transport.responseHeader',
  );
  const bearer = requestHeader === 'authorization';
  return {
    kind: 'header',
    name: requestHeader,
    read(headers) {
      const values = splitList(headers.get(requestHeader));
      if (!bearer) return values;
      const tokens: string[] = [];
      for (const value of values) {
        // RFC 9110: the auth-scheme is case-insensitive; exactly one space before the token here.
        if (value.length > 7 && value.slice(0, 7).toLowerCase() === 'bearer ')
          tokens.push(value.slice(7).trim());
      }
      return tokens;
    },
    issue: (token) => [responseHeader, token],
    revoke: () => [responseHeader, ''],
  };
}
