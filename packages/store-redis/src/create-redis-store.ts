import {
  type CreateResult,
  type RotateResult,
  type SessionPatch,
  type SessionRecord,
  type WriteResult,
  withDeadline,
} from '@sessions/core';
import { decodeRecord, hashPairs } from './decode-record.js';
import { encodePatch, encodeRecord } from './encode-record.js';
import { expireAtArg, instantText } from './instants.js';
import { createKeyLayout } from './key-layout.js';
import { patchArgs } from './lua/apply-patch.js';
import { createScript } from './lua/create-script.js';
import { destroyScript } from './lua/destroy-script.js';
import { patchScript } from './lua/patch-script.js';
import { rotateScript } from './lua/rotate-script.js';
import { touchScript } from './lua/touch-script.js';
import { newOpId } from './op-id.js';
import { type RedisClient, storeCommands } from './redis-client.js';
import type { RedisStore } from './redis-store.js';
import { type RedisStoreOptions, resolveRedisStoreOptions } from './redis-store-options.js';
import { rotateAcrossSlots } from './rotate-across-slots.js';
import { runScript } from './run-script.js';

function expectOneOf<const T extends string>(
  operation: string,
  reply: unknown,
  allowed: readonly T[],
): T {
  const found = allowed.find((value) => value === reply);
  if (found === undefined) {
    throw new Error(`redis store: unexpected reply to ${operation}: ${String(reply)}`);
  }
  return found;
}

/**
 * Creates a session store on an ioredis client (`Redis` or `Cluster`, ioredis 5 or 6).
 *
 * - Each session is one hash at `<prefix>{<store key>}` whose key always carries a TTL at the
 *   session's expiry, so Redis removes expired sessions by itself (no cleanup job).
 * - Each operation is one round trip (a rotation in Cluster: three), bounded by `timeoutMs`.
 * - Writes are scripts that change only what the patch names and only while the session exists,
 *   that recognise their own re-sent copies (ioredis re-sends unanswered commands after a
 *   reconnect), and that change nothing once their operation's deadline has passed, so a write
 *   reported as failed never applies later.
 *
 * The client stays yours: the store never closes or reconfigures it. Configure it to fail fast
 * (see the README: `maxRetriesPerRequest: 1`, `connectTimeout`, a `retryStrategy` that never gives
 * up). Throws `SessionError('MISCONFIGURED')` for a missing client or invalid options.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisStore } from '@sessions/store-redis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
 *   maxRetriesPerRequest: 1,
 * });
 * const store = createRedisStore(redis, { prefix: 'myapp:sess:' });
 * ```
 */
export function createRedisStore(client: RedisClient, options?: RedisStoreOptions): RedisStore {
  const commands = storeCommands(client);
  const { prefix, timeoutMs } = resolveRedisStoreOptions(options);
  const layout = createKeyLayout(prefix);
  // ioredis queues commands while disconnected and retries them (20 reconnections by default), so
  // every operation is bounded: a request gets STORE_UNAVAILABLE within timeoutMs, never a hang.
  const bounded = <T>(
    operation: string,
    work: (deadline: number, signal: AbortSignal) => Promise<T>,
  ) =>
    withDeadline(
      timeoutMs,
      work,
      `redis store: ${operation} did not complete within ${timeoutMs} ms`,
    );

  const store = {
    name: 'redis',
    capabilities: { atomicRotate: true, deleteExpired: false },
    prefix,
    timeoutMs,

    async load(key: string): Promise<SessionRecord | undefined> {
      const { record } = layout.keysFor(key);
      return bounded('load', async () => {
        return decodeRecord(hashPairs(await commands.hgetall(record)));
      });
    },

    async create(key: string, record: SessionRecord): Promise<CreateResult> {
      const keys = layout.keysFor(key);
      // Encoded now, before the first await: later changes to the caller's record are not seen,
      // and invalid input rejects without a round trip.
      const encoded = encodeRecord(record);
      const args = [
        newOpId(),
        encoded.expireAt,
        encoded.meta,
        encoded.expiresAt,
        ...encoded.fields,
      ];
      return bounded('create', async (deadline) =>
        expectOneOf(
          'create',
          await runScript(commands, createScript, [keys.record], args, deadline),
          ['created', 'conflict'],
        ),
      );
    },

    async patch(key: string, patch: SessionPatch): Promise<WriteResult> {
      const keys = layout.keysFor(key);
      const args = patchArgs(newOpId(), encodePatch(patch));
      return bounded('patch', async (deadline) =>
        expectOneOf(
          'patch',
          await runScript(commands, patchScript, [keys.record, keys.tombstone], args, deadline),
          ['ok', 'missing'],
        ),
      );
    },

    async touch(key: string, expiresAt: number): Promise<WriteResult> {
      const keys = layout.keysFor(key);
      const stored = instantText(expiresAt, 'expiresAt');
      const args = [newOpId(), expireAtArg(expiresAt), stored];
      return bounded('touch', async (deadline) =>
        expectOneOf(
          'touch',
          await runScript(commands, touchScript, [keys.record, keys.tombstone], args, deadline),
          ['ok', 'missing'],
        ),
      );
    },

    async rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult> {
      const from = layout.keysFor(fromKey);
      const to = layout.keysFor(toKey);
      const encoded = encodePatch(patch);
      return bounded('rotate', async (deadline, signal) => {
        // Cluster forbids a script touching two slots, so it gets the multi-step protocol.
        if (commands.isCluster) {
          return rotateAcrossSlots(commands, from, to, encoded, deadline, signal);
        }
        const reply = await runScript(
          commands,
          rotateScript,
          [from.record, from.tombstone, to.record],
          patchArgs(newOpId(), encoded),
          deadline,
        );
        return expectOneOf('rotate', reply, ['ok', 'missing', 'conflict']);
      });
    },

    async destroy(key: string): Promise<void> {
      const { record } = layout.keysFor(key);
      return bounded('destroy', async (deadline) => {
        await runScript(commands, destroyScript, [record], [], deadline);
      });
    },
  } satisfies RedisStore;

  return store;
}
