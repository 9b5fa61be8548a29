import {
  type Awaitable,
  type ConditionalWriteResult,
  type CreateResult,
  isSessionError,
  type PatchResult,
  type RotateResult,
  type SessionRecord,
  type StoreOperation,
  type WriteResult,
} from '@sessions/core';
import { copyPatch, copyRecord } from './copy-record.js';
import { createFillPlanner } from './fill-planner.js';
import { createFillTokens } from './fill-token.js';
import { FILL_LEASE_MS, fillPatch, leaseRecord, readHotRecord } from './hot-copy.js';
import { createHotGuard } from './hot-guard.js';
import type { LayeredStore } from './layered-store.js';
import type { LayeredStoreEvent } from './layered-store-event.js';
import { type LayeredStoreOptions, resolveLayeredStoreOptions } from './layered-store-options.js';
import { createSingleFlight } from './single-flight.js';
import { createTaintSet } from './taint-set.js';

/**
 * Slack for clocks that disagree: hot TTLs and leases are instants computed on app servers and
 * enforced on the hot store's clock, so a taint outlives the copy it guards by this much more.
 */
const CLOCK_MARGIN_MS = 1_000;

/**
 * Creates a session store that keeps copies of active sessions in a fast `hot` store (Redis, or
 * core's memory store) over a durable `cold` store (Postgres, or Redis) that stays the authority.
 *
 * - **Reads**: a hit is one hot read. A miss inserts a lease in hot, reads cold once (concurrent
 *   loads of the key in this process share that read) and fills the lease, so the copy never
 *   outlives the session and a slow reader can never install a stale one.
 * - **Writes** go to cold first, then remove the hot copy (the next read refills it). A create
 *   fills hot right away; a rotation removes both keys' copies. A conditional patch (`patchIf`,
 *   when cold has one) removes the copy whatever its outcome, `conflict` included.
 * - **A user's sessions** (when cold has a user index): listed from cold only; revoked in cold,
 *   then every revoked key's hot copy is removed as after a destroy.
 * - **Hot fails or is slow** (`hotTimeoutMs`): reads and writes go on with cold alone and succeed;
 *   after `hotFailureThreshold` failures in a row hot is skipped for `hotBackoffMs`. A copy that
 *   could not be removed is never served by this process again.
 * - **Cold fails**: the cold error is thrown (the engine reports `STORE_UNAVAILABLE`); reads then go
 *   to cold until it answers, unless `serveHotWhenColdDown`.
 *
 * Throws `SessionError('MISCONFIGURED')` for invalid options. See the README for guarantees and
 * their limits (revocations made outside this store, per-process memory caches).
 *
 * @example
 * ```ts
 * const store = createLayeredStore({
 *   hot: createRedisStore(redis, { prefix: 'sess:hot:' }),
 *   cold: createPostgresStore(sql),
 *   hotTtlMs: 10 * 60_000,
 * });
 * ```
 */
