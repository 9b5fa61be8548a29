import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Cluster rotation, step 2 of 2, run in the OLD key's slot: deletes the old hash only if nothing
 * wrote to it since it was read. KEYS[1] the old hash, KEYS[2] its tombstone. ARGV[1] the
 * rotation's write id, ARGV[2] the write ids the old hash had when it was read (its version).
 *
 * Returns `{'ok'}` after deleting it and leaving a tombstone (so a re-sent step 2 also answers
 * `ok`); `{'missing'}` when the old hash is gone (destroyed or expired meanwhile: the caller then
 * removes its copy); or `{'changed', field, value, ...}` with the current hash when a patch or
 * touch landed in between, so the caller can copy again without another read.
 */
export const rotateCommitScript = defineScript(
  'rotate-commit',
  2,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local from = KEYS[1]
if redis.call('EXISTS', from) == 0 then
  if has_op(redis.call('GET', KEYS[2]), ARGV[1]) then return {'ok'} end
  return {'missing'}
end
local ops = redis.call('HGET', from, FIELD_OPS) or ''
if ops ~= ARGV[2] then
  local fields = redis.call('HGETALL', from)
  table.insert(fields, 1, 'changed')
  return fields
end
redis.call('SET', KEYS[2], push_op(ops, ARGV[1]), 'PX', TOMBSTONE_TTL_MS)
redis.call('DEL', from)
return {'ok'}
`,
);
