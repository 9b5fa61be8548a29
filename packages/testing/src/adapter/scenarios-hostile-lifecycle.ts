import {
  hashSessionId,
  type SessionRecord,
  type SessionStore,
  storedValueByteLength,
} from '@sessions/core';
import { expect } from 'vitest';
import type { AdapterDriver } from './adapter-driver.js';
import { ScenarioClient, type ScenarioReply } from './scenario-client.js';
import type { ScenarioContext } from './scenario-context.js';
import { holdScenarioRequest } from './scenario-gates.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';
import { stubSessionIds } from './session-id-stub.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ID_LENGTH = 43;

/** Statuses the data scenarios map the value errors to (`errorStatus`), so each is recognisable. */
const TYPED_STATUS = { INVALID_VALUE: 422, INVALID_KEY: 400, PAYLOAD_TOO_LARGE: 413 } as const;

/** The session ID part of a cookie value (`<id>.<signature>`), failing when there is none. */
function idOf(token: string | undefined): string {
  expect(token, 'a session cookie').toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
  return (token as string).slice(0, ID_LENGTH);
}

/** The store key of the session a cookie value names (SHA-256 of the ID, as the engine makes it). */
function storeKeyOf(token: string | undefined): Promise<string> {
  return hashSessionId(idOf(token));
}

/** A new client of `app` whose jar holds `token` as its session cookie. */
function jar(app: AdapterDriver, token: string | undefined): ScenarioClient {
  const client = new ScenarioClient(app);
  if (token !== undefined) client.cookies.set('sid', token);
  return client;
}

/** The session cookies a reply issues (deletion cookies left out). */
function issued(reply: { readonly setCookies: readonly string[] }): string[] {
  return reply.setCookies.filter((line) => line.startsWith('sid=') && !/^sid=;/.test(line));
}

/** A name no other scenario run uses (gates, keys). */
function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** JSON with object keys sorted, own `__proto__` keys included, to compare hostile data exactly. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const fields = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Sends `text` as the raw request body (for JSON a client's `JSON.stringify` cannot produce). */
async function sendText(
  app: AdapterDriver,
  method: string,
  path: string,
  text: string,
  token?: string,
): Promise<{ status: number; setCookies: string[] }> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (token !== undefined) headers.set('cookie', `sid=${token}`);
  const response = await app.fetch(
    new Request(`http://localhost${path}`, { method, headers, body: text }),
  );
  await response.arrayBuffer();
  return { status: response.status, setCookies: response.headers.getSetCookie() };
}

/** `store`, except that `load(key)` always returns `record`, as a store that forgets expiry would. */
function returning(store: SessionStore, key: string, record: SessionRecord): SessionStore {
  return {
    name: `${store.name} (returning an expired record)`,
    capabilities: store.capabilities,
    load: async (k) => {
      const loaded = await store.load(k);
      return k === key ? record : loaded;
    },
    create: (k, r) => store.create(k, r),
    patch: (k, p) => store.patch(k, p),
    touch: (k, at) => store.touch(k, at),
    rotate: (from, to, p) => store.rotate(from, to, p),
    destroy: (k) => store.destroy(k),
  };
}

/** Asserts that `token` names no session: anonymous on read, unknown to the store. */
async function expectDead(
  ctx: ScenarioContext,
  app: AdapterDriver,
  token: string | undefined,
  what: string,
): Promise<void> {
  const replay = jar(app, token);
  const all = await replay.send('GET', '/all');
  expect(all.json, `${what}: data`).toEqual({});
  expect(issued(all), `${what}: no cookie issued on a read`).toEqual([]);
  expect((await replay.send('GET', '/user-id')).json, `${what}: user`).toEqual({ userId: null });
  expect(await ctx.store.load(await storeKeyOf(token)), `${what}: store record`).toBeUndefined();
}

/**
 * Plants an attacker's session in a victim's jar, lets the victim sign in with `signIn`, and
 * checks that the planted ID is dead afterwards. Returns the clients and tokens for more checks.
 */
async function plantThenSignIn(
  ctx: ScenarioContext,
  plant: Record<string, unknown>,
  signIn: (victim: ScenarioClient) => Promise<ScenarioReply>,
) {
  const app = await ctx.app();
  const attacker = new ScenarioClient(app);
  for (const [key, value] of Object.entries(plant))
    await attacker.send('PUT', `/set/${key}`, value);
  const planted = attacker.cookies.get('sid');
  const victim = jar(app, planted);
  expect((await victim.send('GET', '/all')).json, 'the victim sees the planted session').toEqual(
    plant,
  );
  ctx.resetCalls();
  const reply = await signIn(victim);
  expect(reply.status, 'sign-in').toBeLessThan(400);
  expect(ctx.calls, 'sign-in rotates the planted record away').toEqual(['load', 'rotate']);
  expect(sessionCookie(reply.setCookies), 'sign-in issues a new cookie').toBeDefined();
  const signedIn = victim.cookies.get('sid');
  expect(idOf(signedIn), 'a new ID after sign-in').not.toBe(idOf(planted));
  await expectDead(ctx, app, planted, 'the planted ID after sign-in');
  // The attacker writing with the planted ID gets a fresh session, never the victim's.
  ctx.resetCalls();
  await attacker.send('PUT', '/set/again', 'attacker');
  expect(ctx.calls, 'a write with the planted ID creates').toEqual(['load', 'create']);
  const minted = idOf(attacker.cookies.get('sid'));
  expect(minted).not.toBe(idOf(planted));
  expect(minted).not.toBe(idOf(signedIn));
  expect((await attacker.send('GET', '/user-id')).json).toEqual({ userId: null });
  return { app, victim, planted, signedIn };
}

