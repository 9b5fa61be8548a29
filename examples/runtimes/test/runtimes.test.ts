import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { adapterScenarios, type ScenarioStoreOptions, scenarioSkipReason } from '@sessions/testing';
import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from 'vitest';
import {
  CORE_TEST_EXCLUSIONS,
  REDIS_NOT_APPLICABLE,
  REDIS_STORE_NAME,
  scenariosFileOn,
} from '../src/runtimes.js';
import { checkDemoVisit } from './support/demo-flow.js';
import { DIST_DIR, PACKAGE_DIR } from './support/paths.js';
import { RuntimeProcess } from './support/processes.js';
import {
  closeHostRedis,
  deleteKeysUnder,
  hostRedis,
  keysUnder,
  REDIS_URL,
  RUN_PREFIX,
} from './support/redis.js';
import { binaryVersion, PINNED_PLATFORM, RUNTIMES, type Runtime } from './support/runtimes.js';

/**
 * Core's unit tests, the Hono adapter scenarios and a demo server on every runtime: each bundle
 * (built by the global setup) runs in the runtime's own binary, and the demo is checked from
 * outside over HTTP on 127.0.0.1. Then the scenarios and the demo again on the Redis store
 * (`@sessions/store-redis` over ioredis, bundled in) wherever it can run, against the Redis at
 * REDIS_URL under a key prefix unique to this run, removed afterwards; workerd lists both as
 * skipped, with the reason (REDIS_NOT_APPLICABLE).
 *
 * `TEST_RUNTIMES=bun,deno` narrows the list; by default every runtime runs. On linux-x64 (where the
 * runtime packages are pinned) a runtime that is not installed fails; elsewhere it is skipped.
 * Without a Redis, the Redis tests are skipped with the reason, except in CI, where they fail.
 */
const selected = (() => {
  const raw = process.env.TEST_RUNTIMES?.trim();
  if (!raw) return RUNTIMES;
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !RUNTIMES.some((runtime) => runtime.name === name));
  if (unknown.length > 0)
    throw new Error(
      `TEST_RUNTIMES=${raw}: expected some of ${RUNTIMES.map((r) => r.name).join(',')}`,
    );
  return RUNTIMES.filter((runtime) => names.includes(runtime.name));
})();

/** A whole suite run takes ~4 s on one core; allow for a loaded 2-core machine. */
const SUITE_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 20_000;

const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m;
const FILES = /^(\d+) files on (.+)$/m;

/** Files each run must report: core's bundled test files for that runtime, plus the scenarios. */
function expectedFiles(runtime: Runtime): number {
  const core = inject('coreTestFiles').filter(
    (path) => !CORE_TEST_EXCLUSIONS[path]?.on.includes(runtime.bundle),
  );
  return core.length + 1;
}

/** Shows a run's header, exclusions, skips and summary in Vitest's output. */
function showSummary(runtime: Runtime, output: string): void {
  const tail = output
    .split('\n')
    .filter((line) => /^(runtime|store|excluded|SKIP|\d+ (files|passed))/.test(line));
  console.log(`[${runtime.name}] ${tail.join(`\n[${runtime.name}] `)}`);
}

/** Checks a suite run's printed report and shows its summary in Vitest's output. */
function expectCleanRun(runtime: Runtime, output: string): void {
  const summary = SUMMARY.exec(output);
  const files = FILES.exec(output);
  showSummary(runtime, output);
  expect(summary, `no summary line in:\n${output}`).not.toBeNull();
  expect(Number(summary?.[2]), output).toBe(0);
  expect(Number(summary?.[1])).toBeGreaterThan(0);
  expect(files?.[2]).toBe(runtime.identity);
  expect(Number(files?.[1]), 'every bundled test file ran').toBe(expectedFiles(runtime));
}

/** How the Redis pass declares its store (the host never builds one: the bundle does). */
const REAL_CLOCK_STORE: ScenarioStoreOptions = {
  store: () => {
    throw new Error('the host builds no store');
  },
  usesClock: false,
};

/** The scenarios that cannot run on a store keeping real time, with the reason each gives. */
const REAL_CLOCK_SKIPS = adapterScenarios.flatMap((scenario) => {
  const reason = scenarioSkipReason(scenario, REAL_CLOCK_STORE);
  return reason === undefined ? [] : [{ name: scenario.name, reason }];
});

/**
 * Checks the Redis pass's report: one file, every scenario passed in both suites (in process and
 * over the runtime's server) but the ones that need a manual clock, each reported as skipped in
 * both with its reason.
 */
