import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { RunReport } from '../src/harness/vitest-shim.js';
import { DIST_DIR } from './support/paths.js';
import { RuntimeProcess } from './support/processes.js';

/**
 * The harness must report what Vitest would: a passing suite on a runtime means nothing unless a
 * failing test fails there. The self-check bundle runs deliberately failing tests through it.
 */
it('reports failures, timeouts, hook errors, skips (with their notes) and unhandled rejections as Vitest does', async () => {
  const child = new RuntimeProcess(process.execPath, [join(DIST_DIR, 'harness-selfcheck.mjs')], {
    cwd: DIST_DIR,
  });
  const { code, output } = await child.finish(30_000);
  expect(code, output).toBe(0);
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '') as RunReport;
  expect(report.results.map(({ name, state }) => [name, state])).toEqual([
    ['a > passes', 'pass'],
    ['a > fails on a deep inequality', 'fail'],
    ['a > fails when a promise expected to reject resolves', 'fail'],
    ['a > fails at its timeout', 'fail'],
    ['a > adds one to 1', 'pass'],
    ['a > adds one to 2', 'pass'],
    ['a > is skipped', 'skip'],
    ['a > fails with the message given to expect', 'fail'],
    ['a > matches asymmetrically and records calls', 'pass'],
    ['a > fakes setInterval and advances it', 'pass'],
    ['a > hooks > inner > runs inside the hooks', 'pass'],
    ['a > hooks > saw them in Vitest order', 'pass'],
    ['a > a failing afterEach > fails the test it follows', 'fail'],
    ['a > a failing beforeAll > fails every test of its suite', 'fail'],
    ['a > skips itself with a note', 'skip'],
    ['a > skips itself when its condition holds', 'skip'],
    ['a > counted the file-level afterEach', 'pass'],
    ['a > leaves an unhandled rejection behind', 'pass'],
    ['b > (collecting the file)', 'fail'],
  ]);
  const errorOf = (name: string) => report.results.find((r) => r.name === name)?.error ?? '';
  expect(errorOf('a > fails on a deep inequality')).toMatch(
    /^AssertionError: expected .* to deeply equal/,
  );
  expect(errorOf('a > fails at its timeout')).toContain('timed out in 50ms');
  expect(errorOf('a > fails with the message given to expect')).toMatch(
    /^AssertionError: the answer/,
  );
  expect(errorOf('a > a failing afterEach > fails the test it follows')).toContain(
    'afterEach failed',
  );
  expect(errorOf('b > (collecting the file)')).toContain('the file fails while it is collected');
  const noteOf = (name: string) => report.results.find((r) => r.name === name)?.note;
  expect(noteOf('a > skips itself with a note')).toBe('not on this runtime');
  expect(noteOf('a > skips itself when its condition holds')).toBe('the condition holds');
  expect(noteOf('a > is skipped')).toBeUndefined();
  expect(report).toMatchObject({ files: 2, passed: 9, failed: 7, skipped: 3 });
  expect(report.errors).toEqual([expect.stringContaining('nobody handles this')]);
});
