import {
  type ConditionalWriteResult,
  type CreateResult,
  type DestroyUserSessionsOptions,
  type EntryCondition,
  type PatchResult,
  type RotateResult,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type UserSessionRecord,
  type WriteResult,
  withDeadline,
} from '@sessions/core';
import type { KvBackend } from './kv-backend.js';
import {
  commitChanges,
  type KvSpace,
  readRecord,
  readUserIndex,
  recordKey,
  type Versioned,
} from './kv-transaction.js';
import { applyPatch, fitsLimits, sameValue } from './record-codec.js';

/** Options for {@link createKvStore}. */
export interface KvStoreOptions {
  /**
   * Prepended to every store key, to share one backend between apps or test runs.
   * @default 'sess:'
   */
  readonly prefix?: string | undefined;
  /**
   * Most milliseconds one store call may take, retries included; then it rejects (the engine
   * answers `STORE_UNAVAILABLE`) and its commit can no longer apply.
   * @default 2000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Source of "now" for per-key expiry in `patchIf` (whole records expire on the backend's clock).
   * @default Date.now
   */
  readonly clock?: (() => number) | undefined;
}

/**
 * Optimistic transactions retry when another writer changed the record between our read and our
 * commit. Each failed attempt means some other writer succeeded, so with N concurrent writers of
 * one session every writer finishes within N attempts; the deadline bounds the rest.
 */
const MAX_ATTEMPTS = 1000;

/**
 * Creates a {@link SessionStore} over a {@link KvBackend}. One backend key per session, holding
 * the whole record as JSON; every write is a read, a change in memory and a commit conditioned on
 * the version read (compare-and-set), retried when it lost a race. That makes every method atomic
 * and linearizable per key, and `rotate` atomic across two keys, on any backend with conditional
 * multi-key commits.
 *
 * @example
 * ```ts
 * const store = createKvStore(createMemoryKv(), { prefix: 'myapp:sess:' });
 * const sessions = createSessionManager({ store, secrets: [process.env.SESSION_SECRET!] });
 * ```
 */
