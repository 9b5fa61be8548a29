import type { DestroyUserSessionsOptions, UserSessionRecord } from '@sessions/core';
import { parseMeta } from './decode-record.js';
import { parseInstant } from './instants.js';
import {
  FIELD_EXPIRES_AT,
  FIELD_META,
  FIELD_USER,
  type KeyLayout,
  TOMBSTONE_TTL_MS,
} from './key-layout.js';
import { pruneIndexScript } from './lua/prune-index-script.js';
import { revokeCountedScript, revokeScript } from './lua/revoke-script.js';
import type { StoreCommands } from './redis-client.js';
import { runScript } from './run-script.js';

/*
 * The per-user session index.
 *
 * Each user with bound records has a sorted set at `<prefix>user:{<base64url(SHA-256(user ID))>}`
 * whose members are the store keys of the records bound to that user, written by the same
 * operation that binds them (see `index-add.ts`). A member's score is the latest deadline of a
 * write that indexed it; the key's TTL follows the latest record expiry written to it.
 *
 * Entries go stale (a record destroyed, expired, moved by a rotation or bound to someone else)
 * without the index being told: only an operation that knows the user can reach its index, and
 * `destroy`, `touch` and expiry do not. So the index is a superset, and both readers below check
 * every member against its record (its `\0u` field) and prune what they find stale.
 */

/** Margin for clock skew between app servers and Redis when pruning by deadline (Cluster). */
export const PRUNE_SKEW_MARGIN_MS = 1_000;
/** Most rounds of `destroyUserSessions` chasing records that rotations moved meanwhile. */
const MAX_REVOKE_ROUNDS = 16;

/** What the user index operations need from the store. */
export interface UserIndexContext {
  readonly commands: StoreCommands;
  readonly layout: KeyLayout;
  /** The store's per-operation deadline (sizes the revocation markers). */
  readonly timeoutMs: number;
  /** The live index key on a standalone Redis (revocations remove records from it), else none. */
  readonly live: readonly string[];
}

function membersOf(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((member) => typeof member === 'string')) {
    throw new Error('redis store: malformed user index reply');
  }
  return reply;
}

/**
 * Runs the prune script (see `prune-index-script.ts`): `outright` members are removed, `checked`
 * ones if their record is not bound to `userId` (standalone: checked in the script) or their
 * score is at or before `cutoff` (Cluster). Returns the members left.
 */
async function prune(
  context: UserIndexContext,
  index: string,
  userId: string,
  outright: readonly string[],
  checked: readonly string[],
  cutoff: number,
  deadline: number,
): Promise<string[]> {
  const { commands, layout } = context;
  const keys = [index];
  // Standalone: the script can read the records too, and checks them atomically.
  if (!commands.isCluster) for (const key of checked) keys.push(layout.keysFor(key).record);
  const args = [userId, String(cutoff), String(outright.length), ...outright, ...checked];
  return membersOf(await runScript(commands, pruneIndexScript, keys, args, deadline));
}

/**
 * The listing of one member from its hash's meta, expiry and user fields (`HMGET`, so a listing
 * never reads session data), or `undefined` when the record is gone or bound to someone else.
 */
function listingOf(
  key: string,
  userId: string,
  [meta, expiresAt, owner]: readonly (string | null | undefined)[],
): UserSessionRecord | undefined {
  if (meta == null && expiresAt == null && owner == null) return undefined;
  if (meta == null || expiresAt == null) {
    throw new Error('redis store: the session hash lacks its meta or expiry field');
  }
  const record = { key, meta: parseMeta(meta), expiresAt: parseInstant(expiresAt, 'expiresAt') };
  return owner === userId && record.meta.userId === userId ? record : undefined;
}

/**
 * See `SessionStore.listUserSessions`: one `ZRANGE` of the index, one `HMGET` per member (sent
 * together), and, only when stale members turned up, one prune script.
 */
export async function listUserSessions(
  context: UserIndexContext,
  userId: string,
  index: string,
  deadline: number,
): Promise<UserSessionRecord[]> {
  const { commands, layout } = context;
  const cutoff = Date.now() - PRUNE_SKEW_MARGIN_MS;
  const members = membersOf(await commands.zrange(index, '0', '-1'));
  const malformed = members.filter((member) => !layout.isStoreKey(member));
  const valid = members.filter((member) => layout.isStoreKey(member));
  const replies = await Promise.all(
    valid.map((member) =>
      commands.hmget(layout.keysFor(member).record, FIELD_META, FIELD_EXPIRES_AT, FIELD_USER),
    ),
  );
  const listed: UserSessionRecord[] = [];
  const stale: string[] = [];
  valid.forEach((key, i) => {
    const listing = listingOf(key, userId, replies[i] ?? []);
    if (listing === undefined) stale.push(key);
    else listed.push(listing);
  });
  if (stale.length > 0 || malformed.length > 0) {
    await prune(context, index, userId, malformed, stale, cutoff, deadline);
  }
  return listed;
}

/**
 * See `SessionStore.destroyUserSessions`. Each candidate is revoked by a script in its own slot
 * that deletes it only if it is bound to the user (and marks it revoked); then one prune script
 * removes the revoked and stale members and returns the members left.
 *
 * Without `only`, the candidates are the whole index, and the rounds repeat with the members that
 * appeared meanwhile: a rotation of one of the user's records (`regenerate`, or a sign-in) adds
 * its new key to the index before (Cluster) or together with (standalone) removing the old one,
 * so a record that a round found moved away is found under its new key in the next. The rounds
 * end when no new member appears (a sign-in that keeps adding sessions is cut off after a few).
 */
export async function destroyUserSessions(
  context: UserIndexContext,
  userId: string,
  index: string,
  options: DestroyUserSessionsOptions,
  deadline: number,
): Promise<string[]> {
  const { commands, layout, timeoutMs, live } = context;
  const revoke = live.length === 0 ? revokeScript : revokeCountedScript;
  const { only, except } = options;
  // Validates `only` before the first round trip (a malformed key is a caller bug).
  for (const key of only ?? []) layout.keysFor(key);
  const markerTtl = String(Math.max(TOMBSTONE_TTL_MS, Math.ceil(timeoutMs)));
  const cutoff = Date.now() - PRUNE_SKEW_MARGIN_MS;
  const seen = new Set<string>();
  const destroyed: string[] = [];
  let members = only === undefined ? membersOf(await commands.zrange(index, '0', '-1')) : [...only];
  for (let round = 0; round < MAX_REVOKE_ROUNDS; round++) {
    const outright: string[] = [];
    const fresh: string[] = [];
    for (const member of members) {
      if (seen.has(member) || member === except) continue;
      seen.add(member);
      if (layout.isStoreKey(member)) fresh.push(member);
      else outright.push(member);
    }
    if (fresh.length === 0 && outright.length === 0) break;
    const outcomes = await Promise.all(
      fresh.map((key) => {
        const keys = layout.keysFor(key);
        return runScript(
          commands,
          revoke,
          [keys.record, keys.revoked, ...live],
          [userId, markerTtl],
          deadline,
        );
      }),
    );
    const checked: string[] = [];
    fresh.forEach((key, i) => {
      const outcome = outcomes[i];
      if (outcome === 'destroyed') destroyed.push(key);
      if (outcome === 'destroyed' || outcome === 'gone') outright.push(key);
      else if (outcome === 'other') checked.push(key);
      else throw new Error(`redis store: unexpected reply to revoke: ${String(outcome)}`);
    });
    const left = await prune(context, index, userId, outright, checked, cutoff, deadline);
    if (only !== undefined) break;
    members = left;
  }
  return destroyed;
}
