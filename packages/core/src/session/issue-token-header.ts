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
  if (!url.startsWith('http:')) return;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return; // A URL built from a hostile Host header: not worth a warning, never worth a failure.
  }
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
