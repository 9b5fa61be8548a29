import { SessionError } from '../errors/session-error.js';

/** A unit suffix accepted in a {@link Duration} string. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

/**
 * A length of time: a string such as `'30m'`, `'12h'`, `'14d'`, `'500ms'`, or a number of
 * **seconds** (the unit of a cookie's `Max-Age`).
 */
export type Duration = number | `${number}${DurationUnit}`;

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * Converts a {@link Duration} to whole milliseconds. Throws `MISCONFIGURED` for anything that is
 * not a positive, finite length of time; `what` names the option in the message.
 */
export function durationToMs(duration: Duration, what: string): number {
  let ms: number;
  if (typeof duration === 'number') {
    ms = duration * 1_000;
  } else {
    const match = DURATION_PATTERN.exec(typeof duration === 'string' ? duration : '');
    if (!match) {
      throw new SessionError(
        'MISCONFIGURED',
        `${what}: "${String(duration)}" is not a duration; use a number of seconds or a string such as "30m", "12h", "14d".`,
      );
    }
    ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new SessionError(
      'MISCONFIGURED',
      `${what}: a duration must be positive and finite (got ${String(duration)}).`,
    );
  }
  return Math.round(ms);
}
