import { SessionError } from '../errors/session-error.js';

/**
 * Checks a session key: a non-empty, well-formed Unicode string of at most `maxLength` characters
 * without control characters (U+0000-U+001F, U+007F). Keys reach stores as hash fields or JSON
 * keys, so they are held to the same rules everywhere.
 */
export function validateKey(key: unknown, maxLength: number): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new SessionError('INVALID_KEY', 'a session key must be a non-empty string.');
  }
  if (key.length > maxLength) {
    throw new SessionError(
      'INVALID_KEY',
      `session key of ${key.length} characters exceeds limits.maxKeyLength (${maxLength}); use a shorter key.`,
    );
  }
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      throw new SessionError('INVALID_KEY', 'session keys cannot contain control characters.');
    }
  }
  if (!key.isWellFormed()) {
    throw new SessionError(
      'INVALID_KEY',
      'session keys must be well-formed Unicode (no lone surrogates).',
    );
  }
}
