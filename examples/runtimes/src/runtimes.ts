/** Which kind of bundle a runtime loads (Node 20 and Node 24 run the same bundles). */
export type BundleKind = 'node' | 'bun' | 'deno' | 'workerd';

/**
 * Core's test files (paths relative to `packages/core`) left out of the runtime bundles, with
 * the bundles that leave them out and why. Every other `test/**\/*.test.ts` file of core is
 * bundled and run on every runtime, so a new test file joins automatically; one that imports a
 * `node:` module fails the bundle build until it is made portable or listed here.
 */
export const CORE_TEST_EXCLUSIONS: Record<
  string,
  { readonly on: readonly BundleKind[]; readonly reason: string }
> = {
  'test/types/register.test.ts': {
    on: ['node', 'bun', 'deno', 'workerd'],
    reason:
      'compiles a type fixture by spawning tsc (node:child_process): it checks types, not run-time behaviour, and Vitest runs it on Node',
  },
  'test/store/with-deadline.test.ts': {
    on: ['workerd'],
    reason:
      "watches for unhandled rejections with Node's process.on('unhandledRejection'), and workerd without nodejs_compat has no process global",
  },
};

/** The scenario suite's file name in a report: on the memory store, and on another store. */
export const SCENARIOS_FILE = 'packages/hono: adapter scenarios';
export const scenariosFileOn = (storeName: string): string => `${SCENARIOS_FILE} on ${storeName}`;

/** How the Redis pass names its store (in suite names and in the report). */
export const REDIS_STORE_NAME = 'the Redis store';

/**
 * Bundle kinds where the Redis store cannot run, and why: the host test lists each as a skipped
 * test with this reason, so the combination is never silently missing.
 */
export const REDIS_NOT_APPLICABLE: Partial<Record<BundleKind, string>> = {
  workerd:
    'not applicable: ioredis opens its TCP connection with node:net (and node:tls, node:dns), which workerd provides only under the nodejs_compat flag, and the workerd run deliberately has no compatibility flags (it proves core and the Hono adapter need no Node APIs); a Worker would reach Redis through another client (cloudflare:sockets, or Redis over HTTP)',
};
