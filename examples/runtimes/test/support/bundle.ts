import { readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { CORE_TEST_EXCLUSIONS } from '../../src/runtimes.js';
import { CORE_DIR, DIST_DIR, PACKAGE_DIR } from './paths.js';

/** The bundles: the test runner and the demo server of each kind of runtime. */
export const ENTRIES = {
  'tests-node': 'src/entries/tests-node.ts',
  'tests-bun': 'src/entries/tests-bun.ts',
  'tests-deno': 'src/entries/tests-deno.ts',
  'tests-workerd': 'src/entries/tests-workerd.ts',
  'demo-node': 'src/demo/serve-node.ts',
  'demo-bun': 'src/demo/serve-bun.ts',
  'demo-deno': 'src/demo/serve-deno.ts',
  'demo-workerd': 'src/demo/worker.ts',
  /** Deliberately failing tests through the harness (test/harness.test.ts checks its report). */
  'harness-selfcheck': 'test/fixtures/harness-selfcheck-entry.ts',
} as const;
export type BundleName = keyof typeof ENTRIES;

/**
 * The Redis bundles: the Hono scenarios and the demo on `@sessions/store-redis` over ioredis,
 * bundled in, for the runtimes that have Node's `node:net` (not workerd: see REDIS_NOT_APPLICABLE).
 */
export const REDIS_ENTRIES = {
  'redis-node': 'src/entries/redis-node.ts',
  'redis-bun': 'src/entries/redis-bun.ts',
  'redis-deno': 'src/entries/redis-deno.ts',
} as const;

/** Bundles that may import Node built-ins (only `@hono/node-server` does). */
const NODE_BUNDLES: readonly BundleName[] = ['tests-node', 'demo-node'];

/** Node's built-in modules, with and without `node:`. */
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * ioredis and its dependencies are CommonJS and `require()` Node built-ins by bare name (`net`,
 * `tls`, `crypto`, ...): leave them out of the bundle as `node:` imports, which Node, Bun and Deno
 * all resolve.
 */
const nodeBuiltinsPlugin: Plugin = {
  name: 'node-builtins',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?[a-z][a-z0-9_/]*$/ }, (args) =>
      BUILTINS.has(args.path)
        ? { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, external: true }
        : undefined,
    );
  },
};

/**
 * An ES module bundle has no `require`, which esbuild's output for CommonJS code calls for
 * external modules: give it Node's (`node:module` exists on Node, Bun and Deno).
 */
const REQUIRE_BANNER =
  "import { createRequire as __runtimesCreateRequire } from 'node:module';\nconst require = __runtimesCreateRequire(import.meta.url);";

/** A file excluded from this many bundle kinds is in no bundle at all. */
const EVERY_BUNDLE = 4;

async function coreTestFiles(): Promise<string[]> {
  const entries = await readdir(join(CORE_DIR, 'test'), { recursive: true });
  return entries
    .map((entry) => `test/${entry.split('\\').join('/')}`)
    .filter((path) => path.endsWith('.test.ts'))
    .sort();
}

/**
 * `vitest` resolves to the portable shim, and `virtual:core-tests` lists core's test files (less
 * the ones excluded everywhere), each loaded lazily so the runner scopes it to its own suite.
 */
function harnessPlugin(files: readonly string[]): Plugin {
  return {
    name: 'runtimes-harness',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^vitest$/ }, () => ({
        path: join(PACKAGE_DIR, 'src/harness/vitest-shim.ts'),
      }));
      pluginBuild.onResolve({ filter: /^virtual:core-tests$/ }, () => ({
        path: 'core-tests',
        namespace: 'runtimes-virtual',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'runtimes-virtual' }, () => ({
        resolveDir: CORE_DIR,
        loader: 'js',
        contents: `export const coreTests = [\n${files
          .map(
            (path) =>
              `  { path: ${JSON.stringify(path)}, load: () => import(${JSON.stringify(`./${path}`)}) },`,
          )
          .join('\n')}\n];\n`,
      }));
    },
  };
}

export interface BundleResult {
  /** Core test files in the bundles (some runtimes skip a few more: see CORE_TEST_EXCLUSIONS). */
  readonly coreTestFiles: readonly string[];
  readonly metafile: Metafile;
}

/**
 * Builds every bundle into `dist/` as a self-contained ES module (ES2022, no imports left but
 * `node:` built-ins in the Node bundles and the Redis bundles), from the packages' TypeScript
 * sources.
 */
export async function buildBundles(): Promise<BundleResult> {
  const all = await coreTestFiles();
  const files = all.filter((path) => CORE_TEST_EXCLUSIONS[path]?.on.length !== EVERY_BUNDLE);
  const common = {
    absWorkingDir: PACKAGE_DIR,
    outdir: DIST_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Print astral characters as surrogate pairs, never `\u{...}`: Deno 2.9's parser rejects a
    // lone high-surrogate escape followed by a `\u{...}` escape ("\uD800\u{10000}", which
    // esbuild makes of core's '\ud800\ud800\udc00' test string).
    supported: { 'unicode-escapes': false },
    mainFields: ['module', 'main'],
    conditions: ['@sessions/source'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
  } satisfies BuildOptions;
  const result = await build({
    ...common,
    entryPoints: ENTRIES,
    external: ['node:*'],
    plugins: [harnessPlugin(files)],
  });
  const redis = await build({
    ...common,
    entryPoints: REDIS_ENTRIES,
    banner: { js: REQUIRE_BANNER },
    plugins: [nodeBuiltinsPlugin, harnessPlugin([])],
  });
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (!output.endsWith('.mjs')) continue;
    const name = relative(relative(PACKAGE_DIR, DIST_DIR), output).replace(/\.mjs$/, '');
    const leftover = meta.imports.filter((entry) => entry.external).map((entry) => entry.path);
    const allowed = NODE_BUNDLES.includes(name as BundleName)
      ? leftover.filter((path) => !path.startsWith('node:'))
      : leftover;
    if (allowed.length > 0)
      throw new Error(
        `${output} imports ${allowed.join(', ')}: the runtime bundles must be self-contained and free of Node built-ins (a core test that needs Node belongs in CORE_TEST_EXCLUSIONS)`,
      );
  }
  for (const [output, meta] of Object.entries(redis.metafile.outputs)) {
    if (!output.endsWith('.mjs')) continue;
    const leftover = meta.imports
      .filter((entry) => entry.external && !BUILTINS.has(entry.path))
      .map((entry) => entry.path);
    if (leftover.length > 0)
      throw new Error(
        `${output} imports ${leftover.join(', ')}: the Redis bundles may import Node built-ins only (ioredis is bundled in)`,
      );
  }
  return { coreTestFiles: files, metafile: result.metafile };
}