function expectRedisRun(runtime: Runtime, output: string): void {
  const summary = SUMMARY.exec(output);
  const files = FILES.exec(output);
  showSummary(runtime, output);
  expect(summary, `no summary line in:\n${output}`).not.toBeNull();
  expect(Number(summary?.[2]), output).toBe(0);
  const suites = 2;
  expect(Number(summary?.[1]), output).toBe(
    (adapterScenarios.length - REAL_CLOCK_SKIPS.length) * suites,
  );
  expect(Number(summary?.[3] ?? 0), output).toBe(REAL_CLOCK_SKIPS.length * suites);
  expect(files?.[2]).toBe(runtime.identity);
  expect(Number(files?.[1])).toBe(1);
  const file = scenariosFileOn(REDIS_STORE_NAME);
  // `SKIP <file> > adapter scenarios: hono (<server>) on <store> > <scenario> (<reason>)`
  const skips = output
    .split('\n')
    .filter((line) => line.startsWith('SKIP '))
    .map((line) => {
      const suite = /^SKIP (.+?) > adapter scenarios: hono \((.+?)\) on (.+?) > /.exec(line);
      expect(suite?.[1], line).toBe(file);
      expect(suite?.[3], line).toBe(REDIS_STORE_NAME);
      const rest = line.slice(suite?.[0].length ?? 0);
      const skip = REAL_CLOCK_SKIPS.find((s) => rest === `${s.name} (${s.reason})`);
      expect(skip, `an unexpected skip, or one without its reason: ${line}`).toBeDefined();
      return `${suite?.[2]} > ${skip?.name}`;
    });
  expect(skips).toHaveLength(REAL_CLOCK_SKIPS.length * suites);
  expect(new Set(skips).size, 'each clock scenario skipped once in each suite').toBe(
    REAL_CLOCK_SKIPS.length * suites,
  );
}

/**
 * The host's Redis connection, or a skip (with the reason) when there is none outside CI; in CI
 * a missing Redis throws.
 */
async function redisOrSkip(runtime: Runtime, context: TestContext) {
  const redis = await hostRedis();
  if (typeof redis !== 'string') return redis;
  console.log(`[${runtime.name}] Redis store skipped: ${redis}`);
  return context.skip(redis);
}

/** Starts a demo server bundle and makes the visit over HTTP; `after` runs while it serves. */
async function checkDemo(
  runtime: Runtime,
  args: readonly string[],
  after: () => Promise<void> = async () => undefined,
): Promise<void> {
  const child = new RuntimeProcess(requireBinary(runtime), args, { cwd: DIST_DIR });
  try {
    const [, base = ''] = await child.waitFor(
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      START_TIMEOUT_MS,
    );
    await checkDemoVisit(base, runtime.identity);
    await after();
  } catch (error) {
    throw new Error(`${String(error)}\n--- ${runtime.name} output ---\n${child.output}`);
  } finally {
    await child.stop();
  }
}

function requireBinary(runtime: Runtime): string {
  if (runtime.binary === undefined)
    throw new Error(`${runtime.title} is not installed: run pnpm install (on linux-x64)`);
  return runtime.binary;
}

const scripted = selected.filter((runtime) => runtime.bundle !== 'workerd');
const workerd = selected.find((runtime) => runtime.bundle === 'workerd');

describe.each(scripted.map((runtime) => [runtime.title, runtime] as const))('%s', (_, runtime) => {
  const run = runtime.binary !== undefined || PINNED_PLATFORM ? it : it.skip;

  run("runs core's unit tests and the Hono adapter scenarios", async () => {
    const child = new RuntimeProcess(
      requireBinary(runtime),
      [...runtime.runArgs, join(DIST_DIR, `tests-${runtime.bundle}.mjs`)],
      { cwd: DIST_DIR },
    );
    const { code, output } = await child.finish(SUITE_TIMEOUT_MS);
    expectCleanRun(runtime, output);
    expect(code, output).toBe(0);
  });

  run('serves the Hono demo on 127.0.0.1: sign in, count, sign out', async () => {
    await checkDemo(runtime, [...runtime.runArgs, join(DIST_DIR, `demo-${runtime.bundle}.mjs`)]);
  });

  /** The Redis bundle's command line: `<runtime> <args> redis-<bundle>.mjs <mode> <url> <prefix>`. */
  const redisCommand = (mode: 'scenarios' | 'demo', prefix: string): string[] => {
    const args = runtime.redisRunArgs?.(new URL(REDIS_URL));
    if (args === undefined) throw new Error(`${runtime.name}: no way to run the Redis bundle`);
    return [...args, join(DIST_DIR, `redis-${runtime.bundle}.mjs`), mode, REDIS_URL, prefix];
  };

  run('runs the Hono adapter scenarios on the Redis store', async (context) => {
    const redis = await redisOrSkip(runtime, context);
    const prefix = `${RUN_PREFIX}${runtime.name}:scenarios:`;
    try {
      const child = new RuntimeProcess(requireBinary(runtime), redisCommand('scenarios', prefix), {
        cwd: DIST_DIR,
      });
      const { code, output } = await child.finish(SUITE_TIMEOUT_MS);
      expectRedisRun(runtime, output);
      expect(code, output).toBe(0);
      const keys = await keysUnder(redis, prefix);
      expect(keys.length, 'the scenarios kept their sessions in Redis').toBeGreaterThan(0);
    } finally {
      await deleteKeysUnder(redis, prefix);
    }
  });

  run('serves the Hono demo on the Redis store: sign in, count, sign out', async (context) => {
    const redis = await redisOrSkip(runtime, context);
    const prefix = `${RUN_PREFIX}${runtime.name}:demo:`;
    try {
      await checkDemo(runtime, redisCommand('demo', prefix), async () => {
        const keys = await keysUnder(redis, prefix);
        expect(keys.length, 'the demo keeps its sessions in Redis').toBeGreaterThan(0);
      });
    } finally {
      await deleteKeysUnder(redis, prefix);
    }
  });
});

