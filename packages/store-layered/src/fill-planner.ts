import type { SessionRecord } from '@sessions/core';
import type { FillPlan } from './hot-copy.js';
import type { HotTtlChoice } from './layered-store-options.js';

/** Decides how a record goes into hot: `undefined` when it should not go in at all. */
export type FillPlanner = (record: SessionRecord, now: number) => FillPlan | undefined;

/** The options the planner reads. */
export interface FillPlannerOptions {
  readonly hotTtlMs: number;
  readonly hotTtlFor: ((record: SessionRecord) => HotTtlChoice) | undefined;
  readonly isColdOnlyKey: ((entryKey: string) => boolean) | undefined;
}

/**
 * Per-session cache control. Why per session and not per entry (ruts lets each write choose):
 * `load` returns a whole record, so a hot copy missing one key would read as a session without
 * that key. A session is therefore cached whole, under one TTL, or not at all; a session kept out
 * gets a marker (no data) so its reads skip the lease dance and go straight to cold.
 *
 * The hot record's expiry is `min(now + TTL, record.expiresAt)`: the copy never outlives the
 * session. (This is the one place the layered store adds a duration to an instant: a cache policy,
 * not session expiry, which stays the engine's.)
 */
export function createFillPlanner(options: FillPlannerOptions): FillPlanner {
  const { hotTtlMs, hotTtlFor, isColdOnlyKey } = options;

  function ttlFor(record: SessionRecord): HotTtlChoice {
    if (isColdOnlyKey !== undefined) {
      for (const key of record.entries.keys()) if (isColdOnlyKey(key)) return 'cold-only';
    }
    if (hotTtlFor === undefined) return hotTtlMs;
    let chosen: HotTtlChoice;
    try {
      chosen = hotTtlFor(record);
    } catch {
      // A throwing policy must not fail the read that asked: keeping the session out is safe.
      return 'cold-only';
    }
    if (chosen === 'cold-only') return 'cold-only';
    // Anything that is not a usable duration keeps the session out: not caching is always safe.
    if (typeof chosen !== 'number' || !Number.isFinite(chosen) || chosen < 1) return 'cold-only';
    return Math.min(Math.floor(chosen), hotTtlMs);
  }

  return (record, now) => {
    const ttl = ttlFor(record);
    const kind = ttl === 'cold-only' ? 'cold-only' : 'copy';
    const hotExpiresAt = Math.min(now + (ttl === 'cold-only' ? hotTtlMs : ttl), record.expiresAt);
    // Already expired (or expiring this instant): nothing worth caching.
    if (!(hotExpiresAt > now)) return undefined;
    return { kind, hotExpiresAt };
  };
}
