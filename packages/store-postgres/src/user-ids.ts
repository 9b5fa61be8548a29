import { type DestroyUserSessionsOptions, SessionError, type SessionMeta } from '@sessions/core';

/**
 * Throws `INVALID_VALUE` unless `userId` is text Postgres holds exactly: a string without U+0000
 * (which no `text` value can hold) and without lone surrogates (which postgres.js would send as
 * U+FFFD, silently naming another user). The engine already allows only non-empty IDs of at most
 * 256 characters without control characters; this checks only what the database needs.
 */
export function checkUserId(userId: unknown, what: string): string {
  if (typeof userId !== 'string' || userId.includes('\u0000') || !userId.isWellFormed()) {
    throw new SessionError(
      'INVALID_VALUE',
      `postgres store: ${what} must be a well-formed string without U+0000`,
    );
  }
  return userId;
}

/**
 * The `user_id` column's value for a record with this meta: `meta.userId`, or `null` for a session
 * nobody is signed in to. Read from the same object as the meta's JSON, before any I/O.
 */
export function userIdOfMeta(meta: SessionMeta): string | null {
  const userId: unknown = meta.userId;
  return userId === undefined ? null : checkUserId(userId, 'meta.userId');
}

/** {@link DestroyUserSessionsOptions} as statement parameters. */
export interface EncodedDestroyOptions {
  /** JSON text of the `only` keys, or `null` for every record of the user. */
  readonly only: string | null;
  /** The key to spare, or `null`. */
  readonly except: string | null;
}

/** Reads and checks the options of `destroyUserSessions`, before any I/O. */
export function encodeDestroyOptions(
  options: DestroyUserSessionsOptions | undefined,
): EncodedDestroyOptions {
  if (options === undefined) return { only: null, except: null };
  if (typeof options !== 'object' || options === null) {
    throw new SessionError('INVALID_VALUE', 'postgres store: options must be an object');
  }
  const { only, except } = options;
  if (
    only !== undefined &&
    !(Array.isArray(only) && only.every((key) => typeof key === 'string'))
  ) {
    throw new SessionError('INVALID_VALUE', 'postgres store: options.only must be a list of keys');
  }
  if (except !== undefined && typeof except !== 'string') {
    throw new SessionError('INVALID_VALUE', 'postgres store: options.except must be a key');
  }
  return {
    only: only === undefined ? null : JSON.stringify(only),
    except: except ?? null,
  };
}