/**
 * Lifecycle, data and concurrency attacks over HTTP: fixation, logout replay, expiry boundaries,
 * expired-but-present records, forced ID collisions, hostile values, and parallel requests racing
 * each other. Store-agnostic: the scenarios that move the clock declare `needsManualClock`.
 */
export const hostileLifecycleScenarios: readonly AdapterScenario[] = [
  {
    name: 'fixation: a planted session is dead after sign-in, and its data stays behind',
    async run(ctx) {
      const { victim } = await plantThenSignIn(ctx, { planted: 'attacker', role: 'admin' }, (v) =>
        v.send('POST', '/sign-in', { user: 'victim' }),
      );
      expect((await victim.send('GET', '/user-id')).json).toEqual({ userId: 'victim' });
      expect((await victim.send('GET', '/all')).json, 'nothing planted carried over').toEqual({});
    },
  },
  {
    name: 'fixation: sign-in keeps only the keys it lists; the planted ID still dies',
    async run(ctx) {
      const { victim } = await plantThenSignIn(ctx, { cart: ['book'], role: 'admin' }, (v) =>
        v.send('POST', '/sign-in', { user: 'victim', keep: ['cart'] }),
      );
      expect((await victim.send('GET', '/user-id')).json).toEqual({ userId: 'victim' });
      expect((await victim.send('GET', '/all')).json).toEqual({ cart: ['book'] });
    },
  },
  {
    name: 'fixation: POST /login (regenerate with keep: []) kills the planted ID too',
    async run(ctx) {
      const { victim } = await plantThenSignIn(ctx, { role: 'admin' }, (v) =>
        v.send('POST', '/login', 'ada'),
      );
      expect((await victim.send('GET', '/all')).json).toEqual({ user: 'ada' });
    },
  },
  {
    name: 'logout replay: the old cookie stays anonymous, and a write with it mints a new ID',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/secret', 's3cret');
      await client.send('POST', '/sign-in', { user: 'ada', keep: ['secret'] });
      const old = client.cookies.get('sid');
      const logout = await client.send('POST', '/logout');
      expect(logout.status).toBe(303);
      expect(client.cookies.has('sid'), 'the deletion cookie was honoured').toBe(false);
      await expectDead(ctx, app, old, 'the logged-out cookie');
      const replay = jar(app, old);
      ctx.resetCalls();
      const write = await replay.send('PUT', '/set/x', 1);
      expect(write.status).toBe(200);
      expect(ctx.calls, 'a new session is created, the old record is not patched').toEqual([
        'load',
        'create',
      ]);
      expect(idOf(replay.cookies.get('sid'))).not.toBe(idOf(old));
      expect((await replay.send('GET', '/all')).json).toEqual({ x: 1 });
      expect((await replay.send('GET', '/user-id')).json).toEqual({ userId: null });
      // Logging out again with the old cookie revives nothing either.
      const again = await jar(app, old).send('POST', '/logout');
      expect(again.status).toBe(303);
      expect(issued(again)).toEqual([]);
      await expectDead(ctx, app, old, 'the logged-out cookie, replayed again');
    },
  },
  {
    name: 'idle expiry at its boundary: live at expiresAt - 1 ms, gone at expiresAt',
    needsManualClock: true,
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '30m' } });
      const a = new ScenarioClient(app);
      const b = new ScenarioClient(app);
      await a.send('PUT', '/set/v', 'a');
      await b.send('PUT', '/set/v', 'b');
      const bToken = b.cookies.get('sid');
      ctx.clock.advance(30 * MINUTE - 1);
      expect((await a.send('GET', '/get/v')).json, 'a at expiresAt - 1').toEqual({ value: 'a' });
      ctx.clock.advance(1);
      ctx.resetCalls();
      const gone = await b.send('GET', '/get/v');
      expect(gone.json, 'b at expiresAt').toEqual({ value: null });
      expect(issued(gone)).toEqual([]);
      expect(ctx.calls).toEqual(['load']);
      expect(await ctx.store.load(await storeKeyOf(bToken)), 'the store agrees').toBeUndefined();
      // a's read at expiresAt - 1 slid its deadline to (now - 1) + 30m: the same boundary again.
      ctx.clock.advance(30 * MINUTE - 2);
      expect((await a.send('GET', '/get/v')).json, 'a at its slid expiresAt - 1').toEqual({
        value: 'a',
      });
      ctx.clock.advance(30 * MINUTE);
      expect((await a.send('GET', '/get/v')).json, 'a at its slid expiresAt').toEqual({
        value: null,
      });
      // A write with the expired cookie starts a new session; it never revives b.
      ctx.resetCalls();
      await b.send('PUT', '/set/w', 1);
      expect(ctx.calls).toEqual(['load', 'create']);
      expect(idOf(b.cookies.get('sid'))).not.toBe(idOf(bToken));
      expect((await b.send('GET', '/all')).json).toEqual({ w: 1 });
    },
  },
  {
    name: 'absolute expiry at its boundary: activity, regenerate and sign-in never extend it',
    needsManualClock: true,
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '30m', absolute: '1h' } });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/v', 1);
      ctx.clock.advance(20 * MINUTE);
      await client.send('POST', '/regenerate');
      ctx.clock.advance(20 * MINUTE);
      const signIn = await client.send('POST', '/sign-in', { user: 'ada', keep: ['v'] });
      const cookie = sessionCookie(signIn.setCookies) ?? '';
      const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
      expect(maxAge, 'the cookie outlives the absolute deadline').toBeLessThanOrEqual(20 * 60);
      ctx.clock.advance(20 * MINUTE - 2);
      await client.send('PUT', '/set/w', 2);
      ctx.clock.advance(1);
      expect((await client.send('GET', '/get/v')).json, 'at the deadline - 1').toEqual({
        value: 1,
      });
      expect((await client.send('GET', '/user-id')).json).toEqual({ userId: 'ada' });
      const token = client.cookies.get('sid');
      ctx.clock.advance(1);
      expect((await client.send('GET', '/get/v')).json, 'at the deadline').toEqual({
        value: null,
      });
      expect((await client.send('GET', '/user-id')).json).toEqual({ userId: null });
      expect(await ctx.store.load(await storeKeyOf(token)), 'the store agrees').toBeUndefined();
    },
  },
  {
    name: "a session past its idle deadline on the store's own clock is gone, and stays gone",
    async run(ctx) {
      const app = await ctx.appWith({ expiry: { idle: '1s' } });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/v', 'short');
      const token = client.cookies.get('sid');
      expect((await client.send('GET', '/get/v')).json, 'live at first').toEqual({
        value: 'short',
      });
      // Measured after the read, which may have slid the deadline (by at most this much).
      const created = Date.now();
      if (ctx.usesClock) ctx.clock.advance(1_000);
      else await new Promise((resolve) => setTimeout(resolve, created + 1_150 - Date.now()));
      ctx.resetCalls();
      const read = await client.send('GET', '/get/v');
      expect(read.json, 'past the idle deadline').toEqual({ value: null });
      expect(issued(read)).toEqual([]);
      expect(ctx.calls).toEqual(['load']);
      ctx.resetCalls();
      await client.send('PUT', '/set/w', 1);
      expect(ctx.calls, 'a write creates a new session').toEqual(['load', 'create']);
      expect(idOf(client.cookies.get('sid'))).not.toBe(idOf(token));
      expect((await client.send('GET', '/all')).json).toEqual({ w: 1 });
      await expectDead(ctx, app, token, 'the expired cookie');
    },
  },
  {
    name: 'an expired record still present in the store is no session, even if the store returns it',
    async run(ctx) {
      const app = await ctx.app();
      const owner = new ScenarioClient(app);
      await owner.send('PUT', '/set/v', 'old');
      const token = owner.cookies.get('sid');
      const key = await storeKeyOf(token);
      const record = await ctx.store.load(key);
      expect(record).toBeDefined();
      const live = record as SessionRecord;
      const now = ctx.clock.now();
      const variants: [string, SessionRecord][] = [
        ['past its expiry', { ...live, expiresAt: now - 1_000 }],
        [
          'past its absolute deadline',
          {
            ...live,
            expiresAt: now + HOUR,
            meta: { ...live.meta, absoluteExpiresAt: now - 1_000 },
          },
        ],
      ];
      for (const [label, expired] of variants) {
        await ctx.store.destroy(key);
        expect(await ctx.store.create(key, expired), `${label}: written back`).toBe('created');
        const apps: [string, AdapterDriver][] = [
          ['the store under test', app],
          [
            'a store returning it anyway',
            await ctx.appWith({ store: returning(ctx.store, key, expired) }),
          ],
        ];
        for (const [storeLabel, driver] of apps) {
          const what = `${label}, ${storeLabel}`;
          const replay = jar(driver, token);
          ctx.resetCalls();
          const read = await replay.send('GET', '/get/v');
          expect(read.json, what).toEqual({ value: null });
          expect(issued(read), what).toEqual([]);
          expect(ctx.calls, what).toEqual(['load']);
          ctx.resetCalls();
          expect((await replay.send('PUT', '/set/w', 1)).status, what).toBe(200);
          expect(ctx.calls, `${what}: a new session, the record not patched`).toEqual([
            'load',
            'create',
          ]);
          expect(idOf(replay.cookies.get('sid')), what).not.toBe(idOf(token));
          expect((await replay.send('GET', '/all')).json, what).toEqual({ w: 1 });
          // Signing in with it, even keeping its keys, starts afresh: nothing is carried over.
          const signer = jar(driver, token);
          ctx.resetCalls();
          expect(
            (await signer.send('POST', '/sign-in', { user: 'ada', keep: ['v'] })).status,
            what,
          ).toBe(200);
          expect(ctx.calls, `${what}: sign-in creates, never rotates the record`).toEqual([
            'load',
            'create',
          ]);
          expect(idOf(signer.cookies.get('sid')), what).not.toBe(idOf(token));
          expect((await signer.send('GET', '/all')).json, `${what}: signed in`).toEqual({});
          expect((await signer.send('GET', '/user-id')).json, what).toEqual({ userId: 'ada' });
        }
      }
      expect((await owner.send('GET', '/all')).json, 'the old cookie').toEqual({});
    },
  },
  {
    name: 'a colliding ID on create: insert-only, retried with a fresh ID, never a shared session',
    async run(ctx) {
      const app = await ctx.app();
      const ids = stubSessionIds();
      try {
        const owner = new ScenarioClient(app);
        await owner.send('PUT', '/set/owner', 'alice');
        const ownerId = idOf(owner.cookies.get('sid'));
        expect(ids.minted, 'the stub sees the engine draw IDs').toContain(ownerId);
        ids.repeat(ownerId, 1);
        const other = new ScenarioClient(app);
        ctx.resetCalls();
        const reply = await other.send('PUT', '/set/owner', 'mallory');
        expect(ids.pending, 'the engine drew the colliding ID').toBe(0);
        expect(reply.status).toBe(200);
        expect(ctx.calls, 'a conflict, then a create under a fresh ID').toEqual([
          'create',
          'create',
        ]);
        expect(idOf(other.cookies.get('sid'))).not.toBe(ownerId);
        expect((await owner.send('GET', '/all')).json).toEqual({ owner: 'alice' });
        expect((await other.send('GET', '/all')).json).toEqual({ owner: 'mallory' });
        // Colliding with an expired record still present: created over it or retried, never
        // inheriting any of its data.
        const stale = new ScenarioClient(app);
        await stale.send('PUT', '/set/stale', 'old data');
        const staleToken = stale.cookies.get('sid');
        const staleKey = await storeKeyOf(staleToken);
        const record = (await ctx.store.load(staleKey)) as SessionRecord;
        await ctx.store.destroy(staleKey);
        await ctx.store.create(staleKey, { ...record, expiresAt: ctx.clock.now() - 1_000 });
        ids.repeat(idOf(staleToken), 1);
        const next = new ScenarioClient(app);
        ctx.resetCalls();
        expect((await next.send('PUT', '/set/mine', 1)).status).toBe(200);
        expect(ids.pending, 'the engine drew the expired ID').toBe(0);
        expect(ctx.calls.length === 1 || ctx.calls.length === 2, 'one or two creates').toBe(true);
        expect(ctx.calls.every((call) => call === 'create')).toBe(true);
        expect((await next.send('GET', '/all')).json, 'nothing inherited').toEqual({ mine: 1 });
        expect((await next.send('GET', '/user-id')).json).toEqual({ userId: null });
      } finally {
        ids.restore();
      }
    },
  },
  {
    name: "a colliding ID on regenerate and sign-in (another's or its own): retried, overwrites no one",
    async run(ctx) {
      const app = await ctx.app();
      const owner = new ScenarioClient(app);
      await owner.send('PUT', '/set/owner', 'alice');
      const ownerId = idOf(owner.cookies.get('sid'));
      const ids = stubSessionIds();
      try {
        for (const [route, body, collideWith] of [
          ['/regenerate', undefined, 'another'],
          ['/sign-in', { user: 'mallory', keep: ['owner'] }, 'another'],
          ['/regenerate', undefined, 'itself'],
          ['/sign-in', { user: 'mallory', keep: ['owner'] }, 'itself'],
        ] as const) {
          const path = `${route} colliding with ${collideWith}`;
          const other = new ScenarioClient(app);
          await other.send('PUT', '/set/owner', 'mallory');
          const before = other.cookies.get('sid');
          ids.repeat(collideWith === 'itself' ? idOf(before) : ownerId, 1);
          ctx.resetCalls();
          const reply = await other.send('POST', route, body);
          expect(ids.pending, `${path}: the engine drew the colliding ID`).toBe(0);
          expect(reply.status, path).toBe(200);
          expect(ctx.calls, `${path}: a conflict, then a rotation to a fresh ID`).toEqual([
            'load',
            'rotate',
            'rotate',
          ]);
          const after = idOf(other.cookies.get('sid'));
          expect(after, path).not.toBe(ownerId);
          expect(after, path).not.toBe(idOf(before));
          expect((await owner.send('GET', '/all')).json, path).toEqual({ owner: 'alice' });
          expect((await owner.send('GET', '/user-id')).json, path).toEqual({ userId: null });
          expect((await other.send('GET', '/all')).json, path).toEqual({ owner: 'mallory' });
          await expectDead(ctx, app, before, `${path}: the ID before`);
        }
      } finally {
        ids.restore();
      }
    },
  },
  {
    name: 'IDs that always collide: a typed CONFLICT, no cookie, and both sessions untouched',
    async run(ctx) {
      // CONFLICT maps to 409 here so the status proves the error's type through every framework.
      const app = await ctx.appWith({ errorStatus: { CONFLICT: 409 } });
      const owner = new ScenarioClient(app);
      await owner.send('PUT', '/set/owner', 'alice');
      const ownerId = idOf(owner.cookies.get('sid'));
      const other = new ScenarioClient(app);
      await other.send('PUT', '/set/owner', 'mallory');
      const otherToken = other.cookies.get('sid');
      const ids = stubSessionIds();
      try {
        ids.repeat(ownerId, Number.POSITIVE_INFINITY);
        const fresh = new ScenarioClient(app);
        ctx.resetCalls();
        const create = await fresh.send('PUT', '/set/owner', 'eve');
        expect(create.status, 'create').toBe(409);
        expect(sessionCookie(create.setCookies), 'create').toBeUndefined();
        expect(ctx.calls, 'a bounded number of attempts').toEqual(['create', 'create', 'create']);
        for (const [path, body] of [
          ['/regenerate', undefined],
          ['/sign-in', { user: 'mallory' }],
        ] as const) {
          ctx.resetCalls();
          const rotate = await other.send('POST', path, body);
          expect(rotate.status, path).toBe(409);
          expect(sessionCookie(rotate.setCookies), path).toBeUndefined();
          expect(ctx.calls, path).toEqual(['load', 'rotate', 'rotate', 'rotate']);
        }
      } finally {
        ids.restore();
      }
      expect(other.cookies.get('sid'), 'the jar kept its cookie').toBe(otherToken);
      expect((await other.send('GET', '/all')).json).toEqual({ owner: 'mallory' });
      expect((await other.send('GET', '/user-id')).json).toEqual({ userId: null });
      expect((await owner.send('GET', '/all')).json).toEqual({ owner: 'alice' });
    },
  },
  {
    name: 'prototype-pollution keys and values are plain data, and Object.prototype stays clean',
    async run(ctx) {
      const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/base', 0);
      const keys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
      // Nothing inherited reads as a stored value.
      for (const key of keys) {
        expect((await client.send('GET', `/get/${key}`)).json, key).toEqual({ value: null });
        expect((await client.send('POST', '/get-entry', { key })).json, key).toEqual({
          has: false,
          value: null,
        });
      }
      const hostile: unknown = JSON.parse(
        '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"$date":"2024-05-01T12:00:00.000Z","$$x":1,"$":2}',
      );
      for (const key of keys) {
        const reply = await client.send('POST', '/set-entry', { key, value: hostile });
        expect(reply.status, key).toBe(200);
      }
      await client.send('PUT', '/set/__proto__', hostile);
      const dateLike = { $date: '2024-05-01T12:00:00.000Z' };
      await client.send('PUT', '/set/$date', dateLike);
      // Read back in later requests, through the store.
      const all = (await client.send('GET', '/all')).json as Record<string, unknown>;
      expect(Object.keys(all).sort()).toEqual(['$date', 'base', ...keys].sort());
      for (const key of keys) {
        expect(canonical(all[key]), key).toBe(canonical(hostile));
        const one = (await client.send('POST', '/get-entry', { key })).json as {
          has: boolean;
          value: unknown;
        };
        expect(one.has, key).toBe(true);
        expect(canonical(one.value), key).toBe(canonical(hostile));
      }
      expect(all.$date, 'a date-shaped object is not revived as a Date').toEqual(dateLike);
      // The test process's prototypes are untouched.
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(Array.prototype).not.toHaveProperty('polluted');
    },
  },
  {
    name: 'hostile Unicode round-trips exactly; lone surrogates and control keys are typed 4xx',
    async run(ctx) {
      const app = await ctx.appWith({ errorStatus: TYPED_STATUS });
      const client = new ScenarioClient(app);
      const texts = [
        '👩‍👩‍👧‍👦',
        'مرحبا\u202Eevil\u202C',
        '\u200B\u200C\u200D\uFEFF',
        '\u{10FFFF}\u{E0001}',
        'e\u0301',
        'é',
        '\u2028\u2029',
        '\uFFFD\uFFFE\uFFFF',
        'İıß',
        '../%2F%00',
        ' ',
      ];
      const values: unknown[] = [
        ...texts,
        '\u0000nul\u001Fcontrol\u007F',
        '"\\\'`',
        '',
        0,
        false,
        null,
        {},
        [],
        Object.fromEntries(texts.map((text, i) => [text, i])),
        texts,
      ];
      for (const [i, key] of texts.entries()) {
        const reply = await client.send('POST', '/set-entry', { key, value: values[i] });
        expect(reply.status, JSON.stringify(key)).toBe(200);
      }
      for (const [i, value] of values.slice(texts.length).entries()) {
        await client.send('POST', '/set-entry', { key: `v${i}`, value });
      }
      // maxKeyLength counts UTF-16 units: 128 emoji make a 256-unit (512-byte) key.
      const longKey = '😀'.repeat(128);
      expect(
        (await client.send('POST', '/set-entry', { key: longKey, value: 'long' })).status,
      ).toBe(200);
      const expected = Object.fromEntries([
        [longKey, 'long'],
        ...texts.map((text, i) => [text, values[i]]),
        ...values.slice(texts.length).map((value, i) => [`v${i}`, value]),
      ]);
      const all = (await client.send('GET', '/all')).json;
      expect(canonical(all), 'keys and values, unnormalised').toBe(canonical(expected));
      expect(
        Object.keys(all as object).filter((key) => key.normalize('NFC') === 'é'),
        'é and e + U+0301 stay two keys',
      ).toHaveLength(2);
      // Outside the domain: typed errors, before any store call, nothing written.
      const rejected: [string, unknown, keyof typeof TYPED_STATUS][] = [
        ['lone high surrogate', '\uD800', 'INVALID_VALUE'],
        ['lone low surrogate inside', `a\uDC00b`, 'INVALID_VALUE'],
        ['nested lone surrogate', { list: ['ok', '\uD83D'] }, 'INVALID_VALUE'],
        ['lone surrogate in a nested key', { '\uDBFF': 1 }, 'INVALID_VALUE'],
      ];
      const keysRejected: [string, string][] = [
        ['lone surrogate key', '\uD800'],
        ['empty key', ''],
        ['NUL key', '\u0000'],
        ['flash-prefixed key', '\u0001flash:notice'],
        ['DEL key', 'a\u007F'],
        ['key over maxKeyLength', 'k'.repeat(257)],
      ];
      const attempts = [
        ...rejected.map(([label, value, code]) => ({ label, key: 'x', value, code })),
        ...keysRejected.map(([label, key]) => ({
          label,
          key,
          value: 1,
          code: 'INVALID_KEY' as const,
        })),
      ];
      const fresh = new ScenarioClient(app);
      for (const { label, key, value, code } of attempts) {
        ctx.resetCalls();
        const reply = await client.send('POST', '/set-entry', { key, value });
        expect({ status: reply.status, body: reply.json }, label).toEqual({
          status: TYPED_STATUS[code],
          body: { error: code },
        });
        expect(ctx.calls, `${label}: no store write`).toEqual(
          ctx.calls.filter((call) => call === 'load'),
        );
        expect(issued(reply), label).toEqual([]);
        ctx.resetCalls();
        const first = await fresh.send('POST', '/set-entry', { key, value });
        expect(first.status, `${label}, new visitor`).toBe(TYPED_STATUS[code]);
        expect(ctx.calls, `${label}, new visitor: no store call`).toEqual([]);
        expect(first.setCookies, `${label}, new visitor`).toEqual([]);
      }
      expect(await client.send('POST', '/get-entry', { key: 'k'.repeat(256) })).toMatchObject({
        status: 200,
        json: { has: false, value: null },
      });
      for (const [i, value] of values.slice(texts.length).entries()) {
        const one = await client.send('POST', '/get-entry', { key: `v${i}` });
        expect(canonical(one.json), `v${i} is stored, falsy or not`).toBe(
          canonical({ has: true, value }),
        );
      }
      // Through the framework's own error path, the status is the same.
      const thrown = await client.send('PUT', '/set/x', '\uD800');
      expect(thrown.status).toBe(TYPED_STATUS.INVALID_VALUE);
      expect(issued(thrown)).toEqual([]);
      expect(canonical((await client.send('GET', '/all')).json), 'nothing changed').toBe(
        canonical(expected),
      );
    },
  },
  {
    name: 'oversized, over-deep and non-finite values: typed 4xx before any store write',
    async run(ctx) {
      const app = await ctx.appWith({ errorStatus: TYPED_STATUS });
      // 64 KiB default maxBytes, counted as UTF-8: key (3 bytes) + the encoded string (with the
      // JSON codec its 2 quotes; another codec's framing is measured).
      let length = 65_536 - 3 - 2;
      while (3 + storedValueByteLength(ctx.codec.encode('x'.repeat(length))) > 65_536) length--;
      const fits = 'x'.repeat(length);
      const big = new ScenarioClient(app);
      expect((await big.send('PUT', '/set/big', fits)).status, 'exactly maxBytes').toBe(200);
      expect((await big.send('GET', '/get/big')).json, 'round-trips').toEqual({ value: fits });
      ctx.resetCalls();
      const over = await big.send('POST', '/set-entry', { key: 'y', value: 1 });
      expect(over.json, 'one byte more').toEqual({ error: 'PAYLOAD_TOO_LARGE' });
      expect(over.status).toBe(413);
      expect(ctx.calls, 'no store write').toEqual(ctx.calls.filter((call) => call === 'load'));
      // Four-byte characters count four bytes, not two UTF-16 units.
      const emoji = new ScenarioClient(app);
      const emojiOver = await emoji.send('POST', '/set-entry', {
        key: 'big',
        value: '😀'.repeat(16_383),
      });
      expect(emojiOver.status, 'UTF-8 bytes over maxBytes').toBe(413);
      expect(emojiOver.setCookies).toEqual([]);
      const emojiFits = '😀'.repeat(16_382);
      expect(
        (await emoji.send('POST', '/set-entry', { key: 'big', value: emojiFits })).status,
      ).toBe(200);
      expect((await emoji.send('GET', '/get/big')).json).toEqual({ value: emojiFits });
      // maxDepth 32: a top-level container is level 1.
      const nest = (depth: number): unknown => {
        let value: unknown = 'leaf';
        for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value };
        return value;
      };
      const deep = new ScenarioClient(app);
      await deep.send('PUT', '/set/base', 0);
      expect((await deep.send('PUT', '/set/d32', nest(32))).status, 'depth 32').toBe(200);
      expect(canonical((await deep.send('GET', '/get/d32')).json)).toBe(
        canonical({ value: nest(32) }),
      );
      const d33 = await deep.send('POST', '/set-entry', { key: 'd33', value: nest(33) });
      expect({ status: d33.status, body: d33.json }, 'depth 33').toEqual({
        status: 422,
        body: { error: 'INVALID_VALUE' },
      });
      // A hostile body 100,000 levels deep fails at the depth limit, not with a stack overflow.
      const token = deep.cookies.get('sid');
      const depth = 100_000;
      const hostile = await sendText(
        app,
        'PUT',
        '/set/deep',
        '['.repeat(depth) + ']'.repeat(depth),
        token,
      );
      expect(hostile.status, 'a 100,000-level body').toBe(422);
      // JSON the client cannot produce: numbers that parse to ±Infinity are outside the domain.
      for (const text of ['1e400', '-1e400', '{"n":[1e999]}']) {
        const reply = await sendText(app, 'PUT', '/set/n', text, token);
        expect(reply.status, text).toBe(422);
        expect(issued(reply), text).toEqual([]);
      }
      // Extreme finite numbers round-trip.
      const numbers = [1.7976931348623157e308, 5e-324, -9007199254740991, 0.1 + 0.2];
      await deep.send('PUT', '/set/numbers', numbers);
      expect((await deep.send('GET', '/get/numbers')).json).toEqual({ value: numbers });
      expect(Object.keys((await deep.send('GET', '/all')).json as object).sort()).toEqual([
        'base',
        'd32',
        'numbers',
      ]);
      // maxKeys: the key after the limit is refused.
      const few = await ctx.appWith({ errorStatus: TYPED_STATUS, limits: { maxKeys: 3 } });
      const counted = new ScenarioClient(few);
      for (const key of ['a', 'b', 'c']) await counted.send('PUT', `/set/${key}`, 1);
      const fourth = await counted.send('POST', '/set-entry', { key: 'd', value: 1 });
      expect({ status: fourth.status, body: fourth.json }, 'maxKeys').toEqual({
        status: 413,
        body: { error: 'PAYLOAD_TOO_LARGE' },
      });
      expect((await counted.send('POST', '/set-entry', { key: 'a', value: 2 })).status).toBe(200);
      expect((await counted.send('GET', '/all')).json).toEqual({ a: 2, b: 1, c: 1 });
    },
  },
  {
    name: '200 parallel requests writing different keys of one session all survive',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/base', 0);
      const token = client.cookies.get('sid');
      ctx.resetCalls();
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => jar(app, token).send('PUT', `/set/k${i}`, i)),
      );
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
      for (const reply of replies) {
        for (const line of issued(reply))
          expect(idOf(line.slice(4).split(';')[0])).toBe(idOf(token));
      }
      expect(ctx.calls.filter((call) => call !== 'load' && call !== 'patch')).toEqual([]);
      const all = (await client.send('GET', '/all')).json as Record<string, number>;
      expect(Object.keys(all)).toHaveLength(201);
      for (let i = 0; i < 200; i++) expect(all[`k${i}`], `k${i}`).toBe(i);
    },
  },
  {
    name: 'optimistic update: 100 parallel increments of one counter end at exactly 100',
    needsConditionalPatch: true,
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/base', 0);
      const token = client.cookies.get('sid');
      const replies = await Promise.all(
        Array.from({ length: 100 }, () => jar(app, token).send('POST', '/incr/counter')),
      );
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
      const values = replies.map((reply) => (reply.json as { value: number }).value);
      expect(new Set(values).size, 'every increment saw a distinct value').toBe(100);
      expect((await client.send('GET', '/get/counter')).json).toEqual({ value: 100 });
    },
  },
  {
    name: '50 parallel first visits get 50 distinct sessions',
    async run(ctx) {
      const app = await ctx.app();
      const clients = Array.from({ length: 50 }, () => new ScenarioClient(app));
      ctx.resetCalls();
      const replies = await Promise.all(
        clients.map((client, i) => client.send('PUT', '/set/visitor', i)),
      );
      for (const reply of replies) expect(sessionCookie(reply.setCookies)).toBeDefined();
      expect(ctx.calls).toEqual(clients.map(() => 'create'));
      const ids = new Set(clients.map((client) => idOf(client.cookies.get('sid'))));
      expect(ids.size).toBe(50);
      for (const [i, client] of clients.entries()) {
        expect((await client.send('GET', '/all')).json).toEqual({ visitor: i });
      }
    },
  },
  {
    name: 'a slow request overlapping writes: its key lands, theirs survive, nothing stale returns',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/base', 0);
      await client.send('PUT', '/set/doomed', 'x');
      const token = client.cookies.get('sid');
      const gate = unique('slow');
      const held = holdScenarioRequest(gate);
      try {
        const slow = jar(app, token).send('PUT', `/slow-set/${gate}`, 'slow');
        await held.reached();
        // While the slow request holds its (now stale) copy of the session:
        expect((await client.send('PUT', '/set/fast', 'fast')).status).toBe(200);
        expect((await client.send('DELETE', '/key/doomed')).status).toBe(200);
        held.release();
        expect((await slow).status).toBe(200);
      } finally {
        held.release();
      }
      expect((await client.send('GET', '/all')).json).toEqual({
        base: 0,
        fast: 'fast',
        [gate]: 'slow',
      });
    },
  },
  {
    name: 'logout racing an in-flight write: the late write does not resurrect the session',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/cart', ['book']);
      await client.send('POST', '/sign-in', { user: 'ada', keep: ['cart'] });
      const token = client.cookies.get('sid');
      const gate = unique('late');
      const held = holdScenarioRequest(gate);
      try {
        const slow = jar(app, token).send('PUT', `/slow-set/${gate}`, 'late');
        await held.reached();
        const logout = await client.send('POST', '/logout');
        expect(logout.status).toBe(303);
        ctx.resetCalls();
        held.release();
        const late = await slow;
        expect(late.status).toBe(200);
        expect(ctx.calls, 'one conditional write, reported missing').toEqual(['patch']);
        expect(issued(late), 'no session cookie for the late write').toEqual([]);
      } finally {
        held.release();
      }
      await expectDead(ctx, app, token, 'the logged-out cookie after the late write');
    },
  },
  {
    name: 'regenerate or sign-in racing a write on the old ID: the old ID stays dead, one live session',
    async run(ctx) {
      const app = await ctx.app();
      for (const [path, body, userId] of [
        ['/regenerate', undefined, null],
        ['/sign-in', { user: 'ada', keep: ['cart'] }, 'ada'],
      ] as const) {
        const client = new ScenarioClient(app);
        await client.send('PUT', '/set/cart', ['book']);
        const old = client.cookies.get('sid');
        const gate = unique('late');
        const held = holdScenarioRequest(gate);
        try {
          const slow = jar(app, old).send('PUT', `/slow-set/${gate}`, 'late');
          await held.reached();
          expect((await client.send('POST', path, body)).status, path).toBe(200);
          ctx.resetCalls();
          held.release();
          const late = await slow;
          expect(late.status, path).toBe(200);
          expect(ctx.calls, `${path}: one write to the old ID, reported missing`).toEqual([
            'patch',
          ]);
          expect(issued(late), `${path}: no session cookie for the late write`).toEqual([]);
        } finally {
          held.release();
        }
        expect(idOf(client.cookies.get('sid')), path).not.toBe(idOf(old));
        await expectDead(ctx, app, old, `${path}: the old ID`);
        expect((await client.send('GET', '/all')).json, `${path}: the new session`).toEqual({
          cart: ['book'],
        });
        expect((await client.send('GET', '/user-id')).json, path).toEqual({ userId });
      }
    },
  },
  {
    name: 'a write landing while regenerate is in flight survives into the new session',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/cart', ['book']);
      const old = client.cookies.get('sid');
      const gate = unique('rotate');
      const held = holdScenarioRequest(gate);
      try {
        const regenerate = client.send('POST', `/slow/${gate}`, {
          method: 'POST',
          path: '/regenerate',
        });
        await held.reached();
        // The regenerating request has loaded the session; another request writes to it now.
        expect((await jar(app, old).send('PUT', '/set/late', 'landed')).status).toBe(200);
        held.release();
        const reply = await regenerate;
        expect(reply.status).toBe(200);
        expect(issued(reply)).toHaveLength(1);
      } finally {
        held.release();
      }
      expect(idOf(client.cookies.get('sid'))).not.toBe(idOf(old));
      expect((await client.send('GET', '/all')).json, 'no lost update').toEqual({
        cart: ['book'],
        late: 'landed',
      });
      await expectDead(ctx, app, old, 'the ID before regenerate');
    },
  },
  {
    name: 'two sign-ins racing on one session: one wins, the other leaves no live session',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/cart', ['book']);
      const old = client.cookies.get('sid');
      const [first, second] = [unique('ada'), unique('eve')];
      const [heldFirst, heldSecond] = [holdScenarioRequest(first), holdScenarioRequest(second)];
      const [ada, eve] = [jar(app, old), jar(app, old)];
      try {
        const signIn = (who: ScenarioClient, gate: string, user: string) =>
          who.send('POST', `/slow/${gate}`, {
            method: 'POST',
            path: '/sign-in',
            body: { user, keep: ['cart'] },
          });
        const adaReply = signIn(ada, first, 'ada');
        const eveReply = signIn(eve, second, 'eve');
        await Promise.all([heldFirst.reached(), heldSecond.reached()]);
        heldFirst.release();
        const won = await adaReply;
        expect(won.status).toBe(200);
        expect(issued(won), 'the first sign-in issues its cookie').toHaveLength(1);
        ctx.resetCalls();
        heldSecond.release();
        const lost = await eveReply;
        expect(lost.status).toBe(200);
        expect(ctx.calls, 'the second rotation finds the old ID gone').toEqual(['rotate']);
        expect(issued(lost), 'no cookie for the second sign-in').toEqual([]);
      } finally {
        heldFirst.release();
        heldSecond.release();
      }
      await expectDead(ctx, app, old, 'the ID before sign-in');
      expect((await ada.send('GET', '/user-id')).json).toEqual({ userId: 'ada' });
      expect((await ada.send('GET', '/all')).json).toEqual({ cart: ['book'] });
      expect((await eve.send('GET', '/user-id')).json, 'eve holds a dead cookie').toEqual({
        userId: null,
      });
    },
  },
  {
    name: 'logout racing an in-flight sign-in: the sign-in does not bring the session back',
    async run(ctx) {
      const app = await ctx.app();
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/cart', ['book']);
      const old = client.cookies.get('sid');
      const gate = unique('sign-in');
      const held = holdScenarioRequest(gate);
      const signer = jar(app, old);
      try {
        const signIn = signer.send('POST', `/slow/${gate}`, {
          method: 'POST',
          path: '/sign-in',
          body: { user: 'ada', keep: ['cart'] },
        });
        await held.reached();
        expect((await client.send('POST', '/logout')).status).toBe(303);
        ctx.resetCalls();
        held.release();
        const late = await signIn;
        expect(late.status).toBe(200);
        expect(ctx.calls, 'one rotation, finding the session gone').toEqual(['rotate']);
        expect(issued(late), 'no cookie for the late sign-in').toEqual([]);
      } finally {
        held.release();
      }
      await expectDead(ctx, app, old, 'the logged-out ID');
      expect((await signer.send('GET', '/user-id')).json).toEqual({ userId: null });
    },
  },
  {
    name: 'logout racing an in-flight read that refreshes the expiry: the touch revives nothing',
    async run(ctx) {
      // idle 1s: a read half a second or more after the last write refreshes the expiry (touch).
      const app = await ctx.appWith({ expiry: { idle: '1s' } });
      const client = new ScenarioClient(app);
      await client.send('PUT', '/set/v', 1);
      const old = client.cookies.get('sid');
      const gate = unique('touch');
      const held = holdScenarioRequest(gate);
      try {
        const read = jar(app, old).send('POST', `/slow/${gate}`, { method: 'GET', path: '/get/v' });
        await held.reached();
        if (ctx.usesClock) ctx.clock.advance(600);
        else await new Promise((resolve) => setTimeout(resolve, 600));
        expect((await client.send('POST', '/logout')).status).toBe(303);
        ctx.resetCalls();
        held.release();
        const late = await read;
        expect(late.json).toEqual({ value: 1 });
        expect(ctx.calls, 'one expiry refresh, finding the session gone').toEqual(['touch']);
        expect(issued(late), 'no cookie for the late read').toEqual([]);
      } finally {
        held.release();
      }
      await expectDead(ctx, app, old, 'the logged-out ID after the late touch');
    },
  },
];
