/**
 * Lua that keeps and reads a record's size (the `\0s` field, see `key-layout.ts`), shared by every
 * script that writes entries (create, patch, patchIf, rotate, the Cluster rotation copy) and by
 * touch. Needs the prelude.
 *
 * The measure is the contract's (`RecordLimits`): entries are the hash fields that do not start
 * with U+0000; bytes is the sum over them of the field's length plus the value's length. Lua's `#`
 * counts bytes, and the store holds keys and text values as the UTF-8 ioredis sends, so these are
 * UTF-8 lengths. A binary value is stored behind one marker byte 0x00 (see `value-form.ts`), which
 * `value_length` takes off: the measure counts the bytes alone, as the engine does. Values are
 * otherwise unframed (a per-key expiry lives in a field of its own). Entries past their per-key
 * expiry count until the engine's next write removes them, which the contract allows.
 *
 * Why the totals are stamped with the last write id: a write by a version of the store that does
 * not know the field (a rolling deploy) changes entries without updating it, but always pushes its
 * write id. Totals whose stamp is not the record's last write id are therefore never trusted: the
 * record is measured once by a full scan (as a hash written before this field existed is), and the
 * write stores fresh totals. Touch re-stamps current totals, so it does not cost the next patch a
 * scan.
 */
export const LUA_RECORD_SIZE = `
-- A stored value's length in the contract's measure: text counts its UTF-8 bytes, and bytes
-- (stored behind the marker 0x00, which UTF-8 codec text never starts with) count without it.
local function value_length(value)
  if string.byte(value, 1) == 0 then return #value - 1 end
  return #value
end

-- The last write id recorded in 'ops' ('' when none).
local function last_op(ops)
  if not ops or #ops < OP_ID_LENGTH then return '' end
  return string.sub(ops, -OP_ID_LENGTH)
end

-- The size field's text: the totals, stamped with the last write id of 'ops'.
local function size_text(bytes, keys, ops)
  return string.format('%.0f:%.0f:%s', bytes, keys, last_op(ops))
end

-- The totals stored in hash 'key', or nil when it has none or they are not current (stamped
-- with another write id than the last one in 'ops', its write ids). O(1).
local function stored_size(key, ops, text)
  if text == nil then text = redis.call('HGET', key, FIELD_SIZE) end
  if not text then return nil end
  local bytes, keys, stamp = string.match(text, '^(%d+):(%d+):(.*)$')
  if not bytes or stamp ~= last_op(ops) then return nil end
  return tonumber(bytes), tonumber(keys)
end

-- The totals of hash 'key' (bytes, entries): the stored ones when current, else measured by one
-- full scan (a record written before the size field existed, or by an older store version).
local function record_size(key, ops, text)
  local bytes, keys = stored_size(key, ops, text)
  if bytes then return bytes, keys end
  bytes, keys = 0, 0
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.byte(field, 1) ~= 0 then
      bytes = bytes + #field + value_length(redis.call('HGET', key, field))
      keys = keys + 1
    end
  end
  return bytes, keys
end

-- The length (see value_length) of the value of entry 'entry' in hash 'key', or false when it is
-- absent. One HGET, whatever the record's size: the value's first byte tells bytes from text,
-- which HSTRLEN cannot (reading it costs a copy of that one value, bounded by the limits).
local function entry_length(key, entry)
  local value = redis.call('HGET', key, entry)
  if not value then return false end
  return value_length(value)
end

-- Whether a write may leave a record of 'bytes' bytes and 'keys' entries, given the bounds
-- 'max_bytes' and 'max_keys' (decimal text, '' for none) and the record's size before the write:
-- within both bounds, or no larger in either measure than before (so a record already over its
-- bounds can always shrink back under them).
local function fits(bytes, keys, before_bytes, before_keys, max_bytes, max_keys)
  if (max_bytes == '' or bytes <= tonumber(max_bytes))
    and (max_keys == '' or keys <= tonumber(max_keys)) then
    return true
  end
  return bytes <= before_bytes and keys <= before_keys
end
`;
