import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CORE_TEST_EXCLUSIONS } from '../src/runtimes.js';
import { checkDemoVisit } from './support/demo-flow.js';
import { DIST_DIR, PACKAGE_DIR } from './support/paths.js';
import { RuntimeProcess } from './support/processes.js';
import { binaryVersion, PINNED_PLATFORM, RUNTIMES, type Runtime } from './support/runtimes.js';

/**
 * Core's unit tests, the Hono adapter scenarios and a demo server on every runtime: each bundle
 * (built by the global setup) runs in the runtime's own binary, and the demo is checked from
 * outside over HTTP on 127.0.0.1.
 *
 * `TEST_RUNTIMES=bun,deno` narrows the list; by default every runtime runs. On linux-x64 (where the
 * runtime packages are pinned) a runtime that is not installed fails; elsewhere it is skipped.
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

/** Checks a suite run's printed report and shows its summary in Vitest's output. */
function expectCleanRun(runtime: Runtime, output: string): void {
  const summary = SUMMARY.exec(output);
  const files = FILES.exec(output);
  const tail = output
    .split('\n')
    .filter((line) => /^(runtime|excluded|\d+ (files|passed))/.test(line));
  console.log(`[${runtime.name}] ${tail.join(`\n[${runtime.name}] `)}`);
  expect(summary, `no summary line in:\n${output}`).not.toBeNull();
  expect(Number(summary?.[2]), output).toBe(0);
  expect(Number(summary?.[1])).toBeGreaterThan(0);
  expect(files?.[2]).toBe(runtime.identity);
  expect(Number(files?.[1]), 'every bundled test file ran').toBe(expectedFiles(runtime));
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
    const child = new RuntimeProcess(
      requireBinary(runtime),
      [...runtime.runArgs, join(DIST_DIR, `demo-${runtime.bundle}.mjs`)],
      { cwd: DIST_DIR },
    );
    try {
      const [, base = ''] = await child.waitFor(
        /listening on (http:\/\/127\.0\.0\.1:\d+)/,
        START_TIMEOUT_MS,
      );
      await checkDemoVisit(base, runtime.identity);
    } catch (error) {
      throw new Error(`${String(error)}\n--- ${runtime.name} output ---\n${child.output}`);
    } finally {
      await child.stop();
    }
  });
});

describe.runIf(workerd !== undefined)(`${workerd?.title ?? 'workerd'}`, () => {
  const runtime = workerd as Runtime;
  const run = runtime.binary !== undefined || PINNED_PLATFORM ? it : it.skip;
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
});
