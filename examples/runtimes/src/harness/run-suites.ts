import { coreTests } from 'virtual:core-tests';
import { type BundleKind, CORE_TEST_EXCLUSIONS } from '../runtimes.js';
import { registerHonoScenarios, type ServeApp } from '../suites/hono-scenarios.js';
import { collectFile, type RunReport, runCollected, type TestResult } from './vitest-shim.js';

export interface SuiteOptions {
  /** Which bundle this is, for the exclusion list. */
  readonly bundle: BundleKind;
  /** The runtime and its version, e.g. `bun 1.4.5`. */
  readonly runtime: string;
  /** The runtime's own HTTP servers to run the adapter scenarios over (besides in-process). */
  readonly servers: Record<string, ServeApp>;
  /** Prints a line of progress (failures and the summary). */
  readonly print: (line: string) => void;
}

/**
 * Collects core's bundled test files (less the ones excluded for this bundle) and the Hono
 * adapter scenarios, runs them in order, prints failures and the summary, and returns the report.
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
  await collectFile('packages/hono: adapter scenarios', async () =>
    registerHonoScenarios(options.servers),
  );
  const report = await runCollected(options.runtime, (result: TestResult) => {
    if (result.state === 'fail') print(`FAIL ${result.name}\n${indent(result.error ?? '')}`);
  });
  for (const error of report.errors) print(`ERROR ${indent(error)}`);
  print(summaryLines(report).join('\n'));
  return report;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Per-file counts, then the closing `N passed, N failed` line (errors outside tests count as failed). */
export function summaryLines(report: RunReport): string[] {
  const perFile = new Map<string, { pass: number; fail: number; skip: number }>();
  for (const result of report.results) {
    const file = result.name.split(' > ')[0] ?? '';
    const counts = perFile.get(file) ?? { pass: 0, fail: 0, skip: 0 };
    counts[result.state] += 1;
    perFile.set(file, counts);
  }
  const lines = [...perFile].map(
    ([file, c]) =>
      `  ${c.fail > 0 ? 'x' : '✓'} ${file} (${c.pass} passed${c.fail > 0 ? `, ${c.fail} failed` : ''}${c.skip > 0 ? `, ${c.skip} skipped` : ''})`,
  );
  const failed = report.failed + report.errors.length;
  lines.push(`${report.files} files on ${report.runtime}`);
  lines.push(
    `${report.passed} passed, ${failed} failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ''}`,
  );
  return lines;
}
