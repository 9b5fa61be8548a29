import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { StoreCommands } from './redis-client.js';

/** A Lua script the store runs, identified by the SHA-1 of its source. */
export interface RedisScript {
  /** For error messages. */
  readonly name: string;
  /** The Lua source. */
  readonly source: string;
  /** SHA-1 of the source, as `EVALSHA` expects (a pure function of the text: nothing to cache). */
  readonly sha: string;
  /**
   * How many of the arguments are keys (all in one slot on a Cluster), or `'some'` for a script
   * that takes one or more.
   */
  readonly keyCount: number | 'some';
}

/** Defines a script; `keyCount` keys come first in every call. */
export function defineScript(name: string, keyCount: number | 'some', source: string): RedisScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex'), keyCount };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs `script` with `EVALSHA`, passing `deadline` (epoch ms) first, so the script refuses to run
 * once it has passed (see `LUA_PRELUDE`); falls back to `EVAL` (which also caches it on that server) when
 * the server answers `NOSCRIPT`: after a restart, a `SCRIPT FLUSH`, or on a replica promoted by a
 * failover that never saw the script.
 *
 * Why not ioredis `defineCommand`: it adds methods to the caller's client, whose names could clash
 * with the app's own commands or another library's, and leaves them typed as unknown properties.
 * Calling `evalsha`/`eval` leaves the client exactly as the app configured it, works the same on
 * `Redis` and `Cluster` (both route by the first key), and needs no shared SHA cache: the SHA is
 * computed from the source, and the fallback costs one extra round trip only right after the
 * server lost its script cache. Both attempts run the same idempotent script, so the fallback is
 * safe even if the first had somehow been executed.
 *
 * `reply: 'bytes'` reads the reply as Buffers (`EVALSHA` through `callBuffer`), for a script
 * that answers with binary values (a session hash's fields); the default reads strings.
 */
export async function runScript(
  client: StoreCommands,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | Buffer)[],
  deadline: number,
  reply: 'text' | 'bytes' = 'text',
): Promise<unknown> {
  if (script.keyCount === 'some' ? keys.length === 0 : keys.length !== script.keyCount) {
    throw new Error(`redis store: script ${script.name} takes ${script.keyCount} keys`);
  }
  const argv = [String(deadline), ...args];
  const bytes = reply === 'bytes';
  try {
    return bytes
      ? await client.callBuffer('evalsha', script.sha, keys.length, ...keys, ...argv)
      : await client.evalsha(script.sha, keys.length, ...keys, ...argv);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return bytes
      ? await client.callBuffer('eval', script.source, keys.length, ...keys, ...argv)
      : await client.eval(script.source, keys.length, ...keys, ...argv);
  }
}
