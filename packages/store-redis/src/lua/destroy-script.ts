import { defineScript } from '../run-script.js';
import { LUA_LIVE_INDEX } from './live-index.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Destroy. KEYS[1] the session hash. `UNLINK`s it (freeing a large hash off Redis's main thread;
 * the key is gone for readers at once) and returns how many keys were removed. A script rather
 * than a bare `UNLINK` only so that, like every write, it changes nothing once its deadline has
 * passed: a logout reported as failed never takes effect later.
 *
 * The counted variant (standalone Redis) also takes the live index as KEYS[2] and removes the
 * record from it (see `live-index.ts`).
 */
function destroySource(counted: boolean): string {
  return `${LUA_PRELUDE}${counted ? LUA_LIVE_INDEX : ''}
if too_late() then return redis.error_reply(LATE) end
${counted ? 'live_remove(KEYS[1])' : ''}
return redis.call('UNLINK', KEYS[1])
`;
}

export const destroyScript = defineScript('destroy', 1, destroySource(false));
export const destroyCountedScript = defineScript('destroy+live', 2, destroySource(true));
