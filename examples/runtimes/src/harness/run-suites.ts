import { coreTests } from 'virtual:core-tests';
import type { Platform } from '../platform/platform.js';
import { type BundleKind, CORE_TEST_EXCLUSIONS, SCENARIOS_FILE } from '../runtimes.js';
import { registerHonoScenarios, runtimeServers, type ServeApp } from '../suites/hono-scenarios.js';
import { exitCode, type ReportOptions, runAndPrint } from './report.js';
import { collectFile, type RunReport, recordUnhandledError } from './vitest-shim.js';

export interface SuiteOptions extends ReportOptions {
  /** Which bundle this is, for the exclusion list. */
  readonly bundle: BundleKind;
  /** The runtime's own HTTP servers to run the adapter scenarios over (besides in-process). */
  readonly servers: Record<string, ServeApp>;
}

/**
 * Collects core's bundled test files (less the ones excluded for this bundle) and the Hono
 * adapter scenarios on the memory store, runs them in order, prints failures and the summary,
 * and returns the report.
 */
export async function runSuites(options: SuiteOptions): Promise<RunReport> {
  const { print } = options;
  print(`runtime: ${options.runtime}`);
  for (const test of coreTests) {
    const excluded = CORE_TEST_EXCLUSIONS[test.path];
    if (excluded?.on.includes(options.bundle)) {
      print(`excluded: packages/core/${test.path} (${excluded.reason})`);
      continue;
    }
    await collectFile(`packages/core/${test.path}`, test.load);
  }
  await collectFile(SCENARIOS_FILE, async () => registerHonoScenarios(options.servers));
  return runAndPrint(options);
}

/**
 * The test bundle's main on a script runtime: core's tests and the memory-store scenarios, the
 * report printed to stdout, and a non-zero exit on a failure.
 */
export async function runSuitesOn(platform: Platform): Promise<void> {
  platform.catchUnhandled(recordUnhandledError);
  const report = await runSuites({
    bundle: platform.bundle,
    runtime: platform.runtime,
    servers: runtimeServers(platform),
    print: (line) => console.log(line),
  });
  platform.exit(exitCode(report));
}
