import type { EncodedPatch } from '../encode-record.js';
import type { ValueArg } from '../value-form.js';
import { LUA_RECORD_SIZE } from './record-size.js';

/**
 * Lua that measures and applies an encoded patch to an existing session hash, shared by the patch,
 * patchIf and standalone rotate scripts. Needs the prelude. Arguments: ARGV[1] write id, ARGV[2]
 * PEXPIREAT instant, ARGV[3] expiresAt, ARGV[4] clear ('1'/'0'), ARGV[5] meta JSON or '' (keep),
 * ARGV[6] the bound user ID or '' (read only with a meta), ARGV[7] the most bytes and ARGV[8] the
 * most entries the record may hold afterwards ('' for no bound), ARGV[9] number of removed keys,
 * then the removed keys, then `key, value, per-key expiry or ''` triples.
 *
 * `plan_patch` comes first and writes nothing: it computes the record's size after the patch from
 * the stored totals (see `record-size.ts`) and the old and new lengths of the changed entries
 * only, one `HGET` each, so its cost does not grow with the record. It answers nil when the
 * patch would take the record past a bound (and grow it), so the caller can answer `too-large`
 * having written nothing at all: no entry, expiry, meta or index.
 *
 * `apply_patch` then writes. Order matters: the internal fields are written first, so the hash
 * never becomes empty midway (an emptied hash would vanish and a later HSET would recreate it
 * without a TTL). A new meta replaces the bound user with it (set, or removed for a meta without
 * one). Then `clear` and `remove` (HDEL of the entries and their expiry fields), then `set`
 * (HSET), exactly the contract's order. The caller sets the key's expiry afterwards. Returns the
 * updated write ids.
 */
export const LUA_APPLY_PATCH = `${LUA_RECORD_SIZE}
local function is_entry_field(field)
  return string.byte(field, 1) ~= 0 or string.sub(field, 1, #ENTRY_EXPIRY) == ENTRY_EXPIRY
end

-- The internal fields a patch reads, in one call: write ids, size totals and expiry (false when
-- absent).
local function read_internal(key)
  local got = redis.call('HMGET', key, FIELD_OPS, FIELD_SIZE, FIELD_EXPIRES_AT)
  return { ops = got[1], size = got[2], expires_at = got[3] }
end

local function plan_patch(key, internal)
  local ops = internal.ops
  local before_bytes, before_keys = record_size(key, ops, internal.size)
  local clear = ARGV[4] == '1'
  local bytes, keys = before_bytes, before_keys
  if clear then bytes, keys = 0, 0 end
  -- Value length of each entry already taken into account: false once absent.
  local lengths = {}
  local function take(entry)
    local length = lengths[entry]
    if length == nil then length = (not clear) and entry_length(key, entry) end
    if length then
      bytes = bytes - #entry - length
      keys = keys - 1
    end
    lengths[entry] = false
  end
  local removed = tonumber(ARGV[9])
  for i = 10, 9 + removed do take(ARGV[i]) end
  for i = 10 + removed, #ARGV, 3 do
    take(ARGV[i])
    local length = value_length(ARGV[i + 1])
    bytes = bytes + #ARGV[i] + length
    keys = keys + 1
    lengths[ARGV[i]] = length
  end
  if not fits(bytes, keys, before_bytes, before_keys, ARGV[7], ARGV[8]) then return nil end
  -- The same expiry as stored (a write within the touch interval): the key's TTL and the live
  -- index already say so, and need no write.
  return { ops = ops, bytes = bytes, keys = keys, same_expiry = internal.expires_at == ARGV[3] }
end

local function apply_patch(key, plan)
  local ops = push_op(plan.ops, ARGV[1])
  redis.call('HSET', key, FIELD_EXPIRES_AT, ARGV[3], FIELD_OPS, ops,
    FIELD_SIZE, size_text(plan.bytes, plan.keys, ops))
  if ARGV[5] ~= '' then
    redis.call('HSET', key, FIELD_META, ARGV[5])
    if ARGV[6] == '' then
      redis.call('HDEL', key, FIELD_USER)
    else
      redis.call('HSET', key, FIELD_USER, ARGV[6])
    end
  end
  local doomed = {}
  if ARGV[4] == '1' then
    for _, field in ipairs(redis.call('HKEYS', key)) do
      if is_entry_field(field) then doomed[#doomed + 1] = field end
    end
  end
  local removed = tonumber(ARGV[9])
  for i = 10, 9 + removed do
    doomed[#doomed + 1] = ARGV[i]
    doomed[#doomed + 1] = ENTRY_EXPIRY .. ARGV[i]
  end
  local writes = {}
  for i = 10 + removed, #ARGV, 3 do
    writes[#writes + 1] = ARGV[i]
    writes[#writes + 1] = ARGV[i + 1]
    if ARGV[i + 2] == '' then
      doomed[#doomed + 1] = ENTRY_EXPIRY .. ARGV[i]
    else
      writes[#writes + 1] = ENTRY_EXPIRY .. ARGV[i]
      writes[#writes + 1] = ARGV[i + 2]
    end
  end
  batched('HDEL', key, doomed, 1, #doomed)
  batched('HSET', key, writes, 1, #writes)
  return ops
end
`;

/** Script arguments for an encoded patch, in the order {@link LUA_APPLY_PATCH} reads them. */
export function patchArgs(opId: string, patch: EncodedPatch): ValueArg[] {
  return [
    opId,
    patch.expireAt,
    patch.expiresAt,
    patch.clear ? '1' : '0',
    patch.meta,
    patch.user,
    patch.maxBytes,
    patch.maxKeys,
    String(patch.remove.length),
    ...patch.remove,
    ...patch.set,
  ];
}
