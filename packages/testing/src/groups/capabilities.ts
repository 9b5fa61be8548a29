import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';

/** The methods every store must implement. */
const REQUIRED_METHODS = ['load', 'create', 'patch', 'touch', 'rotate', 'destroy'] as const;

/**
 * The store has a name, boolean capability flags and every required method, the `deleteExpired`
 * flag is true exactly when the method exists, `count` is set exactly when `countSessions` exists
 * (to `exact` or `approximate`), and `userIndex` comes with its two methods.
 */
export async function checkCapabilityFlags(h: ConformanceHarness): Promise<void> {
  const { store } = h;
  expect(typeof store.name, 'name').toBe('string');
  expect(store.name.length, 'name length').toBeGreaterThan(0);
  expect(typeof store.capabilities.atomicRotate, 'capabilities.atomicRotate').toBe('boolean');
  expect(typeof store.capabilities.deleteExpired, 'capabilities.deleteExpired').toBe('boolean');
  for (const method of REQUIRED_METHODS) {
    expect(typeof store[method], `store.${method}`).toBe('function');
  }
  expect(
    typeof store.deleteExpired === 'function',
    'capabilities.deleteExpired must match whether deleteExpired is a function',
  ).toBe(store.capabilities.deleteExpired);
  expect(
    typeof store.countSessions === 'function',
    'capabilities.count must be set exactly when countSessions is a function',
  ).toBe(store.capabilities.count !== undefined);
  if (store.capabilities.count !== undefined) {
    expect(['exact', 'approximate'], 'capabilities.count').toContain(store.capabilities.count);
  }
  if (store.capabilities.userIndex !== undefined) {
    expect(typeof store.capabilities.userIndex, 'capabilities.userIndex').toBe('boolean');
  }
  if (store.capabilities.userIndex === true) {
    expect(typeof store.listUserSessions, 'listUserSessions with userIndex').toBe('function');
    expect(typeof store.destroyUserSessions, 'destroyUserSessions with userIndex').toBe('function');
  }
}

/** The capabilities group. */
export const capabilitiesGroup: ConformanceGroup = {
  name: 'capabilities',
  checks: [{ name: 'declared flags match the methods present', run: checkCapabilityFlags }],
};
