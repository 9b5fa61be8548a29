import { isSessionError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { conformanceGroups, createTestKey, ManualClock } from '../src/index.js';

describe('ManualClock', () => {
  it('starts at the given instant and moves only when told', () => {
    const time = new ManualClock(1_000);
    const { clock } = time;
    expect(clock()).toBe(1_000);
    expect(time.advance(250)).toBe(1_250);
    expect(clock()).toBe(1_250);
    expect(time.set(500)).toBe(500);
    expect(time.now()).toBe(500);
  });

  it('defaults to the real time at construction', () => {
    const before = Date.now();
    const now = new ManualClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('rejects negative and non-finite moves', () => {
    const time = new ManualClock(0);
    for (const move of [
      () => time.advance(-1),
      () => time.set(Number.NaN),
      () => time.advance(Infinity),
    ]) {
      let thrown: unknown;
      try {
        move();
      } catch (error) {
        thrown = error;
      }
      expect(isSessionError(thrown, 'MISCONFIGURED')).toBe(true);
    }
    expect(time.now()).toBe(0);
  });
});

describe('createTestKey', () => {
  it('makes distinct 43-character base64url keys', () => {
    const keys = Array.from({ length: 1_000 }, createTestKey);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('conformanceGroups', () => {
  it('has unique group names and unique check names within each group', () => {
    const groups = conformanceGroups.map((group) => group.name);
    expect(new Set(groups).size).toBe(groups.length);
    for (const group of conformanceGroups) {
      const names = group.checks.map((check) => check.name);
      expect(new Set(names).size, group.name).toBe(names.length);
    }
  });
});
