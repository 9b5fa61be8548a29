import type { HeaderSource } from '../adapter/header-source.js';

/** Network prefixes an IP binding compares, per address family (see {@link ClientBindingOptions.ip}). */
export interface IpPrefixOptions {
  /** Leading bits of an IPv4 address that must match, 0-32 (e.g. 24 for the /24 network). */
  v4Prefix: number;
  /** Leading bits of an IPv6 address that must match, 0-128 (e.g. 64 for the /64 network). */
  v6Prefix: number;
}

/** What a {@link ClientBindingOptions.fingerprint} function can read from the request. */
export interface ClientBindingRequest {
  /** The request headers. */
  readonly headers: HeaderSource;
  /**
   * The client address as the framework reports it (Fastify `request.ip`, Koa `ctx.ip`, the
   * socket on `@hono/node-server`), honouring its trust-proxy setting; `undefined` when unknown.
   */
  clientAddress(): string | undefined;
}

/**
 * Client binding: a session only opens for the client it was created for. Each attribute turned
 * on is hashed (SHA-256, never stored raw) into the session's meta when the session is created,
 * and again on `signIn` and `regenerate`; a request presenting the session with different
 * attributes is treated as having no session (its data is not loaded, its record is left alone, a
 * write creates a new session under a new ID) and reported as a `session-binding-mismatch` event.
 *
 * Off by default, on purpose: client IPs change on mobile networks, between Wi-Fi and cellular,
 * and behind load-balancing proxies, and browsers update their user agent, so binding logs
 * legitimate users out. Take the IP from the framework's trust-proxy setting, never from an
 * `X-Forwarded-For` header you have not configured the framework to trust.
 */
export interface ClientBindingOptions {
  /** Bind to the `User-Agent` header (exact match). Default `false`. */
  userAgent?: boolean | undefined;
  /**
   * Bind to the client IP address: `true` for the exact address, or network prefixes so that
   * moving within a network keeps the session (`{ v4Prefix: 24, v6Prefix: 64 }`). IPv4-mapped
   * IPv6 addresses (`::ffff:192.0.2.1`) count as IPv4. Needs the adapter to pass the client
   * address (every `@sessions` adapter does); without one, requests fail with `MISCONFIGURED`.
   * Default `false`.
   */
  ip?: boolean | IpPrefixOptions | undefined;
  /**
   * An app-supplied fingerprint of the client (e.g. a device-bound header your client sends);
   * must return a string, and is called only when a session is created, bound or checked.
   */
  fingerprint?: ((request: ClientBindingRequest) => string) | undefined;
}
