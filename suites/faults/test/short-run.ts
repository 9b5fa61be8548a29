import type { ScenarioTiming } from '../src/scenario.js';

/**
 * The short version of each scenario for `pnpm test`: a few seconds per phase, 8 clients. The
 * figures vary with the machine; the tests assert outcomes only (see `violations`).
 */
export const SHORT_RUN: ScenarioTiming = {
  clients: 8,
  beforeMs: 1_500,
  faultMs: 3_000,
  afterMs: 2_000,
  recoveryTimeoutMs: 15_000,
};
