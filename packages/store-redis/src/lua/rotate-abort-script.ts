import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Cluster rotation, undo of step 1, run only after step 2 answered `missing`: removes this
 * rotation's copy (found by its write id) so a rotation of a destroyed or expired session leaves
 * nothing behind. KEYS[1] the new hash, ARGV[1] the rotation's write id. Returns 1 when removed.
 */
export const rotateAbortScript = defineScript(
  'rotate-abort',
  1,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
if has_op(redis.call('HGET', KEYS[1], FIELD_OPS), ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`,
);
