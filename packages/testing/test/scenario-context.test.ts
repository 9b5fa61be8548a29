import { type Clock, createMemoryStore, type SessionStore } from '@sessions/core';
import { describe, expect, it, vi } from 'vitest';
import {
  type AdapterConformanceOptions,
  adapterScenarios,
  createScenarioContext,
  type ManualClock,
  MEMORY_SCENARIO_STORE,
  type ScenarioStoreOptions,
  scenarioSkipReason,
} from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

/** Adapter options whose `createApp` records the options each app was built with. */
function recording(store?: ScenarioStoreOptions) {
  const built: { store?: SessionStore; clock?: Clock | undefined }[] = [];
  const options: AdapterConformanceOptions = {
    name: 'recording',
    createApp: (adapterOptions) => {
      // The scenario context always passes manager options (a store), never a ready manager.
      built.push(adapterOptions as { store?: SessionStore; clock?: Clock | undefined });
      return webScenarioApp(adapterOptions);
    },
    store,
  };
  return { options, built };
}

describe('createScenarioContext', () => {
  it('defaults to a memory store on a manual clock that the engine reads too', async () => {
    const { options, built } = recording();
    const ctx = createScenarioContext(options);
    expect(ctx.usesClock).toBe(true);
    const client = await ctx.client();
    await client.send('PUT', '/set/a', 1);
    expect(ctx.calls).toEqual(['create']);
    expect(built[0]?.store).toBe(ctx.store);
    const start = ctx.clock.now();
    ctx.clock.advance(60_000);
    expect(built[0]?.clock?.()).toBe(start + 60_000);
    expect(ctx.store.name).toBe('memory');
  });

  it("builds the options' store once per context, with the context's clock, and observes it", async () => {
    const factory = vi.fn((clock: ManualClock) => createMemoryStore({ clock: clock.clock }));
    const { options, built } = recording({ store: factory, usesClock: true });
    const ctx = createScenarioContext(options);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory.mock.calls[0]?.[0]).toBe(ctx.clock);
    const client = await ctx.client();
    await client.send('PUT', '/set/a', 1);
    ctx.resetCalls();
    expect((await client.send('GET', '/get/a')).json).toEqual({ value: 1 });
    expect(ctx.calls).toEqual(['load']);
    await ctx.appWith({ expiry: { idle: '1h' } });
    expect(built.map((o) => o.store)).toEqual([ctx.store, ctx.store]);
    expect(factory).toHaveBeenCalledTimes(1);
    // The memory store reads the same manual clock: moving it expires the session.
    ctx.clock.advance(25 * 3_600_000);
    expect((await client.send('GET', '/get/a')).json).toEqual({ value: null });
  });

  it('takes the store as a second argument, ahead of the options', () => {
    const other = vi.fn(() => createMemoryStore());
    const { options } = recording({ store: () => createMemoryStore(), usesClock: true });
    const ctx = createScenarioContext(options, { store: other, usesClock: false });
    expect(other).toHaveBeenCalledTimes(1);
    expect(ctx.usesClock).toBe(false);
  });

  it('runs a real-clock store on real time; moving its clock throws, naming the flag', async () => {
    const factory = vi.fn((_clock: ManualClock) => createMemoryStore());
    const { options, built } = recording({ store: factory, usesClock: false });
    const ctx = createScenarioContext(options);
    const before = Date.now();
    expect(ctx.clock.now()).toBeGreaterThanOrEqual(before);
    expect(ctx.clock.clock()).toBeLessThanOrEqual(Date.now());
    expect(() => ctx.clock.advance(1_000)).toThrow(/needsManualClock/);
    expect(() => ctx.clock.set(0)).toThrow(/needsManualClock/);
    expect(factory.mock.calls[0]?.[0]).toBe(ctx.clock);
    await ctx.app();
    const engineNow = built[0]?.clock?.() ?? 0;
    expect(engineNow).toBeGreaterThanOrEqual(before);
    expect(engineNow).toBeLessThanOrEqual(Date.now());
  });

  it('closes every app it built', async () => {
    const close = vi.fn();
    const ctx = createScenarioContext({
      name: 'closing',
      createApp: (adapterOptions) => ({ ...webScenarioApp(adapterOptions), close }),
    });
    await ctx.app();
    await ctx.appWith({});
    await ctx.close();
    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe('scenarioSkipReason', () => {
  const realClock: ScenarioStoreOptions = { store: () => createMemoryStore(), usesClock: false };

  it('skips nothing on a store that reads the manual clock', () => {
    for (const scenario of adapterScenarios)
      expect(scenarioSkipReason(scenario, MEMORY_SCENARIO_STORE)).toBeUndefined();
  });

  it('skips exactly the expiry scenarios that move the clock on a real-clock store, with a reason', () => {
    const skipped = adapterScenarios.filter(
      (scenario) => scenarioSkipReason(scenario, realClock) !== undefined,
    );
    expect(skipped.map((s) => s.name)).toEqual([
      'idle expiry with a controllable clock',
      'absolute expiry with a controllable clock, despite constant activity',
      'idle expiry at its boundary: live at expiresAt - 1 ms, gone at expiresAt',
      'absolute expiry at its boundary: activity, regenerate and sign-in never extend it',
      'admin purge: expired sessions are purged and no longer counted, live ones stay',
    ]);
    for (const scenario of skipped)
      expect(scenarioSkipReason(scenario, realClock)).toMatch(/manual clock.*real time/);
  });
});
