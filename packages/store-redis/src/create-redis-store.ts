import {
  type ConditionalWriteResult,
  type CreateResult,
  type DestroyUserSessionsOptions,
  type EntryCondition,
  type PatchResult,
  type RotateResult,
  type SessionPatch,
  type SessionRecord,
  type UserSessionRecord,
  type WriteResult,
  withDeadline,
  withTimeout,
} from '@sessions/core';
import type { Cluster } from 'ioredis';
import { decodeRecord } from './decode-record.js';
import { encodeCondition, encodePatch, encodeRecord } from './encode-record.js';
import { createHashReader } from './hash-reader.js';
import { expireAtArg, instantText } from './instants.js';
import { createKeyLayout } from './key-layout.js';
import { countLive, purgeLive } from './live-index.js';
import { patchArgs } from './lua/apply-patch.js';
import { createArgs } from './lua/create-script.js';
import { indexAddScript } from './lua/index-add.js';
import { conditionArgs } from './lua/patch-if-script.js';
import { newOpId } from './op-id.js';
import { type RedisClient, storeCommands } from './redis-client.js';
import type { RedisStore } from './redis-store.js';
import { type RedisStoreOptions, resolveRedisStoreOptions } from './redis-store-options.js';
import { rotateAcrossSlots } from './rotate-across-slots.js';
import { type RedisScript, runScript } from './run-script.js';
import { countByScan } from './scan-count.js';
import { scriptSetFor } from './script-set.js';
import { destroyUserSessions, listUserSessions } from './user-index.js';
import type { ValueArg } from './value-form.js';

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

/** Where a write that binds a record to a user must also add it. */
interface IndexUpdate {
  /** The user index key. */
  readonly index: string;
  /** The store key the record ends up under. */
  readonly member: string;
  /** The record's PEXPIREAT argument (the index lives at least as long). */
  readonly expireAt: string;
}

