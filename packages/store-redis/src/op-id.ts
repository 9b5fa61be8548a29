import { randomBytes } from 'node:crypto';

/** Length of a write id: 9 random bytes as base64url. */
export const OP_ID_LENGTH = 12;
/**
 * How many recent write ids a record keeps. A write re-sent by ioredis after a reconnect is
 * recognised (and not applied again) while fewer than this many other writes to the same session
 * have happened in between, which covers a reconnect by a wide margin.
 */
export const OPS_KEPT = 8;

/**
 * A fresh id for one write. Every create, patch, touch and rotate carries one, and the script
 * applying it records it in the session, so the same command executed twice (ioredis re-sends
 * commands left unanswered by a dropped connection) changes the session only once. 72 random
 * bits: a collision within one session's last few writes is not a practical concern.
 */
export function newOpId(): string {
  return randomBytes(9).toString('base64url');
}
