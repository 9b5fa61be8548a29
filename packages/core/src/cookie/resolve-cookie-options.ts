import { SessionError } from '../errors/session-error.js';
import type { CookieOptions, CookiePriority, SameSite } from './cookie-options.js';

/**
 * The longest `Max-Age` browsers honour, in seconds (400 days, RFC 6265bis); longer values are
 * capped by the browser, so the library caps them itself.
 */
export const MAX_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Longest `Path` or `Domain` value browsers accept (RFC 6265bis drops longer attribute values). */
const MAX_ATTRIBUTE_LENGTH = 1024;

/** {@link CookieOptions} with every default applied and every rule checked. */
export interface ResolvedCookieOptions {
  /** Cookie name, an RFC 6265 token. */
  readonly name: string;
  /** `Path` attribute; starts with `/`. */
  readonly path: string;
  /** `Domain` attribute, or `undefined` for a host-only cookie. */
  readonly domain: string | undefined;
  /** `Secure` attribute. */
  readonly secure: boolean;
  /** `HttpOnly` attribute. */
  readonly httpOnly: boolean;
  /** `SameSite` attribute. */
  readonly sameSite: SameSite;
  /** `Partitioned` attribute. */
  readonly partitioned: boolean;
  /** `Priority` attribute, or `undefined` to omit it. */
  readonly priority: CookiePriority | undefined;
}

const SAME_SITE_VALUES: ReadonlySet<unknown> = new Set<SameSite>(['lax', 'strict', 'none']);
const PRIORITY_VALUES: ReadonlySet<unknown> = new Set<CookiePriority>(['low', 'medium', 'high']);

/** `TOKEN_CHARS[c] === 1` when ASCII code `c` may appear in an RFC 6265 (RFC 2616) token. */
const TOKEN_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 0x21; c < 0x7f; c++) table[c] = 1;
  for (const separator of '()<>@,;:\\"/[]?={}') table[separator.charCodeAt(0)] = 0;
  return table;
})();

/**
 * True when `value` is a non-empty RFC 6265 token: visible ASCII except the separators
 * `()<>@,;:\"/[]?={}` (so no space, control character or non-ASCII character). Cookie names must
 * be tokens.
 */
export function isCookieToken(value: string): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || TOKEN_CHARS[code] !== 1) return false;
  }
  return true;
}

/** True when `value` contains `;`, a control character (incl. CR, LF, DEL) or non-ASCII. */
function hasUnsafeAttributeChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code >= 0x7f || code === 0x3b) return true;
  }
  return false;
}

/** Quotes a user-supplied value for an error message, escaping control characters. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function misconfigured(message: string): SessionError {
  return new SessionError('MISCONFIGURED', `cookie: ${message}`);
}

function hasPrefix(name: string, prefix: string): boolean {
  return name.length >= prefix.length && name.slice(0, prefix.length).toLowerCase() === prefix;
}

/** Resolved option objects created (and frozen) by {@link resolveCookieOptions}; already checked. */
const CHECKED: WeakSet<object> = new WeakSet();

/**
 * Throws `SessionError('MISCONFIGURED')` unless `options` is a safe, consistent set of cookie
 * attributes: the checks of {@link resolveCookieOptions}, for objects built some other way.
 * Objects returned by {@link resolveCookieOptions} pass in constant time.
 */
