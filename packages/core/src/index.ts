// Errors
export { SessionError, isSessionError } from './errors/session-error.js';
export type { SessionErrorCode, SessionErrorOptions } from './errors/session-error.js';

// Manager and session
export { createSessionManager } from './manager/session-manager.js';
export type { OpenSessionOptions, SessionManager } from './manager/session-manager.js';
export type { SessionLimits, SessionManagerOptions } from './manager/session-manager-options.js';
export type { SessionEvent, SessionEventListener } from './manager/session-event.js';
export type {
  CommitResult,
  RegenerateOptions,
  SaveOutcome,
  Session,
  SessionKey,
  SessionValueOf,
  SetOptions,
} from './session/session.js';

// Typing
export type { Register, RegisteredSessionData } from './types/register.js';
export type {
  DefaultSessionData,
  SessionData,
  SessionValue,
  StorableValue,
  ValidSessionData,
} from './types/session-value.js';
export type { Awaitable } from './types/awaitable.js';
export { systemClock } from './types/clock.js';
export type { Clock } from './types/clock.js';

// Expiry
export type { Duration, DurationUnit } from './expiry/duration.js';
export type { CookiePersistence, ExpiryOptions, ExpiryOverride } from './expiry/expiry-policy.js';

// Store contract and the memory store
export type {
  CreateResult,
  RotateResult,
  SessionMeta,
  SessionPatch,
  SessionRecord,
  StoredEntry,
  WriteResult,
} from './store/session-record.js';
export type { SessionStore, StoreCapabilities } from './store/session-store.js';
export * from './store/memory-store.js';

// Codecs
export type { SessionCodec } from './codec/session-codec.js';
export { createJsonCodec, jsonCodec } from './codec/json-codec.js';
export type { JsonCodecOptions } from './codec/json-codec.js';

// Transport, cookies and crypto (for adapter authors and advanced use)
export type { CookieOptions, SameSite } from './cookie/cookie-options.js';
export { parseCookieHeader, readCookieValues } from './cookie/parse-cookie-header.js';
export type { CookiePair } from './cookie/parse-cookie-header.js';
export { serializeSetCookie } from './cookie/serialize-set-cookie.js';
export type { CookieLifetime } from './cookie/serialize-set-cookie.js';
export type { HeaderTransportOptions } from './transport/header-transport.js';
export type { ResponseHeader, SessionTransport } from './transport/session-transport.js';
export type { Secret } from './crypto/signer.js';
export { generateSessionId, isWellFormedSessionId, SESSION_ID_LENGTH } from './crypto/session-id.js';
export { hashSessionId } from './crypto/hash-session-id.js';

// Web-standard handlers
export { withSession } from './web/with-session.js';
export type { SessionHandler } from './web/with-session.js';
export { appendResponseHeaders } from './web/append-response-headers.js';
