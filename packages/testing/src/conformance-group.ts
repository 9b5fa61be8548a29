import type { StoreCapabilities } from '@sessions/core';
import type { ConformanceHarness } from './harness.js';

/** One conformance check: an async function that throws (via `expect`) when the store is wrong. */
export type ConformanceCheckFn = (harness: ConformanceHarness) => Promise<void>;

/** A named check, as `describeStoreConformance` registers it with `it`. */
export interface ConformanceCheck {
  /** The test name. */
  readonly name: string;
  /** The check itself; also exported on its own so it can be called directly. */
  readonly run: ConformanceCheckFn;
  /**
   * A capability this check needs besides its group's; when the store declares it false (or
   * leaves it out) the test is skipped.
   */
  readonly requires?: keyof StoreCapabilities | undefined;
}

/** A `describe` block of checks. */
export interface ConformanceGroup {
  /** The describe name. */
  readonly name: string;
  /** A capability the whole group needs; when the store declares it false, every test skips. */
  readonly requires?: keyof StoreCapabilities | undefined;
  /** The checks, in order. */
  readonly checks: readonly ConformanceCheck[];
}
