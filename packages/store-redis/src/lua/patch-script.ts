import { defineScript } from '../run-script.js';
import { LUA_APPLY_PATCH } from './apply-patch.js';
import { LUA_INDEX_ADD, LUA_INDEXED_HEADER } from './index-add.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Patch of a live session. KEYS[1] the session hash, KEYS[2] its rotation tombstone. ARGV as
 * {@link LUA_APPLY_PATCH} reads them. Returns `missing` (writing nothing) when the hash is gone,
 * so a request racing a logout cannot resurrect it; `too-large` (writing nothing, not even the
 * expiry or the index) when the patch would take the record past its limits; otherwise applies
 * the patch and moves the expiry, and returns `ok`.
 *
 * A re-sent patch whose write id is already recorded (in the hash, or in the tombstone when a
 * rotation has since moved the session) answers `ok` without applying it again, so a later write
 * to the same key is never undone by the replay.
 *
 * The indexed variant (standalone Redis, a meta binding a user) also takes the user index as
 * KEYS[3] and the store key as the last argument, and adds it to the index when the patch applies.
 *
 * The counted variants (standalone Redis) also take the live index as the LAST key and move the
 * record's score there to its new expiry when the patch applies (see `live-index.ts`).
 */
function patchSource(indexed: boolean, counted = false): string {
  return `${LUA_PRELUDE}${LUA_APPLY_PATCH}${counted ? LUA_LIVE_INDEX : ''}${indexed ? `${LUA_INDEX_ADD}${LUA_INDEXED_HEADER}` : ''}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  if has_op(redis.call('GET', KEYS[2]), ARGV[1]) then return 'ok' end
  return 'missing'
end
local internal = read_internal(key)
if has_op(internal.ops, ARGV[1]) then return 'ok' end
local plan = plan_patch(key, internal)
if not plan then return 'too-large' end
${indexed ? 'index_add(INDEX, MEMBER, ARGV[2])' : ''}
apply_patch(key, plan)
if not plan.same_expiry then
  redis.call('PEXPIREAT', key, ARGV[2])
  ${counted ? 'live_set(key, ARGV[3], ARGV[2])' : ''}
end
return 'ok'
`;
}

export const patchScript = defineScript('patch', 2, patchSource(false));
export const patchIndexedScript = defineScript('patch+index', 3, patchSource(true));
export const patchCountedScript = defineScript('patch+live', 3, patchSource(false, true));
export const patchIndexedCountedScript = defineScript(
  'patch+index+live',
  4,
  patchSource(true, true),
);
