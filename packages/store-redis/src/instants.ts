import { SessionError } from '@sessions/core';

/** Latest instant handed to `PEXPIREAT` (larger ones are clamped; year 287,396 is far enough). */
const MAX_EXPIRE_AT = Number.MAX_SAFE_INTEGER;

/** Throws `SessionError('INVALID_VALUE')` unless `instant` is a finite number of epoch ms. */
export function assertInstant(instant: unknown, what: string): asserts instant is number {
  if (typeof instant !== 'number' || !Number.isFinite(instant)) {
    throw new SessionError(
      'INVALID_VALUE',
      `redis store: ${what} must be a finite epoch-ms instant`,
    );
  }
}

/**
 * An instant as stored in a hash field: the shortest decimal text that parses back to exactly the
 * same number (`String`), so `expiresAt` round-trips unchanged, fractions included.
 */
export function instantText(instant: number, what: string): string {
  assertInstant(instant, what);
  return String(instant);
}

/**
 * The `PEXPIREAT` argument that makes Redis drop a key exactly when the contract says it is gone.
 *
 * Why `- 1`: the contract says a record is live while `now < expiresAt`, but Redis treats a key as
 * expired only once `now > when` (it is still readable during the millisecond `when` itself). So
 * the key gets `ceil(expiresAt) - 1`: with Redis's integer clock, `now > ceil(expiresAt) - 1` is
 * `now >= expiresAt`. An instant in the past deletes the key at once, which is what an expired
 * record must be; the clamp keeps the argument a positive integer Redis accepts.
 */
export function expireAtArg(expiresAt: number): string {
  const when = Math.ceil(expiresAt) - 1;
  return String(Math.min(Math.max(when, 1), MAX_EXPIRE_AT));
}

/** Parses an instant stored by {@link instantText}; throws on anything else (a corrupt record). */
export function parseInstant(text: string, what: string): number {
  const instant = Number(text);
  if (text === '' || !Number.isFinite(instant)) {
    throw new Error(`redis store: stored ${what} is not a number`);
  }
  return instant;
}
