import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import { createDemo } from '../demo/app.js';
import { exitCode, runAndPrint } from '../harness/report.js';
import { collectFile, recordUnhandledError } from '../harness/vitest-shim.js';
import type { Platform } from '../platform/platform.js';
import { REDIS_STORE_NAME, scenariosFileOn } from '../runtimes.js';
import { registerHonoScenarios, runtimeServers } from '../suites/hono-scenarios.js';

const USAGE = '<bundle> scenarios|demo <redis-url> <key-prefix>';

/**
 * Connects to Redis with the client options `@sessions/store-redis` recommends (fail fast, keep
 * reconnecting). The first connection must succeed: the host checked Redis before starting us.
 */
async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot connect to Redis at ${url}`, { cause: error });
  }
  return client;
}

/**
 * The main of the Redis bundles (`redis-node`, `redis-bun`, `redis-deno`), which bundle ioredis and
 * `@sessions/store-redis` (so, unlike the other bundles, they import Node built-ins: `node:net`,
 * `node:crypto`, ...). Every key goes under `<key-prefix>`, which the host removes afterwards.
 *
 * - `scenarios`: the Hono adapter scenarios on the Redis store, in process and over the runtime's
 *   own server; the report goes to stdout as in the other test bundles, then the process exits.
 * - `demo`: the Hono demo on the Redis store, on 127.0.0.1, until killed.
 */
export async function runRedisEntry(platform: Platform): Promise<void> {
  const [mode, url, prefix] = platform.args;
  if ((mode !== 'scenarios' && mode !== 'demo') || !url || !prefix)
    throw new Error(`usage: ${USAGE} (got: ${platform.args.join(' ')})`);
  const client = await connect(url);

  if (mode === 'demo') {
    const app = createDemo(platform.runtime, createRedisStore(client, { prefix }));
    const { origin } = await platform.listen(app.fetch);
    console.log(`listening on ${origin}`);
    return;
  }

  platform.catchUnhandled(recordUnhandledError);
  const print = (line: string) => console.log(line);
  print(`runtime: ${platform.runtime}`);
  print(`store: @sessions/store-redis on ioredis, ${url}, keys under ${prefix}`);
  await collectFile(scenariosFileOn(REDIS_STORE_NAME), async () =>
    registerHonoScenarios(runtimeServers(platform), {
      name: REDIS_STORE_NAME,
      // One store per scenario over the shared client; Redis compares expiry with its own clock.
      options: { store: () => createRedisStore(client, { prefix }), usesClock: false },
    }),
  );
  const report = await runAndPrint({ runtime: platform.runtime, print });
  await client.quit();
  platform.exit(exitCode(report));
}
