import { expect } from 'vitest';
import type { ScenarioClient } from './scenario-client.js';
import type { ScenarioContext } from './scenario-context.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';

/** One entry of `GET /user-sessions` (a `UserSessionInfo` as JSON). */
interface Listed {
  readonly handle: string;
  readonly current: boolean;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  readonly expiresAt: number;
  readonly info: Readonly<Record<string, string>>;
}

/** The users of one scenario run, made unique so runs sharing a server store never meet. */
const scenarioUsers = new WeakMap<ScenarioContext, { ada: string; bob: string }>();

/** The user IDs of this scenario run (`ada-…`, `bob-…`). */
function names(ctx: ScenarioContext): { ada: string; bob: string } {
  let users = scenarioUsers.get(ctx);
  if (users === undefined) {
    const suffix = crypto.randomUUID();
    users = { ada: `ada-${suffix}`, bob: `bob-${suffix}` };
    scenarioUsers.set(ctx, users);
  }
  return users;
}

/** A handle's shape: 22 base64url characters. */
const HANDLE = /^[A-Za-z0-9_-]{22}$/;

/** A new client of the scenario app, signed in as `user` from a device named `device`. */
async function signedIn(ctx: ScenarioContext, user: string, device: string) {
  const client = await ctx.client();
  const reply = await client.send('POST', '/sign-in', { user, info: { device } });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  expect(sessionCookie(reply.setCookies)).toBeDefined();
  return client;
}

/** The client's `GET /user-sessions` (which must answer 200), newest activity first. */
async function listOf(client: ScenarioClient): Promise<Listed[]> {
  const reply = await client.send('GET', '/user-sessions');
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return reply.json as Listed[];
}

/** The handle of the client's own session, as its listing marks it. */
async function ownHandle(client: ScenarioClient): Promise<string> {
  const current = (await listOf(client)).filter((entry) => entry.current);
  expect(current, 'exactly one current session').toHaveLength(1);
  return current[0]?.handle ?? '';
}

const userIdOf = async (client: ScenarioClient) =>
  ((await client.send('GET', '/user-id')).json as { userId: string | null }).userId;

const devices = (entries: readonly Listed[]) => entries.map((entry) => entry.info.device).sort();

/** Three clients signed in as ada (laptop, phone, tablet) and one as bob. */
async function threeDevices(ctx: ScenarioContext) {
  const laptop = await signedIn(ctx, names(ctx).ada, 'laptop');
  const phone = await signedIn(ctx, names(ctx).ada, 'phone');
  const tablet = await signedIn(ctx, names(ctx).ada, 'tablet');
  const bob = await signedIn(ctx, names(ctx).bob, 'desktop');
  return { laptop, phone, tablet, bob };
}

/**
 * Scenarios of a user's sessions ("your sessions" pages): sign in from several clients, list them,
 * revoke one by its handle, sign out everywhere else, and refuse handles that are not the user's.
 * They need a store with a user index and the manager handed to the scenario app.
 */