export function createLayeredStore(options: LayeredStoreOptions): LayeredStore {
  const config = resolveLayeredStoreOptions(options);
  const { hot, cold, clock, serveHotWhenColdDown, onEvent } = config;

  const emit = (event: LayeredStoreEvent): void => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch {
      // A listener is diagnostics only: it must never fail a store call.
    }
  };
  const guard = createHotGuard({
    timeoutMs: config.hotTimeoutMs,
    failureThreshold: config.hotFailureThreshold,
    backoffMs: config.hotBackoffMs,
    clock,
    emit,
  });
  const taints = createTaintSet({
    capacity: config.maxTaintedKeys,
    windowMs: config.hotTtlMs + FILL_LEASE_MS + CLOCK_MARGIN_MS,
    clock,
    emit,
  });
  const planFill = createFillPlanner(config);
  const tokens = createFillTokens();
  const loads = createSingleFlight<SessionRecord | undefined>();
  /** Set by a failed cold operation, cleared by a successful one. */
  let coldDown = false;

  /** Runs a cold operation, tracking cold's health. Its errors are the caller's errors. */
  async function onCold<T>(operation: StoreOperation, run: () => Awaitable<T>): Promise<T> {
    let value: T;
    try {
      value = await run();
    } catch (error) {
      // Input cold refuses (an instant or key it cannot hold) is the caller's error, not an outage.
      const refusedInput = isSessionError(error) && error.code !== 'STORE_UNAVAILABLE';
      if (!refusedInput) coldDown = true;
      emit({ type: 'cold-failed', operation, error });
      throw error;
    }
    if (coldDown) {
      coldDown = false;
      emit({ type: 'cold-recovered' });
    }
    return value;
  }

  function coldLoad(key: string): Promise<SessionRecord | undefined> {
    return onCold('load', () => cold.load(key));
  }

  /** Destroys hot's record under `key`; true when hot confirmed it. */
  async function destroyHot(key: string): Promise<boolean> {
    const sequence = taints.sequence();
    const removed = await guard.call('destroy', () => hot.destroy(key));
    if (removed.ok) taints.clear(key, sequence);
    return removed.ok;
  }

  /**
   * Removes what a write may have made stale. When hot cannot confirm it, the key is tainted:
   * this process reads it from cold until a removal succeeds or the copy has surely expired.
   */
  async function removeHotCopy(key: string): Promise<void> {
    if (await destroyHot(key)) return;
    taints.add(key);
    emit({ type: 'hot-invalidation-failed', key });
  }

  /** Fills (or, when there is nothing to cache, releases) the lease `token` holds on `key`. */
  async function settleLease(
    key: string,
    token: string,
    record: SessionRecord | undefined,
  ): Promise<void> {
    const plan = record === undefined ? undefined : planFill(record, clock());
    if (record === undefined || plan === undefined) {
      // Only our lease (or a newer reader's) can be there: nothing stale, so no taint on failure.
      await guard.call('destroy', () => hot.destroy(key));
      return;
    }
    // `missing` (a writer removed the lease meanwhile) is the protocol working: nothing to do.
    await guard.call('patch', () => hot.patch(key, fillPatch(token, record, plan)));
  }

  /** A miss: lease, one cold read, fill. See `hot-copy.ts` for why this order is safe. */
  async function loadAndFill(key: string): Promise<SessionRecord | undefined> {
    const token = tokens.next();
    const lease = await guard.call('create', () => hot.create(key, leaseRecord(token, clock())));
    const leased = lease.ok && lease.value === 'created';
    let record: SessionRecord | undefined;
    try {
      record = await coldLoad(key);
    } catch (error) {
      if (leased) await settleLease(key, token, undefined);
      throw error;
    }
    // Not leased: another reader is filling, a copy appeared meanwhile, or hot failed.
    if (leased) await settleLease(key, token, record);
    return record;
  }

  /** One load, shared by every concurrent load of `key` in this process. */
  async function loadShared(key: string): Promise<SessionRecord | undefined> {
    if (coldDown && !serveHotWhenColdDown) return coldLoad(key);
    if (taints.bypassed()) return coldLoad(key);
    if (taints.has(key)) {
      // A write here could not remove this key's copy: remove it now, or read around it.
      return (await destroyHot(key)) ? loadAndFill(key) : coldLoad(key);
    }
    const found = await guard.call('load', () => hot.load(key));
    if (!found.ok) return coldLoad(key);
    const view = readHotRecord(found.value);
    switch (view.kind) {
      case 'copy':
        // A hot clock behind ours can keep a copy a moment past the session's expiry: ask cold.
        return view.record.expiresAt > clock() ? view.record : coldLoad(key);
      case 'absent':
        return loadAndFill(key);
      case 'invalid':
        // A fill that lost its lease: clear it so the key can be cached again.
        return (await destroyHot(key)) ? loadAndFill(key) : coldLoad(key);
      case 'filling':
      case 'cold-only':
        return coldLoad(key);
    }
  }

  /**
   * What every write does once its cold step has settled: removes the hot copies of `keys`
   * (tainting any it cannot remove), then forgets their load flights.
   */
  async function invalidateAfterWrite(keys: readonly string[]): Promise<void> {
    const distinct = [...new Set(keys)];
    await Promise.all(distinct.map(removeHotCopy));
    for (const key of distinct) loads.forget(key);
  }

  /**
   * A write: cold first (the authority), then the hot copies of `keys` are removed, also when the
   * cold write failed (it may have been applied before failing). The keys' load flights are
   * forgotten last, after the removal, so a load starting once this write has resolved neither
   * joins a flight that read before it nor one that found the old copy.
   */
  async function write<T>(
    operation: StoreOperation,
    keys: readonly string[],
    run: () => Awaitable<T>,
    changedNothing: (result: T) => boolean = () => false,
  ): Promise<T> {
    const settle = () => invalidateAfterWrite(keys);
    let result: T;
    try {
      result = await onCold(operation, run);
    } catch (error) {
      await settle();
      throw error;
    }
    if (!changedNothing(result)) await settle();
    return result;
  }

  const deleteExpired = cold.deleteExpired;
  const hasDeleteExpired = cold.capabilities.deleteExpired && typeof deleteExpired === 'function';
  // Counting is cold's: hot holds an arbitrary subset of the sessions (copies of recent ones).
  const coldCount = cold.countSessions;
  const countKind = typeof coldCount === 'function' ? cold.capabilities.count : undefined;
  // The user index is cold's: hot holds copies that may vanish at any time, so it can never say
  // which sessions a user has.
  const { listUserSessions, destroyUserSessions } = cold;
  const hasUserIndex =
    cold.capabilities.userIndex === true &&
    typeof listUserSessions === 'function' &&
    typeof destroyUserSessions === 'function';
  // Compare-and-set is cold's too: only the authority can say what an entry holds now.
  const coldPatchIf = cold.patchIf;
  const hasConditionalPatch =
    cold.capabilities.conditionalPatch === true && typeof coldPatchIf === 'function';

  const store: LayeredStore = {
    name: 'layered',
    capabilities: {
      // Rotation and cleanup are cold's: the layered store adds no atomicity of its own.
      atomicRotate: cold.capabilities.atomicRotate,
      deleteExpired: hasDeleteExpired,
      userIndex: hasUserIndex,
      conditionalPatch: hasConditionalPatch,
      // Size limits are checked where the write lands: in cold, the authority.
      recordLimits: cold.capabilities.recordLimits === true,
      ...(countKind === undefined ? {} : { count: countKind }),
      // Values pass through to both layers, so both must hold bytes.
      binaryValues:
        hot.capabilities.binaryValues === true && cold.capabilities.binaryValues === true,
    },
    hot,
    cold,

    async load(key) {
      const record = await loads.run(key, () => loadShared(key));
      // Every caller gets its own copy: one flight may serve many loads.
      return record === undefined ? undefined : copyRecord(record);
    },

    async create(key, record): Promise<CreateResult> {
      const snapshot = copyRecord(record);
      // The lease goes in before the cold write, so a write racing this create (it would have to
      // guess the key) removes it and the fill below lands on nothing.
      const token = tokens.next();
      const lease = await guard.call('create', () => hot.create(key, leaseRecord(token, clock())));
      const leased = lease.ok && lease.value === 'created';
      let result: CreateResult;
      try {
        result = await onCold('create', () => cold.create(key, snapshot));
      } catch (error) {
        // The create may have been applied: whatever hot holds for this key is suspect.
        await removeHotCopy(key);
        loads.forget(key);
        throw error;
      }
      if (result === 'created') {
        // Leased: fill now, so the request after a sign-in is a hit. Not leased: hot held
        // something for this key (a copy of an expired record, on a hot clock running behind),
        // or hot failed; either way it predates this record and must go.
        if (leased) await settleLease(key, token, snapshot);
        else await removeHotCopy(key);
      } else if (leased) {
        // Cold holds another live record: release our lease, leave everything else alone.
        await guard.call('destroy', () => hot.destroy(key));
      }
      loads.forget(key);
      return result;
    },

    async patch(key, patch): Promise<PatchResult> {
      const snapshot = copyPatch(patch);
      return write('patch', [key], () => cold.patch(key, snapshot));
    },

    async touch(key, expiresAt): Promise<WriteResult> {
      // The hot copy is removed rather than touched: its hot expiry is capped and its true expiry
      // lives in the fill, which only a fill may write (see `hot-copy.ts`).
      return write('touch', [key], () => cold.touch(key, expiresAt));
    },

    async rotate(fromKey, toKey, patch): Promise<RotateResult> {
      const snapshot = copyPatch(patch);
      // Cold is the authority whether or not hot holds a copy of either key. `conflict` changed
      // nothing; `ok` and `missing` leave any copy of either key stale, so both go.
      return write(
        'rotate',
        [fromKey, toKey],
        () => cold.rotate(fromKey, toKey, snapshot),
        (result) => result === 'conflict',
      );
    },

    async destroy(key): Promise<void> {
      return write('destroy', [key], () => cold.destroy(key));
    },

    async invalidate(key) {
      await removeHotCopy(key);
      loads.forget(key);
    },
  };

  if (hasDeleteExpired) {
    const sweepHot = hot.deleteExpired;
    store.deleteExpired = async () => {
      const removed = await onCold('deleteExpired', () => deleteExpired.call(cold));
      // Hot copies never outlive their records, but a hot store that keeps expired records until
      // swept (core's memory store) gets swept too. Best effort: the count is cold's.
      if (sweepHot !== undefined) await guard.call('deleteExpired', () => sweepHot.call(hot));
      return removed;
    };
  }
  if (countKind !== undefined && coldCount !== undefined) {
    store.countSessions = () => onCold('countSessions', () => coldCount.call(cold));
  }
  if (hasConditionalPatch) {
    store.patchIf = async (key, condition, patch): Promise<ConditionalWriteResult> => {
      const expected = { key: condition.key, value: condition.value };
      const snapshot = copyPatch(patch);
      // Checked and applied by cold alone (hot copies are never compared against), then the hot
      // copy is removed exactly as after a patch, for every outcome. `ok` and `missing` leave it
      // stale, as a patch does. `conflict` changed nothing in cold, but it is the sign that the
      // caller's view is out of date, and that view may be this very copy (written behind it by
      // another instance whose hot store is not this one, or in cold directly). The caller
      // reloads next (`Session.update` does): kept, the copy would be served again, and every
      // retry would conflict until its hot TTL ended. Removed, the reload reads cold and refills.
      return write('patchIf', [key], () => coldPatchIf.call(cold, key, expected, snapshot));
    };
  }
  if (hasUserIndex) {
    const listColdUserSessions = (userId: string) =>
      onCold('listUserSessions', () => listUserSessions.call(cold, userId));

    // Straight from cold, never from hot: a copy knows nothing of sessions it does not hold.
    store.listUserSessions = async (userId) => [...(await listColdUserSessions(userId))];

    store.destroyUserSessions = async (userId, options = {}) => {
      const only = options.only === undefined ? undefined : [...options.only];
      const except = options.except;
      // A failed revocation may have been applied (a timeout), and a retry would not return the
      // keys it destroyed: so learn the candidates first (`only`, else the user's sessions now),
      // and remove their copies if cold fails. A failed listing has revoked nothing.
      const candidates = only ?? (await listColdUserSessions(userId)).map((record) => record.key);
      let destroyed: string[];
      try {
        destroyed = [
          ...(await onCold('destroyUserSessions', () =>
            destroyUserSessions.call(cold, userId, { only, except }),
          )),
        ];
      } catch (error) {
        await invalidateAfterWrite(candidates.filter((key) => key !== except));
        throw error;
      }
      // Exactly what a destroy of each key does after its cold step: a copy that cannot be removed
      // taints its key, and a reader that leased before the revocation fills nothing.
      await invalidateAfterWrite(destroyed);
      return destroyed;
    };
  }
  return store;
}
