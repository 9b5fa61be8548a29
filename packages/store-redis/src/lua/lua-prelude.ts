import {
  ENTRY_EXPIRY_PREFIX,
  FIELD_EXPIRES_AT,
  FIELD_META,
  FIELD_OPS,
  FIELD_SIZE,
  FIELD_USER,
  TOMBSTONE_TTL_MS,
} from '../key-layout.js';
import { OP_ID_LENGTH, OPS_KEPT } from '../op-id.js';

/** The error a script answers with when it reaches Redis after its operation's deadline. */
export const LATE_REPLY =
  'SESSIONS_LATE the write reached Redis after its deadline and changed nothing';

/** A Lua 5.1 string literal for ASCII text (control characters as decimal escapes). */
export function luaString(text: string): string {
  let literal = "'";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code > 126) throw new Error('luaString: ASCII only');
    literal +=
      code < 32 || char === "'" || char === '\\' ? `\\${String(code).padStart(3, '0')}` : char;
  }
  return `${literal}'`;
}

/**
 * Constants and helpers every script starts with. The field names come from `key-layout.ts`, so
 * the TypeScript and Lua sides cannot drift apart.
 *
 * Every script begins with `if too_late() then return redis.error_reply(LATE) end`. Why: a
 * deadline on the client alone cannot stop a command already sent, queued by ioredis during an
 * outage, or re-sent after a reconnect from running later, after the store reported the operation
 * as failed and a newer request may have written. Comparing Redis's clock with the deadline makes
 * a timed-out write either applied before its deadline or never. It assumes the app's and Redis's
 * clocks agree, as expiry already does.
 */
export const LUA_PRELUDE = `
-- Every script's first argument is its operation's deadline (epoch ms, the app's clock). It is
-- taken off ARGV here, so ARGV[1] onwards are the script's own arguments.
local DEADLINE = tonumber(table.remove(ARGV, 1))
local LATE = ${luaString(LATE_REPLY)}

-- Redis's clock in epoch ms.
local function now_ms()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end

-- True once Redis's clock has reached the deadline: the app has already reported the operation as
-- failed, so a script arriving now (queued during an outage, or re-sent after a reconnect) must
-- change nothing.
local function too_late()
  return now_ms() >= DEADLINE
end

local FIELD_META = ${luaString(FIELD_META)}
local FIELD_EXPIRES_AT = ${luaString(FIELD_EXPIRES_AT)}
local FIELD_OPS = ${luaString(FIELD_OPS)}
local FIELD_USER = ${luaString(FIELD_USER)}
local FIELD_SIZE = ${luaString(FIELD_SIZE)}
local ENTRY_EXPIRY = ${luaString(ENTRY_EXPIRY_PREFIX)}
local OP_ID_LENGTH = ${OP_ID_LENGTH}
local OPS_KEPT = ${OPS_KEPT}
local TOMBSTONE_TTL_MS = ${TOMBSTONE_TTL_MS}
local BATCH = 500

-- True when write id 'id' is among the recorded ids 'ops' (false when none are recorded).
local function has_op(ops, id)
  if not ops then return false end
  for i = 1, #ops, OP_ID_LENGTH do
    if string.sub(ops, i, i + OP_ID_LENGTH - 1) == id then return true end
  end
  return false
end

-- 'ops' with 'id' appended, keeping the last OPS_KEPT ids.
local function push_op(ops, id)
  local all = (ops or '') .. id
  local keep = OP_ID_LENGTH * OPS_KEPT
  if #all > keep then all = string.sub(all, -keep) end
  return all
end

-- Runs HSET or HDEL over list[first..last] in batches (unpack has a stack limit; BATCH is even,
-- so field/value pairs never straddle two batches).
local function batched(command, key, list, first, last)
  for i = first, last, BATCH do
    redis.call(command, key, unpack(list, i, math.min(i + BATCH - 1, last)))
  end
end
`;