export const userSessionScenarios: readonly AdapterScenario[] = [
  {
    name: 'sign-in moves to a new ID and drops pre-sign-in data unless kept',
    needsUserIndex: true,
    async run(ctx) {
      const client = await ctx.client();
      await client.send('PUT', '/set/planted', 'attacker');
      await client.send('PUT', '/set/cart', ['book']);
      const before = client.cookies.get('sid');
      const reply = await client.send('POST', '/sign-in', { user: names(ctx).ada, keep: ['cart'] });
      expect(reply.status).toBe(200);
      expect(sessionCookie(reply.setCookies)).toBeDefined();
      expect(client.cookies.get('sid')?.slice(0, 43)).not.toBe(before?.slice(0, 43));
      expect((await client.send('GET', '/all')).json).toEqual({ cart: ['book'] });
      expect(await userIdOf(client)).toBe(names(ctx).ada);
      const replay = await client.send('GET', '/user-id', undefined, { cookie: `sid=${before}` });
      expect(replay.json, 'the pre-sign-in ID is dead').toEqual({ userId: null });
    },
  },
  {
    name: 'signed in from three clients: each lists the three, exactly one of them current',
    needsUserIndex: true,
    async run(ctx) {
      const { laptop, phone, tablet, bob } = await threeDevices(ctx);
      const handles = new Set<string>();
      for (const [device, client] of [
        ['laptop', laptop],
        ['phone', phone],
        ['tablet', tablet],
      ] as const) {
        const entries = await listOf(client);
        expect(devices(entries)).toEqual(['laptop', 'phone', 'tablet']);
        const current = entries.filter((entry) => entry.current);
        expect(current, `${device}: exactly one current session`).toHaveLength(1);
        expect(current[0]?.info).toEqual({ device });
        for (const entry of entries) {
          expect(entry.handle).toMatch(HANDLE);
          expect(entry.createdAt).toBeLessThanOrEqual(entry.lastActiveAt);
          expect(entry.expiresAt).toBeGreaterThan(entry.lastActiveAt);
          // A handle names a session without ever being its cookie.
          expect(client.cookieHeader()).not.toContain(entry.handle);
          handles.add(entry.handle);
        }
      }
      expect(handles.size, 'every client sees the same three handles').toBe(3);
      expect(devices(await listOf(bob))).toEqual(['desktop']);
    },
  },
  {
    name: 'revoking one session by its handle: its next request is anonymous, two remain',
    needsUserIndex: true,
    async run(ctx) {
      const { laptop, phone, tablet, bob } = await threeDevices(ctx);
      const handle = await ownHandle(tablet);
      const revoked = await laptop.send('DELETE', `/user-session/${handle}`);
      expect(revoked.status).toBe(200);
      expect(revoked.json).toEqual({ revoked: true });

      expect(await userIdOf(tablet)).toBeNull();
      expect((await tablet.send('GET', '/user-sessions')).status).toBe(401);
      expect(devices(await listOf(laptop))).toEqual(['laptop', 'phone']);
      expect(await userIdOf(phone)).toBe(names(ctx).ada);
      expect(await userIdOf(bob)).toBe(names(ctx).bob);

      const again = await laptop.send('DELETE', `/user-session/${handle}`);
      expect(again.status, 'a revoked handle names nothing').toBe(404);
      expect(again.json).toEqual({ revoked: false });
    },
  },
  {
    name: 'signing out everywhere else: only the current session survives',
    needsUserIndex: true,
    async run(ctx) {
      const { laptop, phone, tablet, bob } = await threeDevices(ctx);
      const reply = await phone.send('POST', '/revoke-others');
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ revoked: 2 });

      expect(await userIdOf(laptop)).toBeNull();
      expect(await userIdOf(tablet)).toBeNull();
      expect((await laptop.send('GET', '/all')).json).toEqual({});
      const left = await listOf(phone);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ current: true, info: { device: 'phone' } });
      expect(await userIdOf(phone)).toBe(names(ctx).ada);
      expect(await userIdOf(bob), "another user's sessions are untouched").toBe(names(ctx).bob);
    },
  },
  {
    name: "another user's handle or a malformed one: 404 and nothing revoked; signed out: 401",
    needsUserIndex: true,
    async run(ctx) {
      const ada = await signedIn(ctx, names(ctx).ada, 'laptop');
      const bob = await signedIn(ctx, names(ctx).bob, 'desktop');
      const bobs = await ownHandle(bob);
      const adas = await ownHandle(ada);
      const attempts = [
        bobs,
        'A'.repeat(22),
        `${adas}x`,
        adas.slice(1),
        '!'.repeat(22),
        'not-a-handle',
      ];
      for (const handle of attempts) {
        const reply = await ada.send('DELETE', `/user-session/${handle}`);
        expect(reply.status, `handle ${JSON.stringify(handle)}`).toBe(404);
        expect(reply.json).toEqual({ revoked: false });
      }
      expect(await userIdOf(bob)).toBe(names(ctx).bob);
      expect(await ownHandle(bob)).toBe(bobs);
      expect(await userIdOf(ada)).toBe(names(ctx).ada);
      expect((await listOf(ada)).map((entry) => entry.handle)).toEqual([adas]);

      const stranger = await ctx.client();
      await stranger.send('PUT', '/set/a', 1);
      for (const [method, path] of [
        ['GET', '/user-sessions'],
        ['DELETE', `/user-session/${adas}`],
        ['POST', '/revoke-others'],
      ] as const) {
        const reply = await stranger.send(method, path);
        expect(reply.status, `${method} ${path} while not signed in`).toBe(401);
      }
      expect(await ownHandle(ada)).toBe(adas);
    },
  },
];
