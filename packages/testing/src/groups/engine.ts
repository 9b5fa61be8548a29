import {
  type CommitResult,
  createSessionManager,
  type SessionManager,
  type SessionValue,
} from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';

type AnyData = Record<string, SessionValue>;

/** A signing secret used only by these checks. */
const SECRET = 'conformance-suite-secret-0123456789abcdef';

/** A session manager over the store under test, on the harness's clock. */
function managerFor(h: ConformanceHarness): SessionManager<AnyData> {
  return createSessionManager<AnyData>({
    store: h.store,
    secrets: [SECRET],
    codec: h.codec,
    ...(h.usesClock ? { clock: h.clock.clock } : {}),
  });
}

/** The `Cookie` request header that replays a commit's `Set-Cookie`. */
function cookieFrom(result: CommitResult): string {
  const line = result.headers.find(([name]) => name === 'set-cookie')?.[1];
  expect(line, 'the commit issued a session cookie').toBeDefined();
  return (line ?? '').split(';')[0] ?? '';
}

/**
 * Values from every corner of the codec's domain, as an app would store them. Built from pairs
 * (`Object.fromEntries` defines own properties), so `__proto__` is a real key here, not a prototype.
 */
export const PARITY_VALUES: Readonly<Record<string, SessionValue>> = Object.fromEntries([
  ['string', 'plain'],
  ['empty', ''],
  ['unicode', 'é日本 🎉 שלום \u200d'],
  ['nul', 'a\u0000b'],
  ['quotes', `'"\\%_--;*?[]{}`],
  ['zero', 0],
  ['negative', -42.5],
  ['huge', Number.MAX_VALUE],
  ['tiny', Number.MIN_VALUE],
  ['integer', Number.MAX_SAFE_INTEGER],
  ['yes', true],
  ['no', false],
  ['nothing', null],
  ['date', new Date('2026-01-02T03:04:05.678Z')],
  ['array', [1, 'two', null, [false], { three: 3 }]],
  ['nested', { a: { b: { c: [new Date(0), { $date: 'not a date', $$x: 1 }] } } }],
  ['__proto__', JSON.parse('{"__proto__": {"polluted": true}}') as SessionValue],
  ['constructor', { prototype: { polluted: true } }],
  ['big', 'x'.repeat(20_000)],
] satisfies [string, SessionValue][]);

/** Every value in {@link PARITY_VALUES} round-trips through the engine and this store unchanged. */
export async function checkEngineValueParity(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const first = manager.session(new Headers());
  for (const key of Object.keys(PARITY_VALUES))
    await first.set(key, PARITY_VALUES[key] as SessionValue);
  const cookie = cookieFrom(await first.commit());
  const second = manager.session(new Headers({ cookie }));
  const all = await second.getAll();
  // Key order is not part of the contract (Redis hashes do not keep it), so compare as sets.
  expect(Object.keys(all).sort(), 'keys after a round trip').toEqual(
    Object.keys(PARITY_VALUES).sort(),
  );
  for (const key of Object.keys(PARITY_VALUES)) {
    expect(all[key], `value of "${key}" after a round trip`).toEqual(PARITY_VALUES[key]);
  }
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype stays clean').toBeUndefined();
  await second.destroy();
  await second.commit();
}

/** Parallel requests to one session, each writing its own key, all survive (no lost updates). */
export async function checkEngineParallelRequests(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const seedSession = manager.session(new Headers());
  await seedSession.set('base', 0);
  const cookie = cookieFrom(await seedSession.commit());
  const sessions = Array.from({ length: 20 }, () => manager.session(new Headers({ cookie })));
  await Promise.all(sessions.map((s) => s.get('base')));
  await Promise.all(sessions.map((s, i) => s.set(`key-${i}`, i)));
  await Promise.all(sessions.map((s) => s.commit()));
  const all = await manager.session(new Headers({ cookie })).getAll();
  expect(Object.keys(all).length, 'keys after 20 parallel requests').toBe(21);
  for (let i = 0; i < 20; i++) expect(all[`key-${i}`], `key-${i}`).toBe(i);
}

/** A request still in flight when the session is destroyed cannot bring it back. */
export async function checkEngineNoResurrection(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const seedSession = manager.session(new Headers());
  await seedSession.set('user', 'ada');
  const cookie = cookieFrom(await seedSession.commit());
  const inFlight = manager.session(new Headers({ cookie }));
  expect(await inFlight.get('user')).toBe('ada');
  const logout = manager.session(new Headers({ cookie }));
  await logout.destroy();
  await logout.commit();
  await inFlight.set('late', 'write');
  expect((await inFlight.commit()).outcome, 'a write after logout').toBe('vanished');
  expect(
    await manager.session(new Headers({ cookie })).get('user'),
    'after logout',
  ).toBeUndefined();
}

