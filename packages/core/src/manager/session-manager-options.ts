import type { ClientBindingOptions } from '../binding/client-binding-options.js';
import type { AnySessionCodec } from '../codec/session-codec.js';
import type { CookieOptions } from '../cookie/cookie-options.js';
import type { Secret } from '../crypto/signer.js';
import type { EncryptionOptions } from '../encryption/encryption-options.js';
import type { SessionErrorCode } from '../errors/session-error.js';
import type { ExpiryOptions } from '../expiry/expiry-policy.js';
import type { SessionStore } from '../store/session-store.js';
import type { HeaderTransportOptions } from '../transport/header-transport.js';
import type { Clock } from '../types/clock.js';
import type { SessionEventListener } from './session-event.js';

/** Size limits, enforced at `session.set()` before anything reaches a store. */
export interface SessionLimits {
  /** Maximum total size of a session's keys and encoded values, in UTF-8 bytes. Default 64 KiB. */
  maxBytes?: number | undefined;
  /** Maximum number of keys in one session. Default 1,000. */
  maxKeys?: number | undefined;
  /** Maximum length of a key, in characters. Default 256. */
  maxKeyLength?: number | undefined;
  /** Maximum nesting depth of a value (used by the default JSON codec). Default 32. */
  maxDepth?: number | undefined;
}

/** Everything a session manager needs; create one per app. */
export interface SessionManagerOptions {
  /**
   * Where sessions live, e.g. `createMemoryStore()`. Optional only when every request supplies
   * its own (`manager.session(request, { store })`, e.g. from a Cloudflare Workers binding); a
   * request without either fails with `MISCONFIGURED`.
   */
  store?: SessionStore | undefined;
  /**
   * HMAC-SHA-256 signing secrets, each at least 32 bytes. The first signs; all verify, so rotate by
   * prepending a new secret and removing the old one later (its tokens then stop working).
   */
  secrets: readonly Secret[];
  /** Session cookie attributes (safe defaults: `HttpOnly; Secure; Path=/; SameSite=Lax`). */
  cookie?: CookieOptions | undefined;
  /** Where the token travels. Default `'cookie'`; use `{ type: 'header' }` for API clients. */
  transport?: 'cookie' | HeaderTransportOptions | undefined;
  /** Idle and absolute timeouts, touch throttling, cookie persistence. */
  expiry?: ExpiryOptions | undefined;
  /**
   * How values are encoded. Default: JSON with `Date` support (`jsonCodec`). A binary codec (such
   * as `msgpackCodec` from `@sessions/codec-msgpack`) needs a store with
   * `capabilities.binaryValues`, else the manager throws `MISCONFIGURED`.
   */
  codec?: AnySessionCodec | undefined;
  /** Size limits. */
  limits?: SessionLimits | undefined;
  /**
   * When true, nothing is stored and no cookie is set for a new session until the app calls
   * `session.allowStorage()` (GDPR-style opt-in). Default `false`.
   */
  requireConsent?: boolean | undefined;
  /** Time source for expiry decisions. Default `Date.now`. */
  clock?: Clock | undefined;
  /**
   * HTTP statuses for session errors, per code, overriding the defaults (`STORE_UNAVAILABLE`: 503,
   * `AMBIGUOUS_SESSION`: 400, others 500). Example: `{ STORE_UNAVAILABLE: 500 }`.
   */
  errorStatus?: Partial<Record<SessionErrorCode, number>> | undefined;
  /** Receives security and diagnostics events (never raw IDs). */
  onEvent?: SessionEventListener | undefined;
  /**
   * Encrypts session values before they reach any store (AES-256-GCM, keys derived with
   * HKDF-SHA-256; the first key encrypts, all decrypt): the default store and every per-request
   * store are wrapped with `encryptStore`. Values that fail to decrypt are dropped and reported as
   * `value-undecodable` events. `meta` (including the sign-in `info`) is not encrypted. Example:
   * `{ keys: [process.env.SESSION_ENCRYPTION_KEY] }`.
   */
  encryption?: EncryptionOptions | undefined;
  /**
   * Client binding: a session opens only for the client it was created for (user agent, IP or
   * its network, or your own fingerprint), else it is treated as no session and reported as a
   * `session-binding-mismatch` event. Off by default: IPs change on mobile networks and behind
   * proxies. See the README section "Client binding". Example: `{ userAgent: true }`.
   */
  binding?: ClientBindingOptions | undefined;
  /**
   * Mints session IDs instead of `generateSessionId()`, e.g. to prefix them per tenant:
   * `() => 'acme_' + generateSessionId()`. Checked at construction (`MISCONFIGURED`): called 8
   * times, it must return distinct IDs of 43-128 base64url characters that vary in at least 43
   * of them besides a shared prefix or suffix. Only ever used for IDs the server mints: a
   * presented ID the store does not know is never adopted. Default: `generateSessionId`.
   */
  generateId?: (() => string) | undefined;
}
