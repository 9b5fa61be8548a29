// Errors

export type { CommitPolicyOptions, SessionAdapterOptions } from './adapter/adapter-options.js';
export { managerFromOptions, shouldCommit } from './adapter/adapter-options.js';
export { closeIfUnused } from './adapter/close-if-unused.js';
export type { HeaderSource, NodeIncomingHeaders } from './adapter/header-source.js';
// For adapter authors
export { nodeHeaderSource } from './adapter/header-source.js';
// Client binding
export type {
  ClientBindingOptions,
  ClientBindingRequest,
  IpPrefixOptions,
} from './binding/client-binding-options.js';
export type { JsonCodecOptions } from './codec/json-codec.js';
export {
  createJsonCodec,
  jsonCodec,
  reviveTaggedObject,
  toTaggedValue,
} from './codec/json-codec.js';
// Codecs
export type {
  AnySessionCodec,
  BinarySessionCodec,
  SessionCodec,
} from './codec/session-codec.js';
export {
  decodeStoredValue,
  isBinaryValue,
  storedValueByteLength,
  storedValuesEqual,
} from './codec/stored-value.js';
// Transport, cookies and crypto (for adapter authors and advanced use)
export type { CookieOptions, SameSite } from './cookie/cookie-options.js';
export type { CookiePair } from './cookie/parse-cookie-header.js';
export { parseCookieHeader, readCookieValues } from './cookie/parse-cookie-header.js';
export type { CookieLifetime } from './cookie/serialize-set-cookie.js';
export { serializeSetCookie } from './cookie/serialize-set-cookie.js';
export { hashSessionId } from './crypto/hash-session-id.js';
export {
  generateSessionId,
  isWellFormedSessionId,
  SESSION_ID_LENGTH,
} from './crypto/session-id.js';
export {
  isWellFormedCustomSessionId,
  MAX_CUSTOM_SESSION_ID_LENGTH,
} from './crypto/session-id-format.js';
export type { Secret } from './crypto/signer.js';
export {
  isUserSessionHandle,
  USER_SESSION_HANDLE_LENGTH,
  userSessionHandle,
} from './crypto/user-session-handle.js';
// Encryption at rest
export { encryptStore } from './encryption/encrypted-store.js';
export type {
  EncryptionKey,
  EncryptionOptions,
  UndecryptableReason,
} from './encryption/encryption-options.js';
export type { SessionErrorCode, SessionErrorOptions } from './errors/session-error.js';
export { isSessionError, SessionError } from './errors/session-error.js';
// Expiry
export type { Duration, DurationUnit } from './expiry/duration.js';
export type { CookiePersistence, ExpiryOptions, ExpiryOverride } from './expiry/expiry-policy.js';
export type { SessionEvent, SessionEventListener } from './manager/session-event.js';
export type { OpenSessionOptions, SessionManager } from './manager/session-manager.js';
// Manager and session
export { createSessionManager } from './manager/session-manager.js';
export type { SessionLimits, SessionManagerOptions } from './manager/session-manager-options.js';
export type { StoreMaintenanceOptions } from './manager/store-maintenance.js';
export type {
  ListUserSessionsOptions,
  RevokeUserSessionOptions,
  RevokeUserSessionsOptions,
  UserSessionInfo,
} from './manager/user-session-info.js';
export type {
  CommitResult,
  RegenerateOptions,
  SaveOutcome,
  Session,
  SessionKey,
  SessionValueOf,
  SetOptions,
  SignInOptions,
  UpdateOptions,
} from './session/session.js';
export {
  MAX_USER_ID_LENGTH,
  MAX_USER_INFO_BYTES,
  MAX_USER_INFO_ENTRIES,
  validateUserId,
} from './session/validate-user.js';
export * from './store/memory-store.js';
export type { StoreObserver, StoreOperation } from './store/observe-store.js';
export { observeStore } from './store/observe-store.js';
// Store contract and the memory store
export type {
  ConditionalWriteResult,
  CreateResult,
  DestroyUserSessionsOptions,
  EntryCondition,
  PatchResult,
  RecordLimits,
  RotateResult,
  SessionMeta,
  SessionPatch,
  SessionRecord,
  StoredEntry,
  StoredValue,
  UserSessionRecord,
  WriteResult,
} from './store/session-record.js';
export type { SessionStore, StoreCapabilities } from './store/session-store.js';
export { withDeadline, withTimeout } from './store/with-deadline.js';
export type { HeaderTransportOptions } from './transport/header-transport.js';
export type { ResponseHeader, SessionTransport } from './transport/session-transport.js';
export type { Awaitable } from './types/awaitable.js';
export type { Clock } from './types/clock.js';
export { systemClock } from './types/clock.js';
// Typing
export type { Register, RegisteredSessionData } from './types/register.js';
export type {
  DefaultSessionData,
  SessionData,
  SessionValue,
  StorableValue,
  ValidSessionData,
} from './types/session-value.js';
export { appendResponseHeaders } from './web/append-response-headers.js';
export type { SessionHandler, WithSessionOptions } from './web/with-session.js';

// Web-standard handlers
export { withSession } from './web/with-session.js';

// Sealed-cookie sessions

export { createSealedSessionManager } from './sealed/sealed-session-manager.js';
export type {
  SealedRevocationOptions,
  SealedSessionManagerOptions,
} from './sealed/sealed-session-manager-options.js';
