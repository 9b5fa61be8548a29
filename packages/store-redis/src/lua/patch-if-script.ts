import type { EncodedCondition } from '../encode-record.js';
import { defineScript } from '../run-script.js';
import type { ValueArg } from '../value-form.js';
import { LUA_APPLY_PATCH } from './apply-patch.js';
import { LUA_INDEX_ADD, LUA_INDEXED_HEADER } from './index-add.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * The condition's three arguments, taken off the END of ARGV (after the indexed header has taken
 * the member off), so the rest reads exactly as {@link LUA_APPLY_PATCH} expects: the entry key,
 * '1' when the entry must hold a value ('0': it must be absent), and that value in its stored form
 * ('' when absent; bytes behind their marker, see `value-form.ts`, so text never equals bytes).
 */
const LUA_CONDITION_HEADER = `
local EXPECTED = table.remove(ARGV)
local EXPECT_PRESENT = table.remove(ARGV) == '1'
local CONDITION_KEY = table.remove(ARGV)

-- True when the entry CONDITION_KEY of hash 'key' is in the state the caller expects: holding
-- exactly EXPECTED (a byte comparison of stored forms), or absent. An entry whose per-key expiry
-- Redis's clock has reached counts as absent, with the same rule as a record's expiry (live while
-- now < expiresAt).
local function condition_holds(key)
  local current = redis.call('HGET', key, CONDITION_KEY)
  if current then
    local expiry = redis.call('HGET', key, ENTRY_EXPIRY .. CONDITION_KEY)
    if expiry and now_ms() >= tonumber(expiry) then current = false end
  end
  if EXPECT_PRESENT then return current == EXPECTED end
  return current == false
end
`;

/**
 * Conditional patch (compare-and-set on one entry, for `Session.update`). KEYS[1] the session
 * hash, KEYS[2] its rotation tombstone. ARGV as {@link LUA_APPLY_PATCH} reads them, followed by
 * the condition (see {@link conditionArgs}).
 *
 * - `missing` (nothing written) when the hash is gone, exactly as the patch script.
 * - `ok` without applying anything when the write id is already recorded (in the hash, or in the
 *   tombstone after a rotation): a re-sent copy of a conditional patch that applied. This comes
 *   before the condition on purpose: the first copy changed the entry, so the condition no longer
 *   holds, and answering `conflict` would make the engine retry an increment that already landed.
 * - `conflict` (nothing written, not even the expiry) when the entry does not hold what the
 *   caller expects.
 * - `too-large` (nothing written, likewise) when the patch would take the record past its limits.
 * - Otherwise the patch is applied and the expiry moved exactly as the patch script does, and `ok`.
 *
 * The check and the write are one script, so nothing can run in between. The indexed variant
 * (standalone Redis, a meta binding a user) also takes the user index as KEYS[3] and the store key
 * as the argument after the condition, and adds it to the index only when the patch applies.
 *
 * The counted variants (standalone Redis) also take the live index as the LAST key and move the
 * record's score there to its new expiry when the patch applies (see `live-index.ts`).
 */
function patchIfSource(indexed: boolean, counted = false): string {
  return `${LUA_PRELUDE}${LUA_APPLY_PATCH}${counted ? LUA_LIVE_INDEX : ''}${indexed ? `${LUA_INDEX_ADD}${LUA_INDEXED_HEADER}` : ''}${LUA_CONDITION_HEADER}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  if has_op(redis.call('GET', KEYS[2]), ARGV[1]) then return 'ok' end
  return 'missing'
end
local internal = read_internal(key)
if has_op(internal.ops, ARGV[1]) then return 'ok' end
if not condition_holds(key) then return 'conflict' end
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

export const patchIfScript = defineScript('patch-if', 2, patchIfSource(false));
export const patchIfIndexedScript = defineScript('patch-if+index', 3, patchIfSource(true));
export const patchIfCountedScript = defineScript('patch-if+live', 3, patchIfSource(false, true));
export const patchIfIndexedCountedScript = defineScript(
  'patch-if+index+live',
  4,
  patchIfSource(true, true),
);

/** The condition's script arguments, appended after the patch's (see {@link patchIfScript}). */
export function conditionArgs(condition: EncodedCondition): ValueArg[] {
  return condition.value === undefined
    ? [condition.key, '0', '']
    : [condition.key, '1', condition.value];
}
