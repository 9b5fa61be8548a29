import { LIVE_PURGE_BATCH, liveCountScript, livePurgeScript } from './lua/live-index.js';
import type { StoreCommands } from './redis-client.js';
import { runScript } from './run-script.js';

/*
 * The live index (standalone Redis): `<prefix>live`, a sorted set of every session hash's key
 * name scored by the record's `expiresAt`.
 *
 * Every write script keeps it (create adds, patch / patchIf / touch move the score, rotate moves
 * the member to the new key, destroy and revocation remove it), in the same script as the write:
 * no extra round trip, and the index never disagrees with the records it lists. Expiry is the
 * one change nobody is told about: Redis drops the hash by its TTL and the member stays, scored
 * in the past, so counting compares scores with Redis's clock, and creates and `deleteExpired`
 * prune such members.
 *
 * Cost: one member per session (its key name and a score, some 100 bytes with the prefix), and
 * O(log N) per write. Exactness has three limits, all documented in the README: records written
 * by a version of the store without the index (during a rolling upgrade) are not listed until
 * their next write; a record evicted by a `maxmemory` policy stays counted until its expiry; and
 * an `allkeys-*` policy may evict the index itself.
 */

/** The number of live records: one `ZCOUNT` against Redis's clock, O(log N). */
export async function countLive(
  commands: StoreCommands,
  live: string,
  deadline: number,
): Promise<number> {
  const reply = await runScript(commands, liveCountScript, [live], [], deadline);
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) {
    throw new Error(`redis store: unexpected reply to live-count: ${String(reply)}`);
  }
  return reply;
}

/**
 * Prunes the members of expired records from the live index, {@link LIVE_PURGE_BATCH} per script
 * (each bounded by `nextDeadline()`, so a big backlog never blocks Redis for long), until a batch
 * comes back short. Returns how many it removed: the records Redis expired since the last prune.
 */
export async function purgeLive(
  commands: StoreCommands,
  live: string,
  nextDeadline: () => number,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const reply = await runScript(commands, livePurgeScript, [live], [], nextDeadline());
    if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) {
      throw new Error(`redis store: unexpected reply to live-purge: ${String(reply)}`);
    }
    removed += reply;
    if (reply < LIVE_PURGE_BATCH) return removed;
  }
}
