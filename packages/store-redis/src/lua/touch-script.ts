import { defineScript } from '../run-script.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';
import { LUA_RECORD_SIZE } from './record-size.js';

/**
 * Expiry-only touch. KEYS[1] the session hash, KEYS[2] its rotation tombstone. ARGV[1] write id,
 * ARGV[2] PEXPIREAT instant, ARGV[3] expiresAt. Returns `missing` when the hash is gone, else
 * moves the expiry (the key's TTL and the mirrored field) and returns `ok`. Entries are never
 * rewritten, so a touch cannot undo a concurrent patch; a re-sent touch is recognised by its
 * write id and cannot move the expiry back after a later write. Current size totals are
 * re-stamped with the touch's write id (they are unchanged), so they stay trusted.
 *
 * The counted variant (standalone Redis) also takes the live index as KEYS[3] and moves the
 * record's score there to the new expiry (see `live-index.ts`).
 */
function touchSource(counted: boolean): string {
  return `${LUA_PRELUDE}${LUA_RECORD_SIZE}${counted ? LUA_LIVE_INDEX : ''}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  if has_op(redis.call('GET', KEYS[2]), ARGV[1]) then return 'ok' end
  return 'missing'
end
local ops = redis.call('HGET', key, FIELD_OPS)
if has_op(ops, ARGV[1]) then return 'ok' end
local bytes, keys = stored_size(key, ops)
ops = push_op(ops, ARGV[1])
redis.call('HSET', key, FIELD_EXPIRES_AT, ARGV[3], FIELD_OPS, ops)
if bytes then redis.call('HSET', key, FIELD_SIZE, size_text(bytes, keys, ops)) end
redis.call('PEXPIREAT', key, ARGV[2])
${counted ? 'live_set(key, ARGV[3], ARGV[2])' : ''}
return 'ok'
`;
}

export const touchScript = defineScript('touch', 2, touchSource(false));
export const touchCountedScript = defineScript('touch+live', 3, touchSource(true));
