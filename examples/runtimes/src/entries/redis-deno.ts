import { platform } from '../platform/deno.js';
import { runRedisEntry } from '../redis/entry.js';

/**
 * The Redis bundle for Deno: `deno run --allow-net=127.0.0.1,<redis host:port> --allow-env
 * redis-deno.mjs scenarios|demo <url> <prefix>` (see test/support/runtimes.ts for why each flag).
 */
await runRedisEntry(platform);
