import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
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

/** Bundles that may import Node built-ins (only `@hono/node-server` does). */
const NODE_BUNDLES: readonly BundleName[] = ['tests-node', 'demo-node'];

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
 * `node:` built-ins in the Node bundles), from the packages' TypeScript sources.
 */
export async function buildBundles(): Promise<BundleResult> {
  const all = await coreTestFiles();
  const files = all.filter((path) => CORE_TEST_EXCLUSIONS[path]?.on.length !== EVERY_BUNDLE);
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: ENTRIES,
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
    external: ['node:*'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [harnessPlugin(files)],
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
  return { coreTestFiles: files, metafile: result.metafile };
}
