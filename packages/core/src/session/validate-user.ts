import { utf8ByteLength } from '../codec/utf8-byte-length.js';
import { SessionError } from '../errors/session-error.js';

/** Longest user ID `signIn` accepts, in UTF-16 code units. */
export const MAX_USER_ID_LENGTH = 256;
/** Most entries in sign-in `info`. */
export const MAX_USER_INFO_ENTRIES = 16;
/** Most bytes (UTF-8, keys and values) of sign-in `info`. */
export const MAX_USER_INFO_BYTES = 2048;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Checks a user ID given to `signIn` or the manager's user-session methods: a non-empty,
 * well-formed string of at most 256 characters without control characters. User IDs reach stores
 * as index keys and columns, so they are held to one rule everywhere.
 */
export function validateUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new SessionError('INVALID_VALUE', 'a user ID must be a non-empty string.');
  }
  if (userId.length > MAX_USER_ID_LENGTH) {
    throw new SessionError(
      'INVALID_VALUE',
      `a user ID of ${userId.length} characters exceeds ${MAX_USER_ID_LENGTH}; use the user's primary key, not a profile.`,
    );
  }
  if (hasControlCharacter(userId) || !userId.isWellFormed()) {
    throw new SessionError(
      'INVALID_VALUE',
      'a user ID cannot contain control characters or lone surrogates.',
    );
  }
}

/**
 * Checks sign-in `info` and returns a plain copy: at most 16 string values without U+0000 or lone
 * surrogates, 2 KiB in all. It is shown back to the user, so keep it to things like a user agent.
 */
export function validateUserInfo(info: unknown): Readonly<Record<string, string>> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new SessionError('INVALID_VALUE', 'sign-in info must be an object of strings.');
  }
  const copy: Record<string, string> = {};
  let entries = 0;
  let bytes = 0;
  for (const [key, value] of Object.entries(info)) {
    if (typeof value !== 'string') {
      throw new SessionError('INVALID_VALUE', `sign-in info "${key}" must be a string.`);
    }
    if (
      key.length === 0 ||
      hasControlCharacter(key) ||
      !key.isWellFormed() ||
      value.includes('\u0000') ||
      !value.isWellFormed()
    ) {
      throw new SessionError(
        'INVALID_VALUE',
        'sign-in info keys must be non-empty without control characters, values without U+0000 or lone surrogates.',
      );
    }
    entries++;
    bytes += utf8ByteLength(key) + utf8ByteLength(value);
    if (entries > MAX_USER_INFO_ENTRIES || bytes > MAX_USER_INFO_BYTES) {
      throw new SessionError(
        'INVALID_VALUE',
        `sign-in info is limited to ${MAX_USER_INFO_ENTRIES} entries and ${MAX_USER_INFO_BYTES} bytes; truncate long values such as user agents.`,
      );
    }
    // Own data property even for "__proto__": never reaches a prototype.
    Object.defineProperty(copy, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
