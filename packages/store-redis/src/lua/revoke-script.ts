import { defineScript } from '../run-script.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Revocation of one record, for `destroyUserSessions`. KEYS[1] the session hash, KEYS[2] its
 * revocation marker. ARGV[1] the user ID, ARGV[2] the marker's lifetime in ms.
 *
 * - `destroyed`: the record was bound to that user (its user field equals ARGV[1], byte for byte)
 *   and is now gone.
 * - `gone`: there was no record.
 * - `other`: the record is bound to someone else or to no one, and is left as it is.
 *
 * For `destroyed` and `gone` the key is also marked revoked for ARGV[2] ms (at least the longest
 * deadline of a write), so a create or a Cluster rotation copy of that key still on its way (a
 * sign-in that indexed the key before writing it, a re-sent create) answers `conflict` instead of
 * bringing the key back: once a key is reported revoked, no write to it applies.
 *
 * The counted variant (standalone Redis) also takes the live index as KEYS[3] and removes a
 * destroyed record from it (see `live-index.ts`).
 */
function revokeSource(counted: boolean): string {
  return `${LUA_PRELUDE}${counted ? LUA_LIVE_INDEX : ''}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
local outcome = 'gone'
if redis.call('HGET', key, FIELD_USER) == ARGV[1] then
  redis.call('UNLINK', key)
  ${counted ? 'live_remove(key)' : ''}
  outcome = 'destroyed'
elseif redis.call('EXISTS', key) == 1 then
  return 'other'
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return outcome
`;
}

export const revokeScript = defineScript('revoke', 2, revokeSource(false));
export const revokeCountedScript = defineScript('revoke+live', 3, revokeSource(true));
