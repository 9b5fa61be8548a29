import type { AdapterScenario } from './scenarios-basics.js';

/**
 * Lifecycle, data and concurrency attacks over HTTP: fixation, logout replay, expiry boundaries,
 * expired-but-present records, hostile values, and parallel requests racing each other.
 */
export const hostileLifecycleScenarios: readonly AdapterScenario[] = [];
