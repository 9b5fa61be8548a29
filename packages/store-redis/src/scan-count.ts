import type { Cluster } from 'ioredis';

/** Keys one `SCAN` call examines (a hint to Redis): big enough to keep round trips few. */
const SCAN_COUNT = 1_000;

/**
 * Counts the session hashes on a Redis Cluster by `SCAN`ning every master for `pattern` (see
 * `KeyLayout.recordPattern`) with `TYPE hash` (Redis 6+), all masters in parallel.
 *
 * Why a scan here and an index on a standalone Redis: an index is one key, in one slot, on one
 * node. Keeping it on a Cluster would cost every write one more round trip (a script may not span
 * slots) and send every write in the cluster to that one node. Counting is for admin pages and
 * jobs, so it pays instead: O(keys in the cluster) work spread over the masters, about one round
 * trip per thousand keys per master, and a set of the keys found (SCAN may return a key twice
 * while a node resizes its table), so memory in this process grows with the sessions counted.
 *
 * `SCAN` skips keys that have expired, so only live records are counted. It is not a snapshot
 * (`capabilities.count: 'approximate'`): a record that exists throughout is counted once, one
 * created, destroyed or expiring meanwhile may or may not be. `signal` stops it at the deadline.
 */
export async function countByScan(
  cluster: Cluster,
  pattern: string,
  signal: AbortSignal,
): Promise<number> {
  const counts = await Promise.all(
    cluster.nodes('master').map(async (node) => {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        if (signal.aborted) throw new Error('redis store: countSessions stopped at its deadline');
        const [next, keys] = await node.scan(
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          SCAN_COUNT,
          'TYPE',
          'hash',
        );
        for (const key of keys) seen.add(key);
        cursor = next;
      } while (cursor !== '0');
      return seen.size;
    }),
  );
  return counts.reduce((total, count) => total + count, 0);
}