/**
 * Creates a session store on an ioredis client (`Redis` or `Cluster`, ioredis 5 or 6).
 *
 * - Each session is one hash at `<prefix>{<store key>}` whose key always carries a TTL at the
 *   session's expiry, so Redis removes expired sessions by itself (no cleanup job).
 * - Each operation is one round trip (a rotation in Cluster: three; a write binding a user in
 *   Cluster: one more), bounded by `timeoutMs`.
 * - Records bound to a user (`meta.userId`) are indexed per user, for `listUserSessions` and
 *   `destroyUserSessions` (see the README's "Listing and revoking a user's sessions").
 * - Values are held as bytes, text (a text codec's) exactly as written and bytes (a binary codec's,
 *   such as MessagePack) behind a marker byte 0x00, so both codecs work and each value comes back
 *   in its form (see `value-form.ts`).
 * - A patch's `limits` are enforced in the same script as the write, from size totals kept in the
 *   session hash (no write reads the whole session), so parallel requests cannot together grow a
 *   session past them: a patch that would answers `too-large` and writes nothing.
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
  // Most operations need only the deadline instant (no AbortController: a few µs per call).
  const bounded = <T>(operation: string, work: (deadline: number) => Promise<T>) =>
    withTimeout(
      timeoutMs,
      work,
      `redis store: ${operation} did not complete within ${timeoutMs} ms`,
    );
  // Multi-step work that must also stop between its steps (Cluster rotation, SCAN counting).
  const boundedWithSignal = <T>(
    operation: string,
    work: (deadline: number, signal: AbortSignal) => Promise<T>,
  ) =>
    withDeadline(
      timeoutMs,
      work,
      `redis store: ${operation} did not complete within ${timeoutMs} ms`,
    );

  // Standalone: every record script also keeps the live index, passed as its last key (see
  // `live-index.ts`). Cluster: the plain scripts, and counting by SCAN (see `scan-count.ts`).
  const scripts = scriptSetFor(commands.isCluster);
  const live: readonly string[] = commands.isCluster ? [] : [layout.live];

  const indexContext = { commands, layout, timeoutMs, live };
  // Loads read as text until this store meets a binary value (see `hash-reader.ts`).
  const hashes = createHashReader(commands);

  /** The index update for a write whose meta binds `user` ('' for none). */
  const indexUpdate = (user: string, member: string, expireAt: string): IndexUpdate | undefined =>
    user === '' ? undefined : { index: layout.indexFor(user), member, expireAt };

  /**
   * Runs a record write that may bind a user. Without a binding: `plain` alone (one round trip,
   * exactly as before the index existed). Standalone: `indexed`, the same script that also adds
   * the record to the index atomically (still one round trip). Cluster, where the index lives in
   * another slot: the index update first, and the record write only once it has succeeded, so
   * losing the second step leaves at worst a stale index entry (pruned when found), never a bound
   * record missing from its user's index.
   */
  async function writeBinding(
    plain: RedisScript,
    indexed: RedisScript,
    keys: readonly string[],
    args: readonly ValueArg[],
    update: IndexUpdate | undefined,
    deadline: number,
    write: () => Promise<unknown> = () =>
      runScript(commands, plain, [...keys, ...live], args, deadline),
  ): Promise<unknown> {
    if (update === undefined) return write();
    if (!commands.isCluster) {
      return runScript(
        commands,
        indexed,
        [...keys, update.index, ...live],
        [...args, update.member],
        deadline,
      );
    }
    await runScript(
      commands,
      indexAddScript,
      [update.index],
      [update.member, update.expireAt],
      deadline,
    );
    // The deadline passed during the first step: the operation has already been reported as
    // failed, so the second step must not run.
    if (Date.now() >= deadline) throw new Error('redis store: write stopped at its deadline');
    return write();
  }

  const store = {
    name: 'redis',
    capabilities: {
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: commands.isCluster ? 'approximate' : 'exact',
      binaryValues: true,
    },
    prefix,
    timeoutMs,

    async load(key: string): Promise<SessionRecord | undefined> {
      const { record } = layout.keysFor(key);
      return bounded('load', async () => {
        return decodeRecord(await hashes.read(record));
      });
    },

    async create(key: string, record: SessionRecord): Promise<CreateResult> {
      const keys = layout.keysFor(key);
      // Encoded now, before the first await: later changes to the caller's record are not seen,
      // and invalid input rejects without a round trip.
      const encoded = encodeRecord(record);
      if (encoded.binary) hashes.sawBinary();
      const args = createArgs(newOpId(), encoded);
      const update = indexUpdate(encoded.user, key, encoded.expireAt);
      return bounded('create', async (deadline) =>
        expectOneOf(
          'create',
          await writeBinding(
            scripts.create,
            scripts.createIndexed,
            [keys.record, keys.revoked],
            args,
            update,
            deadline,
          ),
          ['created', 'conflict'],
        ),
      );
    },

    async patch(key: string, patch: SessionPatch): Promise<PatchResult> {
      const keys = layout.keysFor(key);
      const encoded = encodePatch(patch);
      if (encoded.binary) hashes.sawBinary();
      const args = patchArgs(newOpId(), encoded);
      const update = indexUpdate(encoded.user, key, encoded.expireAt);
      return bounded('patch', async (deadline) =>
        expectOneOf(
          'patch',
          await writeBinding(
            scripts.patch,
            scripts.patchIndexed,
            [keys.record, keys.tombstone],
            args,
            update,
            deadline,
          ),
          ['ok', 'missing', 'too-large'],
        ),
      );
    },

    async patchIf(
      key: string,
      condition: EntryCondition,
      patch: SessionPatch,
    ): Promise<ConditionalWriteResult> {
      const keys = layout.keysFor(key);
      const expected = encodeCondition(condition);
      const encoded = encodePatch(patch);
      if (encoded.binary || typeof expected.value === 'object') hashes.sawBinary();
      // The patch's arguments exactly as `patch` sends them, then the condition's.
      const args = [...patchArgs(newOpId(), encoded), ...conditionArgs(expected)];
      const update = indexUpdate(encoded.user, key, encoded.expireAt);
      // The same path as `patch`: one script; in Cluster with a bound meta, the index first.
      return bounded('patchIf', async (deadline) =>
        expectOneOf(
          'patchIf',
          await writeBinding(
            scripts.patchIf,
            scripts.patchIfIndexed,
            [keys.record, keys.tombstone],
            args,
            update,
            deadline,
          ),
          ['ok', 'missing', 'conflict', 'too-large'],
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
          await runScript(
            commands,
            scripts.touch,
            [keys.record, keys.tombstone, ...live],
            args,
            deadline,
          ),
          ['ok', 'missing'],
        ),
      );
    },

    async rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult> {
      const from = layout.keysFor(fromKey);
      const to = layout.keysFor(toKey);
      const encoded = encodePatch(patch);
      if (encoded.binary) hashes.sawBinary();
      const update = indexUpdate(encoded.user, toKey, encoded.expireAt);
      return boundedWithSignal('rotate', async (deadline, signal) => {
        const reply = await writeBinding(
          scripts.rotate,
          scripts.rotateIndexed,
          [from.record, from.tombstone, to.record],
          patchArgs(newOpId(), encoded),
          update,
          deadline,
          // Cluster forbids a script touching two slots, so it gets the multi-step protocol.
          commands.isCluster
            ? () => rotateAcrossSlots(commands, from, to, encoded, deadline, signal)
            : undefined,
        );
        return expectOneOf('rotate', reply, ['ok', 'missing', 'conflict', 'too-large']);
      });
    },

    async destroy(key: string): Promise<void> {
      const { record } = layout.keysFor(key);
      return bounded('destroy', async (deadline) => {
        await runScript(commands, scripts.destroy, [record, ...live], [], deadline);
      });
    },

    async countSessions(): Promise<number> {
      return boundedWithSignal('countSessions', (deadline, signal) =>
        commands.isCluster
          ? // `isCluster` is ioredis's own flag, true exactly for a `Cluster` client.
            countByScan(client as Cluster, layout.recordPattern, signal)
          : countLive(commands, layout.live, deadline),
      );
    },

    async deleteExpired(): Promise<number> {
      // Redis removes expired hashes by itself; on a Cluster there is nothing else to remove.
      if (commands.isCluster) return 0;
      // Each batch gets its own deadline, as each Postgres cleanup statement does.
      return purgeLive(commands, layout.live, () => Date.now() + timeoutMs);
    },

    async listUserSessions(userId: string): Promise<UserSessionRecord[]> {
      const index = layout.indexFor(userId);
      return bounded('listUserSessions', (deadline) =>
        listUserSessions(indexContext, userId, index, deadline),
      );
    },

    async destroyUserSessions(
      userId: string,
      options: DestroyUserSessionsOptions = {},
    ): Promise<string[]> {
      const index = layout.indexFor(userId);
      return bounded('destroyUserSessions', (deadline) =>
        destroyUserSessions(indexContext, userId, index, options, deadline),
      );
    },
  } satisfies RedisStore;

  return store;
}
