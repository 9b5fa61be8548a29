import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Cluster rotation, step 1 of 2, run in the NEW key's slot: writes the whole patched record
 * there unless another record holds the key. KEYS[1] the new hash, KEYS[2] its revocation
 * marker. ARGV[1] the rotation's write id, ARGV[2] PEXPIREAT instant, ARGV[3] meta JSON, ARGV[4]
 * expiresAt, ARGV[5] the old record's write ids, then entry `field, value` pairs (the bound user's
 * field among them).
 *
 * Returns `conflict` (writing nothing) when a record that is not this rotation's copy is live
 * there, or when the key was revoked; a copy from an earlier attempt of the same rotation (found by its write id) is replaced.
 * The record stays invisible to requests until step 2 succeeds: nobody else holds the new key's
 * cookie. (A sign-in's new key is in the user index already, so `destroyUserSessions` may revoke
 * the copy; the marker it leaves makes a later attempt answer `conflict` instead of writing it
 * again.)
 */
export const rotateCopyScript = defineScript(
  'rotate-copy',
  2,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if not has_op(redis.call('HGET', key, FIELD_OPS), ARGV[1]) then return 'conflict' end
  redis.call('DEL', key)
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return 'conflict'
end
redis.call('HSET', key, FIELD_META, ARGV[3], FIELD_EXPIRES_AT, ARGV[4], FIELD_OPS, push_op(ARGV[5], ARGV[1]))
redis.call('PEXPIREAT', key, ARGV[2])
if redis.call('EXISTS', key) == 1 then batched('HSET', key, ARGV, 6, #ARGV) end
return 'ok'
`,
);