afterAll(closeHostRedis);

describe.runIf(workerd !== undefined)(`${workerd?.title ?? 'workerd'}`, () => {
  const runtime = workerd as Runtime;
  // Vitest collects a skipped describe's body too: `workerd` is undefined when TEST_RUNTIMES
  // leaves it out.
  const run = workerd?.binary !== undefined || PINNED_PLATFORM ? it : it.skip;
  let server: RuntimeProcess | undefined;
  const ports = new Map<string, number>();

  /** `workerd serve` with both Workers; the control descriptor reports the ports it bound. */
  beforeAll(async () => {
    if (runtime.binary === undefined) return;
    console.log(`[workerd] ${binaryVersion(runtime)}`);
    server = new RuntimeProcess(
      runtime.binary,
      [
        'serve',
        join(PACKAGE_DIR, 'workerd/config.capnp'),
        '--socket-addr',
        'tests=127.0.0.1:0',
        '--socket-addr',
        'demo=127.0.0.1:0',
        '--control-fd',
        '3',
      ],
      { cwd: PACKAGE_DIR, extraFds: true },
    );
    const control = server.control;
    if (control === undefined) throw new Error('workerd: no control descriptor');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listening = new Promise<void>((resolve, reject) => {
      createInterface({ input: control }).on('line', (line) => {
        const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (event.event === 'listen' && event.socket && event.port)
          ports.set(event.socket, event.port);
        if (ports.has('tests') && ports.has('demo')) resolve();
      });
      void server?.exited.then(() => reject(new Error(`workerd exited:\n${server?.output}`)));
      timer = setTimeout(
        () => reject(new Error(`workerd did not listen:\n${server?.output}`)),
        START_TIMEOUT_MS,
      );
    });
    try {
      await listening;
    } finally {
      clearTimeout(timer);
    }
  }, START_TIMEOUT_MS + 5_000);

  afterAll(async () => {
    await server?.stop();
  });

  run(
    "runs core's unit tests and the Hono adapter scenarios (in a Worker's fetch handler)",
    async () => {
      requireBinary(runtime);
      const response = await fetch(`http://127.0.0.1:${ports.get('tests')}/run`, {
        signal: AbortSignal.timeout(SUITE_TIMEOUT_MS),
      });
      const text = await response.text();
      expect(response.status, `${text}\n${server?.output}`).toBe(200);
      const { output } = JSON.parse(text) as { output: string[] };
      expectCleanRun(runtime, output.join('\n'));
    },
  );

  run('serves the Hono demo on 127.0.0.1: sign in, count, sign out', async () => {
    requireBinary(runtime);
    try {
      await checkDemoVisit(`http://127.0.0.1:${ports.get('demo')}`, runtime.identity);
    } catch (error) {
      throw new Error(`${String(error)}\n--- workerd output ---\n${server?.output}`);
    }
  });

  // Listed, never silently missing: the Redis store cannot run here (REDIS_NOT_APPLICABLE).
  const notApplicable = REDIS_NOT_APPLICABLE.workerd ?? '';
  it('runs the Hono adapter scenarios on the Redis store', (context) => {
    console.log(`[workerd] Redis store: ${notApplicable}`);
    context.skip(notApplicable);
  });
  it('serves the Hono demo on the Redis store: sign in, count, sign out', (context) => {
    context.skip(notApplicable);
  });
});
