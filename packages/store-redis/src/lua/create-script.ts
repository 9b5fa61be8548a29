import type { EncodedRecord } from '../encode-record.js';
import { defineScript } from '../run-script.js';
import type { ValueArg } from '../value-form.js';
import { LUA_INDEX_ADD, LUA_INDEXED_HEADER } from './index-add.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';
import { LUA_RECORD_SIZE } from './record-size.js';

/**
 * Insert-only create. KEYS[1] the session hash, KEYS[2] its revocation marker. ARGV[1] write id,
 * ARGV[2] PEXPIREAT instant, ARGV[3] meta JSON, ARGV[4] expiresAt, ARGV[5] the bound user ID or
 * '', then entry `field, value` pairs. Returns `created` or `conflict`; a re-sent create finds
 * its own write id and answers `created` again. A key revoked by `destroyUserSessions` moments
 * ago is a `conflict` too, so a create still in flight cannot bring it back.
 *
 * The record's size totals (see `record-size.ts`) are measured from the entry pairs and stored
 * with the other internal fields; a create carries no limits (the engine checks whole records).
 *
 * The internal fields go first and the expiry is set at once, so the key is never without a TTL
 * even if a later HSET failed; an instant already past deletes the key, and nothing more is
 * written (the record is created expired, that is, absent).
 *
 * The indexed variant (standalone Redis, bound record) also takes the user index as KEYS[3] and
 * the store key as the last argument, and adds it to the index in the same script.
 *
 * The counted variants (standalone Redis) also take the live index as the LAST key (after the
 * user index), add the record to it and prune a few expired members (see `live-index.ts`).
 */
function createSource(indexed: boolean, counted = false): string {
  return `${LUA_PRELUDE}${LUA_RECORD_SIZE}${counted ? LUA_LIVE_INDEX : ''}${indexed ? `${LUA_INDEX_ADD}${LUA_INDEXED_HEADER}` : ''}
if too_late() then return redis.error_reply(LATE) end
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if has_op(redis.call('HGET', key, FIELD_OPS), ARGV[1]) then return 'created' end
  return 'conflict'
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'conflict' end
${indexed ? 'index_add(INDEX, MEMBER, ARGV[2])' : ''}
local bytes, keys = 0, 0
for i = 6, #ARGV, 2 do
  if string.byte(ARGV[i], 1) ~= 0 then
    bytes = bytes + #ARGV[i] + value_length(ARGV[i + 1])
    keys = keys + 1
  end
end
redis.call('HSET', key, FIELD_META, ARGV[3], FIELD_EXPIRES_AT, ARGV[4], FIELD_OPS, ARGV[1],
  FIELD_SIZE, size_text(bytes, keys, ARGV[1]))
if ARGV[5] ~= '' then redis.call('HSET', key, FIELD_USER, ARGV[5]) end
redis.call('PEXPIREAT', key, ARGV[2])
if redis.call('EXISTS', key) == 1 then batched('HSET', key, ARGV, 6, #ARGV) end
${counted ? "if redis.call('EXISTS', key) == 1 then live_set(key, ARGV[4], ARGV[2]) end\nlive_prune()" : ''}
return 'created'
`;
}

export const createScript = defineScript('create', 2, createSource(false));
export const createIndexedScript = defineScript('create+index', 3, createSource(true));
export const createCountedScript = defineScript('create+live', 3, createSource(false, true));
export const createIndexedCountedScript = defineScript(
  'create+index+live',
  4,
  createSource(true, true),
);

/** Script arguments for an encoded record, in the order the create scripts read them. */
export function createArgs(opId: string, record: EncodedRecord): ValueArg[] {
  return [opId, record.expireAt, record.meta, record.expiresAt, record.user, ...record.fields];
}
