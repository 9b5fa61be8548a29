import { expect } from 'vitest';
import { ScenarioClient } from './scenario-client.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';

const MINUTE = 60_000;

/** `GET /admin/sessions/count` (which must answer 200): the store's count of live sessions. */
async function countOf(admin: ScenarioClient): Promise<number> {
  const reply = await admin.send('GET', '/admin/sessions/count');
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  expect(reply.setCookies, 'the admin route opens no session').toEqual([]);
  return (reply.json as { count: number }).count;
}

/** `POST /admin/sessions/purge` (which must answer 200): how many expired sessions it removed. */
async function purge(admin: ScenarioClient): Promise<number> {
  const reply = await admin.send('POST', '/admin/sessions/purge');
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  expect(reply.setCookies, 'the admin route opens no session').toEqual([]);
  return (reply.json as { purged: number }).purged;
}

/** `client` after it wrote once (so it has a session of its own). */
async function visited(client: ScenarioClient, value: string): Promise<ScenarioClient> {
  const reply = await client.send('PUT', '/set/visit', value);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  expect(sessionCookie(reply.setCookies)).toBeDefined();
  return client;
}

/**
 * Scenarios of an admin page over the whole store: `manager.countSessions()` and
 * `manager.purgeExpired()` behind the scenario app's admin routes, as visitors come, log out and
 * expire. Counts are taken relative to the count at the start, so a store shared with earlier
 * scenarios (one key prefix for a whole run) still works, as long as nothing else writes to it
 * while a scenario runs. The purge scenario expects the store to hold no other scenario's sessions
 * that could expire with this one's (a store or namespace per scenario, as the default has).
 */
export const storeMaintenanceScenarios: readonly AdapterScenario[] = [
  {
    name: 'admin count: each visitor who writes is one session, a reader none, a logout one fewer',
    needsCount: true,
    async run(ctx) {
      const admin = await ctx.client();
      const before = await countOf(admin);
      const first = await visited(await ctx.client(), 'first');
      const second = await visited(await ctx.client(), 'second');
      const third = await visited(await ctx.client(), 'third');
      const reader = await ctx.client();
      expect((await reader.send('GET', '/get/visit')).json).toEqual({ value: null });
      expect(await countOf(admin), 'three writers, one reader').toBe(before + 3);

      await second.send('POST', '/regenerate');
      expect(await countOf(admin), 'regenerate moves a session, it adds none').toBe(before + 3);

      const out = await first.send('POST', '/logout');
      expect(out.status).toBe(303);
      expect(await countOf(admin), 'a logout removes its session').toBe(before + 2);
      expect((await third.send('GET', '/get/visit')).json).toEqual({ value: 'third' });

      // Counting is one store call and never opens, loads or writes a session.
      ctx.resetCalls();
      await countOf(admin);
      expect(ctx.calls).toEqual(['countSessions']);
    },
  },
  {
    name: 'admin purge: expired sessions are purged and no longer counted, live ones stay',
    needsManualClock: true,
    needsCount: true,
    needsPurge: true,
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '30m' } });
      const admin = new ScenarioClient(app);
      const before = await countOf(admin);
      const idle1 = await visited(new ScenarioClient(app), 'idle-1');
      const idle2 = await visited(new ScenarioClient(app), 'idle-2');
      const active = await visited(new ScenarioClient(app), 'active');
      const leaving = await visited(new ScenarioClient(app), 'leaving');
      expect(await countOf(admin)).toBe(before + 4);
      expect(await purge(admin), 'nothing has expired yet').toBe(0);

      await leaving.send('POST', '/logout');
      expect(await countOf(admin), 'a logout removes its session').toBe(before + 3);

      ctx.clock.advance(20 * MINUTE);
      expect((await active.send('PUT', '/set/visit', 'again')).status).toBe(200);
      // The two idle sessions are past their 30-minute idle timeout; the active one has 19 left.
      // Nothing has touched the expired records since, so the store still holds them.
      ctx.clock.advance(11 * MINUTE);
      expect(await countOf(admin), 'an expired session is never counted').toBe(before + 1);

      ctx.resetCalls();
      expect(await purge(admin), 'the two expired sessions, not the logged-out one').toBe(2);
      expect(ctx.calls, 'purging is one store call').toEqual(['deleteExpired']);
      expect(await purge(admin), 'a second purge finds nothing').toBe(0);
      expect(await countOf(admin), 'purging removes no live session').toBe(before + 1);

      expect((await active.send('GET', '/get/visit')).json).toEqual({ value: 'again' });
      for (const expired of [idle1, idle2]) {
        expect((await expired.send('GET', '/get/visit')).json).toEqual({ value: null });
      }
      expect(await countOf(admin), 'an expired visitor coming back is not a session').toBe(
        before + 1,
      );
    },
  },
];
