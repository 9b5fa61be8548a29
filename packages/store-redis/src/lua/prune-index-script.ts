import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Removes stale members from a user index and returns the members left. KEYS[1] the user index;
 * on a standalone Redis also KEYS[2..], the session hash of each checked member in order. ARGV[1]
 * the user ID, ARGV[2] the cutoff (epoch ms), ARGV[3] the number of members to remove outright,
 * then those members, then the members to check.
 *
 * Removed outright: members whose record `destroyUserSessions` has revoked or found absent (and
 * marked revoked, so no write can bring it back) and malformed members.
 *
 * A checked member (one whose record a read found absent, or bound elsewhere) is removed:
 *
 * - With the session hashes (standalone): if its record is not bound to the user now. Every write
 *   binding a record to a user adds it to the index in the same script, so a record unbound at
 *   this instant can only become bound again by a write that re-adds it: the removal is exact.
 * - Without (Cluster, where the index and the records live in different slots): if its score is
 *   at or before the cutoff. The score is the latest deadline of a write that indexed the member;
 *   that write's record script ran before its deadline or never. The caller passes as cutoff the
 *   instant its reads began, less a margin for clock skew, so each such write had landed before
 *   the read that found the member stale; any later write raised the score past the cutoff. A
 *   write still on its way (index updated, record not yet written) therefore never loses its
 *   entry; its member is removed by a later pass if it never lands.
 */
export const pruneIndexScript = defineScript(
  'prune-index',
  'some',
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
local index, user, cutoff, outright = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local doomed = {}
for i = 4, 3 + outright do doomed[#doomed + 1] = ARGV[i] end
local exact = #KEYS > 1
for i = 4 + outright, #ARGV do
  local member = ARGV[i]
  if exact then
    if redis.call('HGET', KEYS[i - 2 - outright], FIELD_USER) ~= user then
      doomed[#doomed + 1] = member
    end
  else
    local score = redis.call('ZSCORE', index, member)
    if score and tonumber(score) <= cutoff then doomed[#doomed + 1] = member end
  end
end
batched('ZREM', index, doomed, 1, #doomed)
return redis.call('ZRANGE', index, 0, -1)
`,
);