export function assertCookieOptions(options: ResolvedCookieOptions): void {
  if (CHECKED.has(options)) return;
  const { name, path, domain, secure, httpOnly, sameSite, partitioned, priority } = options;

  if (!isCookieToken(name)) {
    throw misconfigured(
      `name ${show(name)} is not a valid cookie name; use a non-empty RFC 6265 token: ASCII letters, digits and !#$%&'*+-.^_\`|~ only (no spaces, separators or control characters), for example "sid" or "__Host-sid".`,
    );
  }
  for (const [key, value] of [
    ['secure', secure],
    ['httpOnly', httpOnly],
    ['partitioned', partitioned],
  ] as const) {
    if (typeof value !== 'boolean') {
      throw misconfigured(`${key} must be true or false, got ${show(value)}.`);
    }
  }
  if (!SAME_SITE_VALUES.has(sameSite)) {
    throw misconfigured(`sameSite must be "lax", "strict" or "none", got ${show(sameSite)}.`);
  }
  if (priority !== undefined && !PRIORITY_VALUES.has(priority)) {
    throw misconfigured(
      `priority must be "low", "medium", "high" or omitted, got ${show(priority)}.`,
    );
  }

  if (typeof path !== 'string' || path.length === 0 || path.charCodeAt(0) !== 0x2f) {
    throw misconfigured(`path ${show(path)} must start with "/"; use "/" for the whole site.`);
  }
  if (hasUnsafeAttributeChar(path)) {
    throw misconfigured(
      `path ${show(path)} contains ";", a control character or a non-ASCII character, which could inject cookie attributes; percent-encode those characters.`,
    );
  }
  if (path.length > MAX_ATTRIBUTE_LENGTH) {
    throw misconfigured(
      `path is ${path.length} characters long; browsers ignore a Path over ${MAX_ATTRIBUTE_LENGTH}, so use a shorter path.`,
    );
  }
  if (domain !== undefined) {
    if (typeof domain !== 'string' || domain.length === 0) {
      throw misconfigured(
        `domain ${show(domain)} must be a non-empty host name; omit it for a host-only cookie.`,
      );
    }
    if (hasUnsafeAttributeChar(domain)) {
      throw misconfigured(
        `domain ${show(domain)} contains ";", a control character or a non-ASCII character, which could inject cookie attributes; use the ASCII (punycode) host name.`,
      );
    }
    if (domain.length > MAX_ATTRIBUTE_LENGTH) {
      throw misconfigured(
        `domain is ${domain.length} characters long; browsers ignore a Domain over ${MAX_ATTRIBUTE_LENGTH}, so use a shorter host name.`,
      );
    }
  }

  if (hasPrefix(name, '__host-')) {
    if (!secure) {
      throw misconfigured(
        `the "__Host-" name prefix requires secure: true; set secure: true (browsers treat http://localhost as secure) or drop the prefix.`,
      );
    }
    if (domain !== undefined) {
      throw misconfigured(
        `the "__Host-" name prefix forbids a domain; remove the domain option or use the "__Secure-" prefix instead.`,
      );
    }
    if (path !== '/') {
      throw misconfigured(
        `the "__Host-" name prefix requires path "/", got ${show(path)}; set path: "/" or use the "__Secure-" prefix instead.`,
      );
    }
  } else if (hasPrefix(name, '__secure-') && !secure) {
    throw misconfigured(
      `the "__Secure-" name prefix requires secure: true; set secure: true (browsers treat http://localhost as secure) or drop the prefix.`,
    );
  }
  if (sameSite === 'none' && !secure) {
    throw misconfigured(
      `sameSite "none" requires secure: true (browsers reject it otherwise); set secure: true or use sameSite "lax".`,
    );
  }
  if (partitioned && !secure) {
    throw misconfigured(
      'partitioned: true requires secure: true (browsers reject it otherwise); set secure: true or drop partitioned.',
    );
  }
}

/**
 * Applies the cookie defaults (name `"sid"`, path `"/"`, `secure`, `httpOnly`, sameSite `"lax"`,
 * not partitioned, no domain, no priority) and checks the result; throws
 * `SessionError('MISCONFIGURED')` for unsafe or inconsistent options. Returns a frozen object.
 */
export function resolveCookieOptions(options?: CookieOptions): ResolvedCookieOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw misconfigured(`options must be an object, got ${show(options)}.`);
  }
  const given: CookieOptions = options ?? {};
  const resolved: ResolvedCookieOptions = {
    name: given.name ?? 'sid',
    path: given.path ?? '/',
    domain: given.domain,
    secure: given.secure ?? true,
    httpOnly: given.httpOnly ?? true,
    sameSite: given.sameSite ?? 'lax',
    partitioned: given.partitioned ?? false,
    priority: given.priority,
  };
  assertCookieOptions(resolved);
  Object.freeze(resolved);
  CHECKED.add(resolved);
  return resolved;
}
