import type { CookieLifetime } from '../cookie/serialize-set-cookie.js';
import type { SessionConfig } from '../manager/session-config.js';
import type { ResponseHeader } from '../transport/session-transport.js';

/**
 * The request URL, or a function computing it: adapters on Node pass a function, so the URL is
 * only built when a cookie is issued and the warning below has not fired yet.
 */
export type RequestUrl = string | (() => string);

const warned = new WeakSet<SessionConfig>();

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || host.startsWith('127.');
}

/**
 * The host name of an `http://` URL, lower-cased, without user info or port. String slicing rather
 * than `new URL()`: this runs on every cookie issued to a loopback or TLS client, and a hostile
 * `Host` header can only make it return a name that is not loopback (at worst, one warning).
 */
export function hostOf(url: string): string {
  let end = url.length;
  for (let i = 7; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23 || c === 0x5c) {
      end = i;
      break;
    }
  }
  let authority = url.slice(7, end);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    return (close === -1 ? authority : authority.slice(0, close + 1)).toLowerCase();
  }
  const colon = authority.indexOf(':');
  return (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
}

/**
 * Reports, once per manager, a `Secure` cookie issued over plain HTTP to a non-loopback host:
 * browsers drop it, so the session would silently not stick unless TLS ends at a proxy in front.
 */
function warnIfInsecure(config: SessionConfig, requestUrl: RequestUrl | undefined): void {
  if (
    requestUrl === undefined ||
    !config.cookie.secure ||
    config.transport.kind !== 'cookie' ||
    warned.has(config)
  )
    return;
  const url = typeof requestUrl === 'string' ? requestUrl : requestUrl();
  if (!url.startsWith('http://')) return;
  const host = hostOf(url);
  if (isLoopback(host)) return;
  warned.add(config);
  config.emit({ type: 'insecure-request', host });
}

/**
 * The response header that gives the client its signed token, with a cookie lifetime derived from
 * the expiry the server stored. `presentedToken` is the request's own token for this ID when it is
 * already signed with the newest secret (HMAC is deterministic, so signing again would only repeat
 * the same bytes); otherwise the ID is signed now.
 */
export async function issueTokenHeader(
  config: SessionConfig,
  id: string,
  expiresAt: number,
  persistent: boolean,
  url: RequestUrl | undefined,
  presentedToken: string | undefined,
): Promise<ResponseHeader> {
  const token = presentedToken ?? (await config.signer.sign(id));
  const now = config.clock();
  const lifetime: CookieLifetime = persistent
    ? { kind: 'persistent', maxAgeSeconds: Math.ceil((expiresAt - now) / 1000) }
    : { kind: 'session' };
  warnIfInsecure(config, url);
  return config.transport.issue(token, lifetime, now);
}
