import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Cluster rotation, step 1 of 2, run in the NEW key's slot: writes the whole patched record
 * there unless another record holds the key. KEYS[1] the new hash. ARGV[1] the rotation's write
 * id, ARGV[2] PEXPIREAT instant, ARGV[3] meta JSON, ARGV[4] expiresAt, ARGV[5] the old record's
 * write ids, then entry `field, value` pairs.
 *
 * Returns `conflict` (writing nothing) when a record that is not this rotation's copy is live
 * there; a copy from an earlier attempt of the same rotation (found by its write id) is replaced.
 * The record stays invisible to everyone until step 2 succeeds: nobody else knows the new key.
 */
export const rotateCopyScript = defineScript(
  'rotate-copy',
  1,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if not has_op(redis.call('HGET', key, FIELD_OPS), ARGV[1]) then return 'conflict' end
  redis.call('DEL', key)
end
redis.call('HSET', key, FIELD_META, ARGV[3], FIELD_EXPIRES_AT, ARGV[4], FIELD_OPS, push_op(ARGV[5], ARGV[1]))
redis.call('PEXPIREAT', key, ARGV[2])
if redis.call('EXISTS', key) == 1 then batched('HSET', key, ARGV, 6, #ARGV) end
return 'ok'
`,
);
