import type { EncodedPatch } from '../encode-record.js';

/**
 * Lua that applies an encoded patch to an existing session hash, shared by the patch and the
 * standalone rotate scripts. Arguments: ARGV[1] write id, ARGV[2] PEXPIREAT instant, ARGV[3]
 * expiresAt, ARGV[4] clear ('1'/'0'), ARGV[5] meta JSON or '' (keep), ARGV[6] the bound user ID
 * or '' (read only with a meta), ARGV[7] number of removed keys, then the removed keys, then
 * `key, value, per-key expiry or ''` triples.
 *
 * Order matters: the internal fields are written first, so the hash never becomes empty midway
 * (an emptied hash would vanish and a later HSET would recreate it without a TTL). A new meta
 * replaces the bound user with it (set, or removed for a meta without one). Then `clear` and
 * `remove` (HDEL of the entries and their expiry fields), then `set` (HSET), exactly the
 * contract's order. The caller sets the key's expiry afterwards. Returns the updated write ids.
 */
export const LUA_APPLY_PATCH = `
local function is_entry_field(field)
  return string.byte(field, 1) ~= 0 or string.sub(field, 1, #ENTRY_EXPIRY) == ENTRY_EXPIRY
end

local function apply_patch(key)
  local ops = push_op(redis.call('HGET', key, FIELD_OPS), ARGV[1])
  redis.call('HSET', key, FIELD_EXPIRES_AT, ARGV[3], FIELD_OPS, ops)
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
  local removed = tonumber(ARGV[7])
  for i = 8, 7 + removed do
    doomed[#doomed + 1] = ARGV[i]
    doomed[#doomed + 1] = ENTRY_EXPIRY .. ARGV[i]
  end
  local writes = {}
  for i = 8 + removed, #ARGV, 3 do
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
export function patchArgs(opId: string, patch: EncodedPatch): string[] {
  return [
    opId,
    patch.expireAt,
    patch.expiresAt,
    patch.clear ? '1' : '0',
    patch.meta,
    patch.user,
    String(patch.remove.length),
    ...patch.remove,
    ...patch.set,
  ];
}
