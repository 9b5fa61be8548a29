import { defineScript } from '../run-script.js';
import { LUA_APPLY_PATCH } from './apply-patch.js';
import { LUA_INDEX_ADD, LUA_INDEXED_HEADER } from './index-add.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Atomic rotation for a standalone Redis (the keys are in different hash slots, which only
 * Cluster forbids). KEYS[1] the old hash, KEYS[2] the old hash's tombstone, KEYS[3] the new hash.
 * ARGV as {@link LUA_APPLY_PATCH} reads them.
 *
 * `missing` when the old hash is gone (nothing written), `conflict` when the new key is the old
 * one or holds a live record (nothing changed), `too-large` when the patch would take the record
 * past its limits (nothing changed). Otherwise the patch is applied in place, the hash
 * is renamed (keeping its TTL) and given the new expiry, and a tombstone with the moved record's
 * write ids is left in the old slot: a re-sent rotation then answers `ok` instead of `missing`,
 * which would make the engine drop the new cookie of a rotation that did happen.
 *
 * The indexed variant (the patch's meta binds a user) also takes the user index as KEYS[4] and
 * the new store key as the last argument, and adds it to the index when the rotation applies.
 * The old key's entry is left for listing to prune (its record is gone).
 *
 * The counted variants (the store always uses them: this script runs on standalone Redis only)
 * also take the live index as the LAST key, and move the record there from the old key name to
 * the new one with its new expiry (see `live-index.ts`).
 */
function rotateSource(indexed: boolean, counted = false): string {
  return `${LUA_PRELUDE}${LUA_APPLY_PATCH}${counted ? LUA_LIVE_INDEX : ''}${indexed ? `${LUA_INDEX_ADD}${LUA_INDEXED_HEADER}` : ''}
if too_late() then return redis.error_reply(LATE) end
local from, tombstone, to = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', from) == 0 then
  if has_op(redis.call('GET', tombstone), ARGV[1]) then return 'ok' end
  return 'missing'
end
if from == to or redis.call('EXISTS', to) == 1 then return 'conflict' end
local plan = plan_patch(from, read_internal(from))
if not plan then return 'too-large' end
${indexed ? 'index_add(INDEX, MEMBER, ARGV[2])' : ''}
local ops = apply_patch(from, plan)
redis.call('SET', tombstone, ops, 'PX', TOMBSTONE_TTL_MS)
redis.call('RENAME', from, to)
redis.call('PEXPIREAT', to, ARGV[2])
${counted ? 'live_remove(from)\nlive_set(to, ARGV[3], ARGV[2])' : ''}
return 'ok'
`;
}

export const rotateScript = defineScript('rotate', 3, rotateSource(false));
export const rotateIndexedScript = defineScript('rotate+index', 4, rotateSource(true));
export const rotateCountedScript = defineScript('rotate+live', 4, rotateSource(false, true));
export const rotateIndexedCountedScript = defineScript(
  'rotate+index+live',
  5,
  rotateSource(true, true),
);
