import { expect } from 'vitest';
import { ScenarioClient } from './scenario-client.js';
import type { ScenarioContext } from './scenario-context.js';

/** One adapter scenario: a named async check over a fresh {@link ScenarioContext}. */
export interface AdapterScenario {
  readonly name: string;
  /**
   * True when the scenario moves {@link ScenarioContext.clock} to expire sessions. It then runs
   * only on a store that reads that clock (`usesClock: true`, like the default memory store); on a
   * store that keeps real time (Redis, Postgres) it is reported as skipped, with the reason.
   */
  readonly needsManualClock?: boolean;
  /**
   * True when the scenario lists or revokes a user's sessions. It then runs only on a store with a
   * user index (`capabilities.userIndex`, like the memory store); on another it is reported as
   * skipped, with the reason.
   */
  readonly needsUserIndex?: boolean;
  /**
   * True when the scenario uses `session.update` (optimistic compare-and-set). It then runs only
   * on a store with `capabilities.conditionalPatch`; on another it is reported as skipped.
   */
  readonly needsConditionalPatch?: boolean;
  /**
   * True when the scenario counts the store's sessions (`manager.countSessions`). It then runs only
   * on a store with `capabilities.count`; on another it is reported as skipped.
   */
  readonly needsCount?: boolean;
  /**
   * True when the scenario purges expired sessions (`manager.purgeExpired`). It then runs only on a
   * store with `capabilities.deleteExpired`; on another it is reported as skipped.
   */
  readonly needsPurge?: boolean;
  readonly run: (context: ScenarioContext) => Promise<void>;
}

const TOKEN = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

/** The one session `Set-Cookie` line of a reply (failing when there are several). */
export function sessionCookie(setCookies: readonly string[], name = 'sid'): string | undefined {
  const lines = setCookies.filter((line) => line.startsWith(`${name}=`));
  expect(lines.length, `Set-Cookie lines for ${name}`).toBeLessThanOrEqual(1);
  return lines[0];
}

/**
 * Scenarios of the ordinary lifecycle: store calls, cookies, regenerate, sign-in and sign-out,
 * flash values, concurrency.
 */
