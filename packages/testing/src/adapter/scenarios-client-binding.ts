import { generateSessionId, type SessionEvent } from '@sessions/core';
import { expect } from 'vitest';
import { ScenarioClient, type ScenarioReply } from './scenario-client.js';
import type { ScenarioContext } from './scenario-context.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';

/** Who a request claims to come from: its `User-Agent`, and its `X-Forwarded-For` client IP. */
interface Origin {
  readonly userAgent: string;
  readonly ip: string;
}

const ADA: Origin = { userAgent: 'Mozilla/5.0 (Ada; scenario)', ip: '203.0.113.7' };
const THIEF: Origin = { userAgent: 'curl/8.0 (scenario thief)', ip: '198.51.100.66' };

/**
 * A client of `app` sending as `origin`: the adapter scenario apps take the client address from
 * `X-Forwarded-For`, each through its framework's trust-proxy setting (see `createApp`).
 */
class OriginClient extends ScenarioClient {
  origin: Origin;

  constructor(app: ConstructorParameters<typeof ScenarioClient>[0], origin: Origin) {
    super(app);
    this.origin = origin;
  }

  override send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScenarioReply> {
    return super.send(method, path, body, {
      'user-agent': this.origin.userAgent,
      'x-forwarded-for': this.origin.ip,
      ...headers,
    });
  }
}

/** An app with `binding` (and events recorded), and a client of it for each origin. */
async function boundApp(ctx: ScenarioContext, binding: Record<string, unknown> | undefined) {
  const events: SessionEvent[] = [];
  const app = await ctx.appWith({ binding, onEvent: (event) => events.push(event) });
  const client = (origin: Origin) => new OriginClient(app, origin);
  return { events, client };
}

/** The thief's client, holding a copy of `victim`'s session cookie. */
function copyCookie(victim: ScenarioClient, thief: ScenarioClient): string {
  const cookie = victim.cookies.get('sid');
  expect(cookie, 'the victim has a session cookie').toBeDefined();
  thief.cookies.set('sid', cookie as string);
  return cookie as string;
}

const mismatches = (events: readonly SessionEvent[]) =>
  events.filter((event) => event.type === 'session-binding-mismatch');

/**
 * Client binding (the manager's `binding` option) and custom ID generators (`generateId`) through
 * each framework: the adapter must hand core the framework's client address.
 */
