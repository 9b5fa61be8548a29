import { type AnySessionCodec, type Awaitable, jsonCodec, type SessionStore } from '@sessions/core';
import { expect } from 'vitest';
import type { ManualClock } from './manual-clock.js';
import { createTestKey } from './test-key.js';

/** What a `createStore` callback returns: the store, how it tells time, and how to clean up. */
export interface StoreUnderTest {
  /** The store to check. A fresh instance (or a fresh connection to a shared server) per test. */
  readonly store: SessionStore;
  /** Called after each test, e.g. to close a client. Default: nothing. */
  readonly cleanup?: (() => Awaitable<void>) | undefined;
  /**
   * True when the store compares expiry against the `ManualClock` it was given (the memory store
   * does): the suite then moves that clock instead of waiting. False when it compares against a
   * server's real clock (Redis, Postgres): the suite then uses records that expire 300 ms ahead
   * and real, bounded waits.
   */
  readonly usesClock: boolean;
}

/** Everything a conformance check needs: the store, time control and key/record helpers. */
export interface ConformanceHarness {
  /** The store under test. */
  readonly store: SessionStore;
  /** The manual clock handed to `createStore` (moved only when `usesClock`). */
  readonly clock: ManualClock;
  /** See {@link StoreUnderTest.usesClock}. */
  readonly usesClock: boolean;
  /** The codec of the engine checks and the codec values checks (default `jsonCodec`). */
  readonly codec: AnySessionCodec;
  /** "Now" as the store sees it: the manual clock's time when `usesClock`, else `Date.now()`. */
  now(): number;
  /** A fresh random 43-character base64url key. */
  key(): string;
  /** An instant `offsetMs` from now (default one hour: a record that stays live all test). */
  later(offsetMs?: number): number;
  /** An instant close enough to pass quickly: 1 s ahead (manual clock) or 300 ms ahead (real). */
  soon(): number;
  /**
   * Lets time run past `instant`: sets the manual clock beyond it, or sleeps until it has passed
   * on this machine. With a real clock, each `probeKeys` key is then loaded until it reads as
   * absent (allowing for a server clock slightly behind ours), failing after a bounded wait.
   */
  passInstant(instant: number, probeKeys?: readonly string[]): Promise<void>;
}

/** Real-clock waits: margin past the instant, poll interval and the most to wait for a probe. */
const REAL_MARGIN_MS = 50;
const REAL_POLL_MS = 25;
const REAL_PROBE_DEADLINE_MS = 2_000;
/** Lead of {@link ConformanceHarness.soon}. */
const MANUAL_SOON_MS = 1_000;
const REAL_SOON_MS = 300;
const DEFAULT_LATER_MS = 3_600_000;

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Builds the harness the checks run against. `describeStoreConformance` calls it per test; call it
 * yourself to run one check function directly.
 */
export function createConformanceHarness(
  subject: StoreUnderTest,
  clock: ManualClock,
  codec: AnySessionCodec = jsonCodec,
): ConformanceHarness {
  const { store, usesClock } = subject;
  const now = (): number => (usesClock ? clock.now() : Date.now());
  return {
    store,
    clock,
    usesClock,
    codec,
    now,
    key: createTestKey,
    later: (offsetMs = DEFAULT_LATER_MS) => now() + offsetMs,
    soon: () => now() + (usesClock ? MANUAL_SOON_MS : REAL_SOON_MS),
    async passInstant(instant, probeKeys = []) {
      if (usesClock) {
        if (clock.now() <= instant) clock.set(instant + 1);
        return;
      }
      const wait = instant + REAL_MARGIN_MS - Date.now();
      if (wait > 0) await sleep(wait);
      const deadline = Date.now() + REAL_PROBE_DEADLINE_MS;
      for (const key of probeKeys) {
        while ((await store.load(key)) !== undefined && Date.now() < deadline) {
          await sleep(REAL_POLL_MS);
        }
        expect(
          await store.load(key),
          `record still loads ${Date.now() - instant} ms after its expiresAt`,
        ).toBeUndefined();
      }
    },
  };
}
