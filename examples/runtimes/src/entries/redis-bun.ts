import { platform } from '../platform/bun.js';
import { runRedisEntry } from '../redis/entry.js';

/** The Redis bundle for Bun: `bun run redis-bun.mjs scenarios|demo <url> <prefix>`. */
await runRedisEntry(platform);
