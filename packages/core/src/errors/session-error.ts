/**
 * Stable error codes. Each names one failure an app can act on; the codes never change meaning
 * between releases, so `switch (error.code)` is safe to write.
 */
export type SessionErrorCode =
  /** The store threw, timed out or could not be reached. Retry later; the user is NOT logged out. */
  | 'STORE_UNAVAILABLE'
  /** The session data (or one value) exceeds a configured size limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** A value is outside the codec's value domain (BigInt, function, circular object...). */
  | 'INVALID_VALUE'
  /** A session key is empty, too long, or contains control characters. */
  | 'INVALID_KEY'
  /** An insert-only create or a rotation kept colliding with existing records. */
  | 'CONFLICT'
  /** The options are unsafe or inconsistent; thrown at construction. */
  | 'MISCONFIGURED'
  /** The cookie (name + value + attributes) would exceed the 4096-byte browser limit. */
  | 'COOKIE_TOO_LARGE'
  /** The request carried two different valid session IDs; it is rejected rather than guessed. */
  | 'AMBIGUOUS_SESSION'
  /** The session was used after `destroy()`, or the handle after its commit. */
  | 'INVALID_STATE';

const BRAND: unique symbol = Symbol.for('@sessions/core:SessionError') as never;

/** The HTTP status an adapter should use by default for each code. */
const DEFAULT_STATUS: Readonly<Record<SessionErrorCode, number>> = {
  STORE_UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 500,
  INVALID_VALUE: 500,
  INVALID_KEY: 500,
  CONFLICT: 500,
  MISCONFIGURED: 500,
  COOKIE_TOO_LARGE: 500,
  AMBIGUOUS_SESSION: 400,
  INVALID_STATE: 500,
};

/** Options for {@link SessionError}. */
export interface SessionErrorOptions {
  /** The underlying error (for example the store client's). */
  cause?: unknown;
}

/**
 * The one error type `@sessions` throws. Recognise it with {@link isSessionError} (a brand check that
 * works across duplicate installs) rather than `instanceof`, and branch on its stable `code`.
 */
export class SessionError extends Error {
  /** Brand read by {@link isSessionError}. */
  readonly [BRAND] = true;
  /** Stable machine-readable code. */
  readonly code: SessionErrorCode;
  /**
   * Suggested HTTP status (503 for store outages, 400 for ambiguous requests, 500 otherwise;
   * remap per code with the manager's `errorStatus` option). Frameworks that read `status` or
   * `statusCode` from thrown errors (Koa, Fastify) answer with it.
   */
  status: number;

  constructor(code: SessionErrorCode, message: string, options?: SessionErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionError';
    this.code = code;
    this.status = DEFAULT_STATUS[code];
  }

  /**
   * Whether the message may be shown to the client (the `http-errors` convention Koa follows):
   * true for 4xx, so a rejected request is answered plainly instead of logged as a server fault.
   */
  get expose(): boolean {
    return this.status < 500;
  }

  /** Alias of {@link SessionError.status}, the name Fastify and Node read. */
  get statusCode(): number {
    return this.status;
  }

  /**
   * A plain-text `Response` for this error that reveals only the code (frameworks such as Hono
   * answer with it by default). The message, which may name configuration, stays in server logs.
   */
  getResponse(): Response {
    return new Response(`${this.code}\n`, {
      status: this.status,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}

/**
 * True when `value` is a {@link SessionError} (optionally with the given code), even when it was
 * thrown by another copy of `@sessions/core`.
 */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<PropertyKey, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as SessionError).code === code;
}
