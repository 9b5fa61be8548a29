import { INDEX_TTL_SLACK_MS } from '../key-layout.js';
import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/** Expired members a create removes from the live index, so it stays bounded with no purge. */
export const LIVE_PRUNE_STEP = 4;
/** Most members one purge script removes (the caller repeats until a batch comes back short). */
export const LIVE_PURGE_BATCH = 1_000;

/**
 * Lua for the live index, on a standalone Redis only (see `live-index.ts` in `src`): a sorted set
 * whose members are the session hashes' key names, scored by the record's `expiresAt`, kept by
 * the same script as every write, so counting is one `ZCOUNT` and no write costs a round trip
 * more. Needs the prelude. Its header takes the index off the END of KEYS, so it must come before
 * the user index's header (whose key is then last) and the rest reads as the plain script's keys.
 *
 * - `live_set`: the record is (still) live until `expires_at`; `ZADD` adds it or moves its score.
 *   Like every key the store writes, the index has a TTL: at least the record's own expiry
 *   (`expire_at`, its `PEXPIREAT` argument) plus a slack, never moved earlier (compared through
 *   `PTTL`, as the user index does: see `index-add.ts`), so it outlives every record it lists and
 *   goes away by itself once the last one has expired. Set on every call, not only when it grows,
 *   so a write's commands do not depend on other sessions' expiries.
 * - `live_remove`: the record is gone (destroyed, revoked, moved away by a rotation).
 * - `live_prune`: removes up to {@link LIVE_PRUNE_STEP} members whose records have expired (Redis
 *   removed the hashes by TTL without telling anyone). Run by every create, the only write that
 *   adds a member, so the expired backlog never grows faster than it shrinks.
 */
export const LUA_LIVE_INDEX = `
local LIVE = table.remove(KEYS)
local LIVE_PRUNE_STEP = ${LIVE_PRUNE_STEP}
local LIVE_TTL_SLACK_MS = ${INDEX_TTL_SLACK_MS}

local function live_set(member, expires_at, expire_at)
  redis.call('ZADD', LIVE, expires_at, member)
  local wanted = tonumber(expire_at) + LIVE_TTL_SLACK_MS
  local ttl = redis.call('PTTL', LIVE)
  if ttl > 0 then wanted = math.max(wanted, now_ms() + ttl) end
  redis.call('PEXPIREAT', LIVE, string.format('%.0f', wanted))
end

local function live_remove(member)
  redis.call('ZREM', LIVE, member)
end

local function live_prune()
  local now = string.format('%.0f', now_ms())
  local expired = redis.call('ZRANGEBYSCORE', LIVE, '-inf', now, 'LIMIT', 0, LIVE_PRUNE_STEP)
  if #expired > 0 then redis.call('ZREM', LIVE, unpack(expired)) end
end
`;

/**
 * Counts the live records. KEYS[1] the live index. A member is live while Redis's clock is before
 * its score (the record's `expiresAt`, as the hash's own TTL is: see `expireAtArg`), so records
 * Redis has expired but the index still lists are not counted. One `ZCOUNT`: O(log N).
 */
export const liveCountScript = defineScript(
  'live-count',
  1,
  `${LUA_PRELUDE}
return redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', now_ms()), '+inf')
`,
);

/**
 * Removes up to {@link LIVE_PURGE_BATCH} members whose records have expired and returns how many.
 * KEYS[1] the live index. Redis has already removed those records by their TTL: this only prunes
 * the index. Bounded, so one call never holds Redis for long whatever the backlog.
 */
export const livePurgeScript = defineScript(
  'live-purge',
  1,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local now = string.format('%.0f', now_ms())
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ${LIVE_PURGE_BATCH})
if #expired == 0 then return 0 end
return redis.call('ZREM', KEYS[1], unpack(expired))
`,
);
