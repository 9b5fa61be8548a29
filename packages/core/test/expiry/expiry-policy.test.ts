import { describe, expect, it } from 'vitest';
import { durationToMs } from '../../src/expiry/duration.js';
import {
  applyExpiryOverride,
  createMeta,
  expiresAtAfterActivity,
  resolveExpiryPolicy,
  shouldTouch,
} from '../../src/expiry/expiry-policy.js';

describe('durations', () => {
  it('parses strings with units and numbers as seconds', () => {
    expect(durationToMs('500ms', 'x')).toBe(500);
    expect(durationToMs('30s', 'x')).toBe(30_000);
    expect(durationToMs('1.5m', 'x')).toBe(90_000);
    expect(durationToMs('2h', 'x')).toBe(7_200_000);
    expect(durationToMs('14d', 'x')).toBe(1_209_600_000);
    expect(durationToMs('1w', 'x')).toBe(604_800_000);
    expect(durationToMs(90, 'x')).toBe(90_000);
  });
  it('rejects non-durations with MISCONFIGURED naming the option', () => {
    for (const bad of [
      '',
      '10',
      '10 m',
      '-1m',
      'm',
      0,
      -5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '1y',
    ]) {
      expect(() => durationToMs(bad as never, 'expiry.idle')).toThrowError(/expiry.idle/);
    }
  });
});

describe('expiry policy', () => {
  it('defaults: 1 day idle, 7 days absolute, touch at most once a minute, persistent cookie', () => {
    expect(resolveExpiryPolicy(undefined)).toEqual({
      idleMs: 86_400_000,
      absoluteMs: 604_800_000,
      touchIntervalMs: 60_000,
      persistent: true,
    });
  });

  it('the expiry is the idle deadline capped by the absolute one', () => {
    const policy = resolveExpiryPolicy({ idle: '1h', absolute: '90m' });
    const meta = createMeta(0, policy);
    expect(expiresAtAfterActivity(0, meta, policy)).toBe(3_600_000);
    expect(expiresAtAfterActivity(3_600_000, meta, policy)).toBe(5_400_000);
  });

  it('touches only when the expiry would move by at least the interval', () => {
    const policy = resolveExpiryPolicy({ idle: '1h', touchInterval: '5m', absolute: 'none' });
    const meta = createMeta(0, policy);
    expect(shouldTouch(4 * 60_000, 3_600_000, meta, policy)).toBe(false);
    expect(shouldTouch(5 * 60_000, 3_600_000, meta, policy)).toBe(true);
  });

  it('never touches past the absolute deadline', () => {
    const policy = resolveExpiryPolicy({ idle: '1h', absolute: '1h' });
    const meta = createMeta(0, policy);
    expect(shouldTouch(30 * 60_000, 3_600_000, meta, policy)).toBe(false);
  });

  it('a short per-session idle override is still touched often enough', () => {
    const policy = resolveExpiryPolicy({ idle: '1d', touchInterval: '10m' });
    const meta = applyExpiryOverride(createMeta(0, policy), { idle: '2m' }, policy);
    expect(shouldTouch(60_000, 120_000, meta, policy)).toBe(true);
  });

  it('overrides keep createdAt and measure absolute from creation', () => {
    const policy = resolveExpiryPolicy({ idle: '1h', absolute: '1d' });
    const meta = applyExpiryOverride(
      createMeta(1000, policy),
      { absolute: '30d', idle: '7d', cookie: 'persistent' },
      policy,
    );
    expect(meta).toEqual({
      createdAt: 1000,
      absoluteExpiresAt: 1000 + 30 * 86_400_000,
      idleTimeoutMs: 7 * 86_400_000,
      persistent: true,
    });
    expect(
      applyExpiryOverride(meta, { absolute: 'none' }, policy).absoluteExpiresAt,
    ).toBeUndefined();
  });

  it('rejects a persistent cookie that would outlive 400 days', () => {
    expect(() => resolveExpiryPolicy({ idle: '401d', absolute: 'none' })).toThrowError(/400 days/);
    expect(() => resolveExpiryPolicy({ idle: '401d', absolute: '400d' })).not.toThrow();
    expect(() =>
      resolveExpiryPolicy({ idle: '401d', absolute: 'none', cookie: 'browser-session' }),
    ).not.toThrow();
  });
});