export function createKvStore(kv: KvBackend, options: KvStoreOptions = {}): SessionStore {
  const prefix = options.prefix ?? 'sess:';
  const timeoutMs = options.timeoutMs ?? 2000;
  const clock = options.clock ?? Date.now;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new Error('kv store: timeoutMs must be a positive number of milliseconds');
  }

  /** Runs one store call under the deadline. */
  function bounded<T>(what: string, work: (deadline: number) => Promise<T>): Promise<T> {
    return withDeadline(timeoutMs, work, `kv store: ${what} took longer than ${timeoutMs} ms`);
  }

  const space: KvSpace = { kv, prefix };
  const read = (key: string): Promise<Versioned | undefined> => readRecord(space, key);

  /**
   * The read-modify-write loop behind `patch`, `patchIf` and `touch`: `decide` looks at the live
   * record and returns the record to write, or a result to return without writing.
   */
  async function update<R extends string>(
    key: string,
    deadline: number,
    decide: (record: SessionRecord) => SessionRecord | R,
  ): Promise<R | 'ok' | 'missing'> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await read(key);
      if (current === undefined) return 'missing';
      const next = decide(current.record);
      if (typeof next === 'string') return next;
      if (await commitChanges(space, [{ key, before: current, after: next }], deadline))
        return 'ok';
    }
    throw new Error(`kv store: gave up after ${MAX_ATTEMPTS} conflicting writes to one session`);
  }

  /** `patch`'s decision: the patched record, or `too-large` when it breaks `limits`. */
  function patched(record: SessionRecord, patch: SessionPatch): SessionRecord | 'too-large' {
    const next = applyPatch(record, patch);
    return fitsLimits(record, next, patch) ? next : 'too-large';
  }

  const store = {
    name: 'kv',
    capabilities: {
      atomicRotate: true,
      // The backend expires keys itself, so there is nothing to sweep.
      deleteExpired: false,
      conditionalPatch: true,
      recordLimits: true,
      userIndex: true,
      // Bytes from a binary codec are kept as base64 in the JSON layout (see record-codec.ts).
      binaryValues: true,
    },

    async load(key: string): Promise<SessionRecord | undefined> {
      return bounded('load', async () => (await read(key))?.record);
    },

    async create(key: string, record: SessionRecord): Promise<CreateResult> {
      return bounded('create', async (deadline) => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          // Insert-only: the commit requires the key to be absent (an expired record is absent).
          if (await commitChanges(space, [{ key, before: undefined, after: record }], deadline)) {
            return 'created';
          }
          // Lost a race: to another create of this key (conflict), or on the user's index (retry).
          if ((await read(key)) !== undefined) return 'conflict';
        }
        throw new Error(`kv store: gave up after ${MAX_ATTEMPTS} conflicting writes`);
      });
    },

    async patch(key: string, patch: SessionPatch): Promise<PatchResult> {
      return bounded('patch', (deadline) =>
        update(key, deadline, (record) => patched(record, patch)),
      );
    },

    async patchIf(
      key: string,
      condition: EntryCondition,
      patch: SessionPatch,
    ): Promise<ConditionalWriteResult> {
      return bounded('patchIf', (deadline) =>
        update(key, deadline, (record): SessionRecord | 'conflict' | 'too-large' => {
          const entry = record.entries.get(condition.key);
          const live =
            entry !== undefined && (entry.expiresAt ?? Number.POSITIVE_INFINITY) > clock();
          if (!sameValue(live ? entry.value : undefined, condition.value)) return 'conflict';
          return patched(record, patch);
        }),
      );
    },

    async touch(key: string, expiresAt: number): Promise<WriteResult> {
      // A compare-and-set too: a blind "set expiry" could write back a stale copy of the data.
      return bounded('touch', (deadline) =>
        update<never>(key, deadline, (record) => ({ ...record, expiresAt })),
      );
    },

    async rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult> {
      return bounded('rotate', async (deadline) => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const current = await read(fromKey);
          if (current === undefined) return 'missing';
          if (toKey === fromKey || (await read(toKey)) !== undefined) return 'conflict';
          const next = patched(current.record, patch);
          if (next === 'too-large') return next;
          // One commit: the source is unchanged, the target still absent; write one, delete the
          // other. A patch racing us fails its own check and retries, then finds `missing`.
          const committed = await commitChanges(
            space,
            [
              { key: fromKey, before: current, after: undefined },
              { key: toKey, before: undefined, after: next },
            ],
            deadline,
          );
          if (committed) return 'ok';
        }
        throw new Error(
          `kv store: gave up after ${MAX_ATTEMPTS} conflicting writes to one session`,
        );
      });
    },

    async destroy(key: string): Promise<void> {
      // A blind delete: its user-index entry goes stale, and listing skips and prunes it.
      await bounded('destroy', (deadline) =>
        kv.commit([], [{ type: 'delete', key: recordKey(space, key) }], deadline),
      );
    },

    async listUserSessions(userId: string): Promise<readonly UserSessionRecord[]> {
      return bounded('listUserSessions', async (deadline) => {
        const { key: indexKey, index, version } = await readUserIndex(space, userId);
        const listed: UserSessionRecord[] = [];
        const stale: string[] = [];
        for (const key of index.keys) {
          const current = await read(key);
          if (current?.record.meta.userId === userId) {
            const { meta, expiresAt } = current.record;
            listed.push({ key, meta, expiresAt });
          } else {
            stale.push(key);
          }
        }
        if (stale.length > 0) {
          // Best effort: prune only if the index did not change meanwhile (else the next listing
          // will). A record bound again meanwhile re-added itself through its own commit.
          const keys = index.keys.filter((key) => !stale.includes(key));
          await kv.commit(
            [{ key: indexKey, version }],
            [
              keys.length === 0
                ? { type: 'delete', key: indexKey }
                : {
                    type: 'set',
                    key: indexKey,
                    value: JSON.stringify({ keys, x: index.x }),
                    expiresAt: index.x,
                  },
            ],
            deadline,
          );
        }
        return listed;
      });
    },

    async destroyUserSessions(
      userId: string,
      options: DestroyUserSessionsOptions = {},
    ): Promise<readonly string[]> {
      return bounded('destroyUserSessions', async (deadline) => {
        const candidates = options.only ?? (await readUserIndex(space, userId)).index.keys;
        const destroyed: string[] = [];
        for (const key of candidates) {
          if (key === options.except) continue;
          for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            const current = await read(key);
            // Only a live record still bound to this user: one re-bound meanwhile survives.
            if (current?.record.meta.userId !== userId) break;
            const change = { key, before: current, after: undefined };
            if (await commitChanges(space, [change], deadline)) {
              destroyed.push(key);
              break;
            }
          }
        }
        return destroyed;
      });
    },
  } satisfies SessionStore;

  return store;
}
