import { platform } from '../platform/node.js';
import { runRedisEntry } from '../redis/entry.js';

/** The Redis bundle for Node (20 and 24): `node redis-node.mjs scenarios|demo <url> <prefix>`. */
await runRedisEntry(platform);
