import { INDEX_TTL_SLACK_MS } from '../key-layout.js';
import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Lua that adds a store key to a user index (a sorted set), shared by the index-add script
 * (Cluster) and the indexed variants of create, patch and rotate (standalone). Needs the prelude.
 *
 * - The member's score becomes the operation's deadline, unless it already is later: it is the
 *   instant after which no write that indexed the member can still change its record (every
 *   record script refuses to run from its deadline on). Listing prunes a stale member only once
 *   its score has passed, so it never removes the entry of a write still on its way.
 * - The index key's TTL moves to at least the record's expiry (`expire_at`, the record's own
 *   `PEXPIREAT` argument) plus a slack, never earlier: the index outlives every record it lists
 *   and expires by itself once its user's last session has. Compared through `TIME` + `PTTL`
 *   (`PEXPIRETIME` and `PEXPIREAT ... GT` need Redis 7); the slack covers the sub-millisecond
 *   difference between the two clocks a script sees.
 *
 * Both steps compare inside the script, so concurrent writes (many sign-ins of one user at once)
 * each add their member; nothing reads a list and writes it back.
 */
export const LUA_INDEX_ADD = `
local INDEX_TTL_SLACK_MS = ${INDEX_TTL_SLACK_MS}

local function index_add(index, member, expire_at)
  local score = redis.call('ZSCORE', index, member)
  if not score or tonumber(score) < DEADLINE then
    redis.call('ZADD', index, string.format('%.17g', DEADLINE), member)
  end
  local wanted = tonumber(expire_at) + INDEX_TTL_SLACK_MS
  local ttl = redis.call('PTTL', index)
  if ttl < 0 or now_ms() + ttl < wanted then
    redis.call('PEXPIREAT', index, string.format('%.0f', wanted))
  end
end
`;

/**
 * The first line of an indexed script variant: its last key is the user index and its last
 * argument the member (the store key) to add, both taken off so the rest reads as the plain
 * script's keys and arguments.
 */
export const LUA_INDEXED_HEADER = `
local INDEX, MEMBER = KEYS[#KEYS], table.remove(ARGV)
`;

/**
 * Index update alone, for Redis Cluster, where the index and the record live in different slots:
 * the store runs it BEFORE the record's script, and only runs the record's script when it
 * succeeded. KEYS[1] the user index. ARGV[1] the member (store key), ARGV[2] the record's
 * PEXPIREAT instant. Returns `ok`.
 */
export const indexAddScript = defineScript(
  'index-add',
  1,
  `${LUA_PRELUDE}${LUA_INDEX_ADD}
if too_late() then return redis.error_reply(LATE) end
index_add(KEYS[1], ARGV[1], ARGV[2])
return 'ok'
`,
);