export const basicScenarios: readonly AdapterScenario[] = [
  {
    name: 'a new visitor who never touches the session: no store call, no Set-Cookie',
    async run(ctx) {
      const client = await ctx.client();
      const reply = await client.send('GET', '/untouched');
      expect(reply.status).toBe(200);
      expect(reply.setCookies).toEqual([]);
      expect(ctx.calls).toEqual([]);
    },
  },
  {
    name: 'a returning visitor on an untouched route: no store call, no Set-Cookie',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 1);
      ctx.resetCalls();
      const reply = await client.send('GET', '/untouched');
      expect(reply.setCookies).toEqual([]);
      expect(ctx.calls).toEqual([]);
    },
  },
  {
    name: 'a write creates the session: one create, one Set-Cookie with safe attributes',
    async run(ctx) {
      const client = await ctx.client();
      const reply = await client.send('PUT', '/set/a', { n: 1 });
      expect(reply.status).toBe(200);
      expect(ctx.calls).toEqual(['create']);
      const cookie = sessionCookie(reply.setCookies) ?? '';
      const [pair = '', ...attributes] = cookie.split('; ');
      expect(pair.slice(4)).toMatch(TOKEN);
      expect(attributes).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']),
      );
      expect(attributes.some((a) => a.startsWith('Max-Age='))).toBe(true);
    },
  },
  {
    name: 'a read costs one load and sets no cookie',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 'x');
      ctx.resetCalls();
      const reply = await client.send('GET', '/get/a');
      expect(reply.json).toEqual({ value: 'x' });
      expect(ctx.calls).toEqual(['load']);
      expect(reply.setCookies).toEqual([]);
    },
  },
  {
    name: 'a change costs one load and one patch',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 1);
      ctx.resetCalls();
      await client.send('PUT', '/set/b', 2);
      expect(ctx.calls).toEqual(['load', 'patch']);
      expect((await client.send('GET', '/all')).json).toEqual({ a: 1, b: 2 });
    },
  },
  {
    name: 'remove and clear',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 1);
      await client.send('PUT', '/set/b', 2);
      await client.send('DELETE', '/key/a');
      expect((await client.send('GET', '/all')).json).toEqual({ b: 2 });
      await client.send('POST', '/clear');
      expect((await client.send('GET', '/all')).json).toEqual({});
    },
  },
  {
    name: 'regenerate: new ID, data kept, old cookie dead',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/cart', ['book']);
      const before = client.cookies.get('sid');
      const reply = await client.send('POST', '/regenerate');
      expect(sessionCookie(reply.setCookies)).toBeDefined();
      const after = client.cookies.get('sid');
      expect(after?.slice(0, 43)).not.toBe(before?.slice(0, 43));
      expect((await client.send('GET', '/get/cart')).json).toEqual({ value: ['book'] });
      const replay = await client.send('GET', '/get/cart', undefined, { cookie: `sid=${before}` });
      expect(replay.json).toEqual({ value: null });
    },
  },
  {
    name: 'sign-in redirect carries the new cookie; pre-login data is dropped; the flash shows once',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/planted', 'attacker');
      const before = client.cookies.get('sid');
      const reply = await client.send('POST', '/login', 'ada');
      expect(reply.status).toBe(303);
      expect(reply.headers.get('location')).toBe('/');
      expect(sessionCookie(reply.setCookies)).toBeDefined();
      expect(client.cookies.get('sid')).not.toBe(before);
      expect((await client.send('GET', '/all')).json).toEqual({ user: 'ada' });
      expect((await client.send('GET', '/flash')).json).toEqual({ value: 'signed in' });
      expect((await client.send('GET', '/flash')).json).toEqual({ value: null });
    },
  },
  {
    name: 'sign-out redirect deletes the cookie with the original attributes and the server state',
    async run(ctx) {
      const client = await ctx.client();
      const created =
        sessionCookie((await client.send('PUT', '/set/user', 'ada')).setCookies) ?? '';
      const old = client.cookies.get('sid');
      const reply = await client.send('POST', '/logout');
      expect(reply.status).toBe(303);
      const deletion = sessionCookie(reply.setCookies) ?? '';
      expect(deletion).toMatch(/^sid=; /);
      expect(deletion).toContain('Max-Age=0');
      const attributes = (line: string) =>
        line
          .split('; ')
          .slice(1)
          .filter((a) => !/^(Max-Age|Expires)=/.test(a));
      expect(attributes(deletion)).toEqual(attributes(created));
      expect(client.cookies.has('sid')).toBe(false);
      const replay = await client.send('GET', '/get/user', undefined, { cookie: `sid=${old}` });
      expect(replay.json).toEqual({ value: null });
    },
  },
  {
    name: 'explicit save persists even when the handler then fails',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/a', 1);
      const reply = await client.send('PUT', '/save-then-throw/b', 2);
      expect(reply.status).toBe(500);
      expect((await client.send('GET', '/all')).json).toEqual({ a: 1, b: 2 });
    },
  },
  {
    name: 'remember me: the cookie lives 14 days (idle 14d within a 30d absolute limit)',
    async run(ctx) {
      const client = await ctx.client();
      const reply = await client.send('POST', '/remember');
      expect(sessionCookie(reply.setCookies)).toContain('Max-Age=1209600');
    },
  },
  {
    name: 'concurrent requests to one session writing different keys all survive',
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/base', 0);
      const cookie = client.cookieHeader();
      const app = await ctx.app();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new ScenarioClient(app).send('PUT', `/set/pref-${i}`, i, { cookie }),
        ),
      );
      const all = (await client.send('GET', '/all')).json as Record<string, number>;
      expect(Object.keys(all)).toHaveLength(21);
      for (let i = 0; i < 20; i++) expect(all[`pref-${i}`]).toBe(i);
    },
  },
];
