import { defineScript } from '../run-script.js';
import { LUA_PRELUDE } from './lua-prelude.js';

/**
 * Destroy. KEYS[1] the session hash. `UNLINK`s it (freeing a large hash off Redis's main thread;
 * the key is gone for readers at once) and returns how many keys were removed. A script rather
 * than a bare `UNLINK` only so that, like every write, it changes nothing once its deadline has
 * passed: a logout reported as failed never takes effect later.
 */
export const destroyScript = defineScript(
  'destroy',
  1,
  `${LUA_PRELUDE}
if too_late() then return redis.error_reply(LATE) end
return redis.call('UNLINK', KEYS[1])
`,
);
