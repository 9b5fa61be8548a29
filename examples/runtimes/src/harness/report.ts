import { type RunReport, runCollected, type TestResult } from './vitest-shim.js';

/** The runtime being tested, and where its report goes. */
export interface ReportOptions {
  /** The runtime and its version, e.g. `bun 1.4.5`. */
  readonly runtime: string;
  /** Prints a line of progress (failures, skips and the summary). */
  readonly print: (line: string) => void;
}

/**
 * Runs every collected test file and prints, as it goes, each failure and each skip (with the
 * reason the test gave), then errors outside tests and the summary; returns the report.
 */
export async function runAndPrint(options: ReportOptions): Promise<RunReport> {
  const { print } = options;
  const report = await runCollected(options.runtime, (result: TestResult) => {
    if (result.state === 'fail') print(`FAIL ${result.name}\n${indent(result.error ?? '')}`);
    if (result.state === 'skip') print(skipLine(result));
  });
  for (const error of report.errors) print(`ERROR ${indent(error)}`);
  print(summaryLines(report).join('\n'));
  return report;
}

/** 1 when anything failed (or nothing passed), else 0. */
export function exitCode(report: RunReport): number {
  return report.failed + report.errors.length > 0 || report.passed === 0 ? 1 : 0;
}

/** `SKIP <name>`, then ` (<note>)` when the test said why it skipped itself. */
export function skipLine(result: TestResult): string {
  return `SKIP ${result.name}${result.note === undefined ? '' : ` (${result.note})`}`;
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