export const clientBindingScenarios: readonly AdapterScenario[] = [
  {
    name: 'client binding is off by default: a copied cookie opens from any user agent and IP',
    async run(ctx) {
      const { client } = await boundApp(ctx, undefined);
      const ada = client(ADA);
      await ada.send('PUT', '/set/user', 'ada');
      const thief = client(THIEF);
      copyCookie(ada, thief);
      expect((await thief.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
    },
  },
  {
    name: 'user-agent binding: another user agent presenting the cookie has no session, the owner keeps it',
    async run(ctx) {
      const { client, events } = await boundApp(ctx, { userAgent: true });
      const ada = client(ADA);
      await ada.send('PUT', '/set/user', 'ada');
      // Same user agent, another IP: only the user agent is bound.
      const moved = client({ ...ADA, ip: THIEF.ip });
      copyCookie(ada, moved);
      expect((await moved.send('GET', '/get/user')).json).toEqual({ value: 'ada' });

      const thief = client({ ...THIEF, ip: ADA.ip });
      copyCookie(ada, thief);
      ctx.resetCalls();
      const stolen = await thief.send('GET', '/get/user');
      expect(stolen.status).toBe(200);
      expect(stolen.json).toEqual({ value: null });
      expect(stolen.setCookies).toEqual([]);
      expect(ctx.calls, 'one load, nothing written or destroyed').toEqual(['load']);
      expect(mismatches(events)).toHaveLength(1);
      expect(JSON.stringify(events)).not.toContain('curl');
      expect((await ada.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
    },
  },
  {
    name: "IP binding: the adapter passes the framework's client address; another IP has no session",
    async run(ctx) {
      const { client, events } = await boundApp(ctx, { ip: true });
      const ada = client(ADA);
      const created = await ada.send('PUT', '/set/user', 'ada');
      expect(created.status, JSON.stringify(created.json)).toBe(200);
      expect((await ada.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
      const elsewhere = client({ ...ADA, ip: '203.0.113.8' });
      copyCookie(ada, elsewhere);
      expect((await elsewhere.send('GET', '/get/user')).json).toEqual({ value: null });
      expect(mismatches(events)).toHaveLength(1);
      expect((await ada.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
    },
  },
  {
    name: 'IP network binding: a new address in the same /24 keeps the session, another network does not',
    async run(ctx) {
      const { client } = await boundApp(ctx, { ip: { v4Prefix: 24, v6Prefix: 64 } });
      const phone = client(ADA);
      await phone.send('PUT', '/set/n', 1);
      phone.origin = { ...ADA, ip: '203.0.113.250' };
      expect((await phone.send('GET', '/get/n')).json).toEqual({ value: 1 });
      phone.origin = { ...ADA, ip: '203.0.114.7' };
      expect((await phone.send('GET', '/get/n')).json).toEqual({ value: null });
    },
  },
  {
    name: "a mismatched client's write gets a new session under a new ID, and its logout ends nothing",
    async run(ctx) {
      const { client } = await boundApp(ctx, { userAgent: true, ip: true });
      const ada = client(ADA);
      await ada.send('PUT', '/set/user', 'ada');
      const thief = client(THIEF);
      const copied = copyCookie(ada, thief);
      const written = await thief.send('PUT', '/set/user', 'mallory');
      const issued = sessionCookie(written.setCookies);
      expect(issued, 'a new session cookie').toBeDefined();
      const newToken = thief.cookies.get('sid') as string;
      expect(newToken.split('.')[0]).not.toBe(copied.split('.')[0]);
      thief.cookies.set('sid', copied);
      ctx.resetCalls();
      await thief.send('POST', '/logout');
      expect(ctx.calls, 'the foreign logout destroys nothing').not.toContain('destroy');
      expect((await ada.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
      await ada.send('POST', '/logout');
      expect((await ada.send('GET', '/get/user')).json).toEqual({ value: null });
    },
  },
  {
    name: 'a fingerprint from the app: checked on use, never computed for an untouched request',
    async run(ctx) {
      let computed = 0;
      const fingerprint = (request: { headers: { get(name: string): string | null } }) => {
        computed++;
        return request.headers.get('x-device') ?? '';
      };
      const { client } = await boundApp(ctx, { fingerprint });
      const ada = client(ADA);
      await ada.send('PUT', '/set/n', 1, { 'x-device': 'tablet-1' });
      expect(computed).toBe(1);
      computed = 0;
      const untouched = await ada.send('GET', '/untouched', undefined, { 'x-device': 'other' });
      expect(untouched.status).toBe(200);
      expect(computed, 'an untouched request computes no binding').toBe(0);
      expect((await ada.send('GET', '/get/n', undefined, { 'x-device': 'tablet-1' })).json).toEqual(
        { value: 1 },
      );
      expect((await ada.send('GET', '/get/n', undefined, { 'x-device': 'phone-2' })).json).toEqual({
        value: null,
      });
    },
  },
  {
    name: 'signIn re-binds the session: the signed-in session opens only for the client that signed in',
    async run(ctx) {
      const { client } = await boundApp(ctx, { userAgent: true });
      const ada = client(ADA);
      const reply = await ada.send('POST', '/sign-in', { user: `ada-${crypto.randomUUID()}` });
      expect(reply.status, JSON.stringify(reply.json)).toBe(200);
      expect((await ada.send('GET', '/user-id')).json).not.toEqual({ userId: null });
      const thief = client(THIEF);
      copyCookie(ada, thief);
      expect((await thief.send('GET', '/user-id')).json).toEqual({ userId: null });
    },
  },
  {
    name: 'custom ID generator: tenant-prefixed IDs work end to end, and a presented ID is never adopted',
    async run(ctx) {
      const app = await ctx.appWith({ generateId: () => `acme_${generateSessionId()}` });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/user', 'ada');
      const token = client.cookies.get('sid') as string;
      expect(token).toMatch(/^acme_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect((await client.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
      await client.send('POST', '/regenerate');
      const regenerated = client.cookies.get('sid') as string;
      expect(regenerated).toMatch(/^acme_/);
      expect(regenerated).not.toBe(token);
      expect((await client.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
      // The old token is validly signed but names no session: a write mints a new ID.
      const replay = new ScenarioClient(app);
      replay.cookies.set('sid', token);
      const written = await replay.send('PUT', '/set/user', 'mallory');
      expect(sessionCookie(written.setCookies)).toBeDefined();
      const minted = replay.cookies.get('sid') as string;
      expect(minted).toMatch(/^acme_/);
      expect(minted.split('.')[0]).not.toBe(token.split('.')[0]);
      expect((await client.send('GET', '/get/user')).json).toEqual({ value: 'ada' });
    },
  },
];
