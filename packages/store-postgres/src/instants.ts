import { SessionError } from '@sessions/core';

/** 0001-01-01T00:00:00.000Z: the earliest instant written with a four-digit year. */
const MIN_INSTANT = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z: the latest instant written with a four-digit year. */
const MAX_INSTANT = 253_402_300_799_999;

/**
 * Formats an epoch-ms instant as an ISO 8601 timestamp with microseconds and an explicit `Z`, for
 * a `::timestamptz` cast.
 *
 * Why text rather than a number: `to_timestamp(ms / 1000.0)` goes through a float8 number of
 * seconds, whose rounding is below a microsecond only until about the year 2100; beyond it an
 * instant can land a microsecond off. A timestamp with an explicit `Z` is parsed exactly and means
 * the same instant whatever the connection's `TimeZone` or `DateStyle`. (A JS `Date` parameter is
 * avoided for the same reason and because postgres.js serializes it with millisecond precision.)
 *
 * timestamptz holds microseconds: whole milliseconds, which the engine writes, round-trip exactly;
 * a fractional instant is rounded to the microsecond.
 *
 * Throws `SessionError('INVALID_VALUE')` for a non-finite instant or one outside years 1-9999.
 */
export function instantToTimestamp(instant: number, what: string): string {
  if (typeof instant !== 'number' || !Number.isFinite(instant)) {
    throw new SessionError(
      'INVALID_VALUE',
      `postgres store: ${what} must be a finite epoch-ms instant`,
    );
  }
  let whole = Math.floor(instant);
  // Exact: subtracting the floor of a double below 2^53 loses nothing.
  let micros = Math.round((instant - whole) * 1000);
  if (micros === 1000) {
    whole += 1;
    micros = 0;
  }
  if (whole < MIN_INSTANT || whole > MAX_INSTANT) {
    throw new SessionError(
      'INVALID_VALUE',
      `postgres store: ${what} must be an instant between the years 1 and 9999 (got ${instant})`,
    );
  }
  // `2024-05-01T12:00:00.123Z` → `2024-05-01T12:00:00.123456Z`
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/**
 * Reads the epoch-ms instant the load statement returns as text (`extract(epoch ...) * 1000`, an
 * exact numeric such as `1767225600123.000000`). `Number()` of that decimal is the nearest double,
 * so a whole-millisecond instant comes back as exactly the number that was written.
 */
export function instantFromText(text: unknown): number {
  const instant = typeof text === 'string' && text !== '' ? Number(text) : Number.NaN;
  if (!Number.isFinite(instant)) {
    throw new Error(
      `postgres store: expected an epoch-ms instant from the server, got ${String(text)}`,
    );
  }
  return instant;
}
