/**
 * fast-check parameters for every property test, from the environment:
 *
 * - Normal runs (CI, `pnpm test:unit`): a fixed seed ({@link DEFAULT_FUZZ_SEED}) and each property's
 *   own modest `numRuns`, so results are reproducible and the core project stays fast.
 * - `FUZZ_RUNS=200000`: every property runs that many times (times its `share`, for the slow
 *   ones), and vitest's per-test timeout is lifted for the files that import this helper. The
 *   root script `pnpm fuzz` does this for every `*.property.test.ts` file of the core package.
 * - `FUZZ_SEED=123` uses another seed; `FUZZ_SEED=random` picks a fresh one for each test file
 *   (printed on failure, and for every property in a long session).
 * - `FUZZ_PATH=...` (with the `FUZZ_SEED` of a failure) replays only the shrunk counterexample.
 *
 * A failure reports the seed, the counterexample and a command that reproduces it.
 */
import fc from 'fast-check';
import { expect, vi } from 'vitest';

/**
 * An environment variable, where the runtime has an environment and lets us read it: these tests
 * are also bundled for Bun, Deno (which throws without --allow-env) and workerd
 * (examples/runtimes), so nothing here may need a Node API or a permission.
 */
function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    return env?.[name];
  } catch {
    return undefined;
  }
}

/** The seed every property uses unless `FUZZ_SEED` says otherwise. */
export const DEFAULT_FUZZ_SEED = 0x5e55_10f5;

function readInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}.`);
  }
  return value;
}

function readSeed(text: string | undefined): number {
  if (text === 'random') return Math.floor(Math.random() * 2 ** 31);
  return readInteger('FUZZ_SEED', text) ?? DEFAULT_FUZZ_SEED;
}

/** The seed of this run: `FUZZ_SEED`, or the fixed default. */
export const fuzzSeed: number = readSeed(readEnv('FUZZ_SEED'));

/** `FUZZ_RUNS` when set: the run count of a long fuzzing session. */
export const fuzzRuns: number | undefined = readInteger('FUZZ_RUNS', readEnv('FUZZ_RUNS'));
if (fuzzRuns !== undefined && fuzzRuns < 1) {
  throw new Error(`FUZZ_RUNS must be at least 1, got ${fuzzRuns}.`);
}

const fuzzPath: string | undefined = readEnv('FUZZ_PATH') || undefined;

if (fuzzRuns !== undefined || fuzzPath !== undefined) {
  // A long run takes as long as it takes; this applies to the importing test file only.
  vi.setConfig({ testTimeout: 0 });
}

/** Options for {@link fuzzParameters}. */
export interface FuzzOptions {
  /**
   * Fraction of `FUZZ_RUNS` this property runs in a long session, for properties that are much
   * slower per run than the rest (signing with fresh keys, whole requests, 64 KiB inputs).
   * @defaultValue 1
   */
  share?: number | undefined;
}

/** Quotes `text` for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A `-t` pattern that selects exactly the test with this name. */
function testNamePattern(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** The command that replays a failure of the currently running test. */
function reproduceCommand(seed: number, path: string | null): string {
  const { currentTestName, testPath } = expect.getState();
  const env = [`FUZZ_SEED=${seed}`];
  if (path !== null) env.push(`FUZZ_PATH=${shellQuote(path)}`);
  // The path from the core package (vitest's project root), without a Node path module.
  const at = testPath?.lastIndexOf('/test/') ?? -1;
  const file = testPath === undefined ? '' : ` ${at >= 0 ? testPath.slice(at + 1) : testPath}`;
  // vitest matches `-t` against the describe and test names joined with spaces.
  const name =
    currentTestName === undefined
      ? ''
      : ` -t ${shellQuote(testNamePattern(currentTestName.split(' > ').join(' ')))}`;
  return `${env.join(' ')} pnpm vitest run --project core${file}${name}`;
}

/** Replaces fast-check's failure report with one that also says how to reproduce the failure. */
function reproducePlugin<Ts>(): fc.Plugin<Ts> {
  return () => ({
    onAllRunsComplete(details) {
      if (fuzzRuns !== undefined) {
        // A long session reports what it covered, so a green run shows its actual run counts.
        const { currentTestName } = expect.getState();
        console.log(
          `[fuzz] ${currentTestName}: ${details.numRuns} runs, ${details.numSkips} skipped, seed ${details.seed}`,
        );
      }
      if (!details.failed) return;
      const report = fc.defaultReportMessage(details);
      const command = reproduceCommand(details.seed, details.counterexamplePath);
      throw new Error(`${report}\n\nReproduce with:\n  ${command}\n`, {
        cause: details.errorInstance,
      });
    },
  });
}

/**
 * The fast-check parameters of one property: `numRuns` in normal runs, `FUZZ_RUNS × share` in a
 * long fuzzing session, always with the session's seed and a failure report that says how to
 * reproduce. Pass the result as the second argument of `fc.assert`.
 */
export function fuzzParameters<Ts>(numRuns: number, options: FuzzOptions = {}): fc.Parameters<Ts> {
  const share = options.share ?? 1;
  const runs = fuzzRuns === undefined ? numRuns : Math.max(1, Math.round(fuzzRuns * share));
  const parameters: fc.Parameters<Ts> = {
    seed: fuzzSeed,
    numRuns: runs,
    plugins: [reproducePlugin<Ts>()],
  };
  if (fuzzPath !== undefined) {
    parameters.path = fuzzPath;
    parameters.endOnFailure = true;
  }
  return parameters;
}

/**
 * Any single UTF-16 code unit or code point: ASCII (most often), C0/C1 controls, Latin-1, BMP
 * text, astral characters, and lone surrogates. Cheaper to set up than `fc.string({ unit:
 * 'binary' })`, whose first use in a worker builds a 1.1M-entry table (~0.7 s).
 */
export const anyChar: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x7f, max: 0xff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x100, max: 0xffff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
  )
  .map((codePoint) => String.fromCodePoint(codePoint));

/** Any string, of any UTF-16 content (see {@link anyChar}). */
export function anyString(constraints: { minLength?: number; maxLength?: number } = {}) {
  return fc.string({ unit: anyChar, ...constraints });
}
