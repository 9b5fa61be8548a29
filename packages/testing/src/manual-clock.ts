import { type Clock, SessionError } from '@sessions/core';

/**
 * A clock that moves only when told to. Pass `manualClock.clock` to a store as its `Clock`, then
 * `advance` or `set` it to expire records instantly instead of waiting.
 *
 * @example
 * ```ts
 * const time = new ManualClock();
 * const store = createMemoryStore({ clock: time.clock });
 * time.advance(60_000);
 * ```
 */
export class ManualClock {
  #now: number;

  /** A {@link Clock} reading this manual clock; safe to pass around detached from the object. */
  readonly clock: Clock = () => this.#now;

  /** @param start Epoch ms to start at. Default: the real time at construction. */
  constructor(start: number = Date.now()) {
    this.#now = ManualClock.#checked(start, 'start');
  }

  /** The current manual time in epoch ms. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (non-negative) and returns the new time. */
  advance(ms: number): number {
    if (ManualClock.#checked(ms, 'advance(ms)') < 0) {
      throw new SessionError('MISCONFIGURED', 'ManualClock.advance: ms must not be negative');
    }
    this.#now += ms;
    return this.#now;
  }

  /** Sets the time to `ms` epoch ms (it may move backwards) and returns it. */
  set(ms: number): number {
    this.#now = ManualClock.#checked(ms, 'set(ms)');
    return this.#now;
  }

  static #checked(ms: number, what: string): number {
    if (!Number.isFinite(ms)) {
      throw new SessionError('MISCONFIGURED', `ManualClock.${what} must be a finite number`);
    }
    return ms;
  }
}
