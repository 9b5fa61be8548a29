import type { SessionStore } from '@sessions/core';
import { expect } from 'vitest';
import { ScenarioClient } from './scenario-client.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';

const MINUTE = 60_000;

function flipLastChar(value: string): string {
  return value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
}

/** Scenarios at the edges: hostile cookies, expiry with a clock, header transport, consent, failures. */
export const edgeScenarios: readonly AdapterScenario[] = [
  {
    name: 'tampered, malformed and foreign cookies are no session: 200, anonymous, no store call',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/user', 'ada');
      const good = client.cookies.get('sid') ?? '';
      const foreignApp = await ctx.appWith({ secrets: ['another-secret-0123456789abcdefghijkl'] });
      const foreign = new ScenarioClient(foreignApp);
      await foreign.send('PUT', '/set/user', 'mallory');
      const variants = [
        flipLastChar(good),
        good.slice(1),
        `${good}x`,
        '',
        '%00',
        '"quoted"',
        foreign.cookies.get('sid') ?? '',
      ];
      for (const value of variants) {
        ctx.resetCalls();
        const reply = await client.send('GET', '/get/user', undefined, { cookie: `sid=${value}` });
        expect(reply.status, `cookie ${JSON.stringify(value)}`).toBe(200);
        expect(reply.json).toEqual({ value: null });
        expect(ctx.calls).toEqual([]);
        expect(reply.setCookies).toEqual([]);
      }
    },
  },
  {
    name: 'two different valid session cookies fail closed with 400; the same one twice is fine',
    async run(ctx) {
      const first = await ctx.client();
      await first.send('PUT', '/set/who', 'first');
      const second = await ctx.client();
      await second.send('PUT', '/set/who', 'second');
      const a = first.cookies.get('sid');
      const b = second.cookies.get('sid');
      const ambiguous = await first.send('GET', '/get/who', undefined, {
        cookie: `sid=${a}; sid=${b}`,
      });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.setCookies).toEqual([]);
      const same = await first.send('GET', '/get/who', undefined, {
        cookie: `sid=${a}; other=1; sid=${a}`,
      });
      expect(same.json).toEqual({ value: 'first' });
    },
  },
  {
    name: 'idle expiry with a controllable clock',
    needsManualClock: true,
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '30m' } });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/a', 1);
      ctx.clock.advance(29 * MINUTE);
      expect((await client.send('GET', '/get/a')).json).toEqual({ value: 1 });
      ctx.clock.advance(29 * MINUTE);
      expect((await client.send('GET', '/get/a')).json, 'activity slid the deadline').toEqual({
        value: 1,
      });
      ctx.clock.advance(31 * MINUTE);
      expect((await client.send('GET', '/get/a')).json).toEqual({ value: null });
    },
  },
  {
    name: 'absolute expiry with a controllable clock, despite constant activity',
    needsManualClock: true,
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '30m', absolute: '1h' } });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/a', 1);
      ctx.clock.advance(25 * MINUTE);
      await client.send('PUT', '/set/b', 1);
      ctx.clock.advance(25 * MINUTE);
      expect((await client.send('GET', '/get/a')).json).toEqual({ value: 1 });
      ctx.clock.advance(11 * MINUTE);
      expect((await client.send('GET', '/get/a')).json).toEqual({ value: null });
    },
  },
  {
    name: 'header transport: Authorization Bearer in, x-session-token out, no cookies',
    async run(ctx) {
      const app = await ctx.appWith({ transport: { type: 'header' } });
      const client = new ScenarioClient(app);
      const created = await client.send('PUT', '/set/user', 'api');
      expect(created.setCookies).toEqual([]);
      const token = created.headers.get('x-session-token') ?? '';
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      const read = await client.send('GET', '/get/user', undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(read.json).toEqual({ value: 'api' });
      expect(read.headers.get('x-session-token')).toBeNull();
      const gone = await client.send('POST', '/destroy', undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(gone.headers.get('x-session-token')).toBe('');
    },
  },
  {
    name: 'consent mode: nothing stored and no cookie until storage is allowed',
    async run(ctx) {
      const app = await ctx.appWith({ requireConsent: true });
      const client = new ScenarioClient(app);
      ctx.resetCalls();
      const denied = await client.send('PUT', '/set/a', 1);
      expect(denied.status).toBe(200);
      expect(denied.setCookies).toEqual([]);
      expect(ctx.calls).toEqual([]);
      const allowed = await client.send('POST', '/consent');
      expect(sessionCookie(allowed.setCookies)).toBeDefined();
      expect((await client.send('GET', '/all')).json).toEqual({ consented: true });
    },
  },
  {
    name: 'a handler that throws, or answers 5xx, commits nothing',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 1);
      const thrown = await client.send('PUT', '/throw/b', 2);
      expect(thrown.status).toBe(500);
      expect(thrown.setCookies).toEqual([]);
      const failed = await client.send('GET', '/fail-500/c');
      expect(failed.status).toBe(500);
      expect((await client.send('GET', '/all')).json).toEqual({ a: 1 });
      const fresh = await ctx.client();
      const anonymousThrow = await fresh.send('PUT', '/throw/b', 2);
      expect(anonymousThrow.setCookies).toEqual([]);
    },
  },
  {
    name: 'a store outage is a 503 through the framework, never a fresh session',
    async run(ctx) {
      // The store under test (the memory store by default), failing on demand.
      const healthy = ctx.store;
      let down = false;
      const guard = <T>(run: () => T): T => {
        if (down) throw new Error('store is down');
        return run();
      };
      const flaky: SessionStore = {
        name: 'flaky',
        capabilities: healthy.capabilities,
        load: (key) => guard(() => healthy.load(key)),
        create: (key, record) => guard(() => healthy.create(key, record)),
        patch: (key, patch) => guard(() => healthy.patch(key, patch)),
        touch: (key, at) => guard(() => healthy.touch(key, at)),
        rotate: (from, to, patch) => guard(() => healthy.rotate(from, to, patch)),
        destroy: (key) => guard(() => healthy.destroy(key)),
      };
      const client = new ScenarioClient(await ctx.appWith({ store: flaky }));
      await client.send('PUT', '/set/user', 'ada');
      const cookie = client.cookies.get('sid');
      down = true;
      const read = await client.send('GET', '/get/user');
      expect(read.status).toBe(503);
      expect(read.setCookies).toEqual([]);
      const write = await client.send('PUT', '/set/other', 1);
      expect(write.status).toBe(503);
      expect(write.setCookies).toEqual([]);
      expect(client.cookies.get('sid')).toBe(cookie);
      down = false;
      expect((await client.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
    },
  },
];
