import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';
import { LUA_RECORD_SIZE } from './record-size.js';

/**
 * Cluster rotation, step 1 of 2, run in the NEW key's slot: writes the whole patched record
 * there unless another record holds the key. KEYS[1] the new hash, KEYS[2] its revocation
 * marker. ARGV[1] the rotation's write id, ARGV[2] PEXPIREAT instant, ARGV[3] meta JSON, ARGV[4]
 * expiresAt, ARGV[5] the old record's write ids, ARGV[6] the most bytes and ARGV[7] the most
 * entries the record may hold ('' for no bound), ARGV[8] and ARGV[9] the bytes and entries of the
 * old record as read (the snapshot the copy was made from), then entry `field, value` pairs (the
 * bound user's field and per-key expiry fields among them).
 *
 * Returns `conflict` (writing nothing) when a record that is not this rotation's copy is live
 * there, or when the key was revoked; a copy from an earlier attempt of the same rotation (found by its write id) is replaced.
 * Returns `too-large` when the copy would exceed the limits and be larger than the snapshot (the
 * measure and rule of `record-size.ts`): nothing is written, and an earlier attempt's copy is
 * removed, so the caller leaves the old record as it is. Otherwise the copy is written with its
 * size totals, measured here from the pairs.
 * The record stays invisible to requests until step 2 succeeds: nobody else holds the new key's
 * cookie. (A sign-in's new key is in the user index already, so `destroyUserSessions` may revoke
 * the copy; the marker it leaves makes a later attempt answer `conflict` instead of writing it
 * again.)
 */
export const rotateCopyScript = defineScript(
  'rotate-copy',
  2,
  `${LUA_PRELUDE}${LUA_RECORD_SIZE}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
local earlier = false
if redis.call('EXISTS', key) == 1 then
  if not has_op(redis.call('HGET', key, FIELD_OPS), ARGV[1]) then return 'conflict' end
  earlier = true
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return 'conflict'
end
local bytes, keys = 0, 0
for i = 10, #ARGV, 2 do
  if string.byte(ARGV[i], 1) ~= 0 then
    bytes = bytes + #ARGV[i] + value_length(ARGV[i + 1])
    keys = keys + 1
  end
end
if earlier then redis.call('DEL', key) end
if not fits(bytes, keys, tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[6], ARGV[7]) then
  return 'too-large'
end
local ops = push_op(ARGV[5], ARGV[1])
redis.call('HSET', key, FIELD_META, ARGV[3], FIELD_EXPIRES_AT, ARGV[4], FIELD_OPS, ops,
  FIELD_SIZE, size_text(bytes, keys, ops))
redis.call('PEXPIREAT', key, ARGV[2])
if redis.call('EXISTS', key) == 1 then batched('HSET', key, ARGV, 10, #ARGV) end
return 'ok'
`,
);