/** Regenerate moves the data to a new ID; the old token no longer opens anything. */
export async function checkEngineRegenerate(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const seedSession = manager.session(new Headers());
  await seedSession.set('cart', ['book']);
  const oldCookie = cookieFrom(await seedSession.commit());
  const login = manager.session(new Headers({ cookie: oldCookie }));
  await login.regenerate();
  await login.set('user', 'ada');
  const result = await login.commit();
  expect(result.outcome).toBe('rotated');
  const newCookie = cookieFrom(result);
  expect(newCookie).not.toBe(oldCookie);
  expect(await manager.session(new Headers({ cookie: newCookie })).getAll()).toEqual({
    cart: ['book'],
    user: 'ada',
  });
  expect(
    await manager.session(new Headers({ cookie: oldCookie })).get('cart'),
    'old ID',
  ).toBeUndefined();
}

/** The engine group: the same contract seen through `@sessions/core`'s session manager. */
/**
 * Sign in one user from three clients: the list shows three (one `current`), revoking one by
 * handle makes its next request anonymous, "sign out everywhere else" leaves only the current one.
 */
export async function checkEngineUserSessions(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const user = `user-${h.key()}`;
  const cookies: string[] = [];
  for (const agent of ['phone', 'laptop', 'tablet']) {
    const session = manager.session(new Headers());
    await session.set('before', 'sign-in');
    await session.signIn(user, { info: { userAgent: agent } });
    cookies.push(cookieFrom(await session.commit()));
  }
  const open = (cookie: string) => manager.session(new Headers({ cookie }));
  const current = open(cookies[0] as string);
  const listed = await manager.listUserSessions(user, { current });
  expect(listed.length, 'three sessions listed').toBe(3);
  expect(listed.filter((s) => s.current).length, 'exactly one current').toBe(1);
  expect(listed.map((s) => s.info.userAgent).sort(), 'sign-in info').toEqual([
    'laptop',
    'phone',
    'tablet',
  ]);
  expect(await open(cookies[1] as string).getUserId(), 'bound user').toBe(user);
  expect(
    await open(cookies[1] as string).get('before'),
    'pre-sign-in data dropped',
  ).toBeUndefined();
  const laptop = listed.find((s) => s.info.userAgent === 'laptop');
  expect(await manager.revokeUserSession(user, laptop?.handle ?? ''), 'revoke by handle').toBe(
    true,
  );
  expect(await open(cookies[1] as string).getUserId(), 'revoked session is anonymous').toBe(
    undefined,
  );
  expect(await manager.revokeUserSession(user, laptop?.handle ?? ''), 'revoke twice').toBe(false);
  expect(await manager.revokeUserSessions(user, { except: current }), 'sign out elsewhere').toBe(1);
  expect(await open(cookies[2] as string).getUserId(), 'tablet signed out').toBeUndefined();
  expect(await open(cookies[0] as string).getUserId(), 'current survives').toBe(user);
  const after = await manager.listUserSessions(user, { current: open(cookies[0] as string) });
  expect(
    after.map((s) => s.current),
    'only the current session is left',
  ).toEqual([true]);
  expect(await manager.revokeUserSessions(user), 'sign out everywhere').toBe(1);
  expect(await manager.listUserSessions(user), 'nothing left').toEqual([]);
}

/** 100 parallel requests each `update()` one counter of one session: it ends at exactly 100. */
export async function checkEngineOptimisticCounter(h: ConformanceHarness): Promise<void> {
  const manager = managerFor(h);
  const first = manager.session(new Headers());
  await first.set('count', 0);
  const cookie = cookieFrom(await first.commit());
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      const session = manager.session(new Headers({ cookie }));
      await session.update('count', (n) => (typeof n === 'number' ? n + 1 : 1), { retries: 100 });
      await session.commit();
    }),
  );
  expect(await manager.session(new Headers({ cookie })).get('count'), 'final count').toBe(100);
}

export const engineGroup: ConformanceGroup = {
  name: 'through the session engine',
  checks: [
    { name: 'every supported value round-trips unchanged', run: checkEngineValueParity },
    {
      name: 'parallel requests writing different keys all survive',
      run: checkEngineParallelRequests,
    },
    {
      name: 'an in-flight request cannot resurrect a destroyed session',
      run: checkEngineNoResurrection,
    },
    { name: 'regenerate moves data to a new ID and kills the old one', run: checkEngineRegenerate },
    {
      name: "sign-in, listing and revoking a user's sessions",
      run: checkEngineUserSessions,
      requires: 'userIndex',
    },
    {
      name: '100 parallel update() calls on one counter end at exactly 100',
      run: checkEngineOptimisticCounter,
      requires: 'conditionalPatch',
    },
  ],
};
