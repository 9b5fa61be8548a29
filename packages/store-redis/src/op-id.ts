import { randomBytes } from 'node:crypto';

/** Length of a write id: 9 random bytes as base64url. */
export const OP_ID_LENGTH = 12;
/**
 * How many recent write ids a record keeps. A write re-sent by ioredis after a reconnect is
 * recognised (and not applied again) while fewer than this many other writes to the same session
 * have happened in between, which covers a reconnect by a wide margin.
 */
export const OPS_KEPT = 8;

/** Base64url digits, in order: a counter written in them has a fixed width. */
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Counter digits per id: 64^6 ids before this process draws a new random prefix. */
const COUNTER_DIGITS = 6;
const COUNTER_LIMIT = 64 ** COUNTER_DIGITS;

let prefix = '';
let counter = COUNTER_LIMIT;

/**
 * A fresh id for one write. Every create, patch, touch and rotate carries one, and the script
 * applying it records it in the session, so the same command executed twice (ioredis re-sends
 * commands left unanswered by a dropped connection) changes the session only once.
 *
 * Unique, not secret: 36 random bits drawn per process (and again every 64^6 writes) followed by
 * a 6-digit counter, so ids never repeat within a process, and two processes share a prefix with
 * odds of 2^-36 (and would then also have to reach the same counter value on the same session
 * within its last few writes). One `randomBytes` call per 68 billion writes instead of one per
 * write (a few µs each on a busy server).
 */
export function newOpId(): string {
  if (counter >= COUNTER_LIMIT) {
    prefix = randomBytes(9)
      .toString('base64url')
      .slice(0, OP_ID_LENGTH - COUNTER_DIGITS);
    counter = 0;
  }
  let n = counter++;
  let digits = '';
  for (let i = 0; i < COUNTER_DIGITS; i++) {
    digits = DIGITS[n % 64] + digits;
    n = Math.floor(n / 64);
  }
  return prefix + digits;
}
