import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Insert-only create. KEYS[1] the session hash. ARGV[1] write id, ARGV[2] PEXPIREAT instant,
 * ARGV[3] meta JSON, ARGV[4] expiresAt, then entry `field, value` pairs. Returns `created` or
 * `conflict`; a re-sent create finds its own write id and answers `created` again.
 *
 * The internal fields go first and the expiry is set at once, so the key is never without a TTL
 * even if a later HSET failed; an instant already past deletes the key, and nothing more is
 * written (the record is created expired, that is, absent).
 */
export const createScript = defineScript(
  'create',
  1,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if has_op(redis.call('HGET', key, FIELD_OPS), ARGV[1]) then return 'created' end
  return 'conflict'
end
redis.call('HSET', key, FIELD_META, ARGV[3], FIELD_EXPIRES_AT, ARGV[4], FIELD_OPS, ARGV[1])
redis.call('PEXPIREAT', key, ARGV[2])
if redis.call('EXISTS', key) == 1 then batched('HSET', key, ARGV, 5, #ARGV) end
return 'created'
`,
);
