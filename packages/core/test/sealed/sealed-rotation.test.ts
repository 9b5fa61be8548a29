import { describe, expect, it } from 'vitest';
import { createSealedSessionManager, type SessionEvent } from '../../src/index.js';
import { CookieJar, TestClock } from '../support/harness.js';
import { cookieHeader, KEY, NEW_KEY, splitSealed } from './sealed-harness.js';

/** Three deployments of one app sharing a clock: before, during and after a key rotation. */
function deployments() {
  const clock = new TestClock();
  const events: SessionEvent[] = [];
  const make = (keys: string[]) =>
    createSealedSessionManager({ keys, clock: clock.now, onEvent: (e) => events.push(e) });
  return {
    clock,
    events,
    before: make([KEY]),
    during: make([NEW_KEY, KEY]),
    after: make([NEW_KEY]),
  };
}

const setCookieOf = (headers: readonly (readonly [string, string])[]) =>
  headers.find(([name]) => name === 'set-cookie')?.[1];

describe('sealed cookies: key rotation', () => {
  it('a cookie sealed with the old key opens under the new keyring and is re-sealed with the new key on the next write', async () => {
    const d = deployments();
    const jar = new CookieJar();
    const first = d.before.session(new Headers());
    await first.set('user', 'ada');
    jar.apply(await first.commit());
    const oldCookie = jar.cookies.get('sid') as string;
    const oldKid = splitSealed(oldCookie).kid;

    const write = d.during.session(new Headers({ cookie: jar.header() }));
    expect(await write.get('user')).toBe('ada');
    await write.set('n', 1);
    const result = await write.commit();
    jar.apply(result);
    const newCookie = jar.cookies.get('sid') as string;
    expect(result.outcome).toBe('updated');
    expect(splitSealed(newCookie).kid).not.toBe(oldKid);
    expect(d.events).toContainEqual({ type: 'token-reissued', session: expect.any(String) });

    // The re-sealed cookie opens after the old key is removed; the old one does not.
    expect(await d.after.session(new Headers({ cookie: jar.header() })).get('user')).toBe('ada');
    expect(await d.after.session(new Headers(cookieHeader(oldCookie))).get('user')).toBeUndefined();
    expect(d.events).toContainEqual({ type: 'token-rejected', reason: 'bad-signature' });
  });

  it('an old-key cookie is re-sealed the first time it is used, even by a read-only request', async () => {
    const d = deployments();
    const first = d.before.session(new Headers());
    await first.set('user', 'ada');
    const jar = new CookieJar();
    jar.apply(await first.commit());
    const oldKid = splitSealed(jar.cookies.get('sid') as string).kid;

    const read = d.during.session(new Headers({ cookie: jar.header() }));
    expect(await read.get('user')).toBe('ada');
    const result = await read.commit();
    expect(result.outcome).toBe('unchanged');
    const reissued = setCookieOf(result.headers);
    expect(reissued).toMatch(/^sid=s1\./);
    jar.apply(result);
    expect(splitSealed(jar.cookies.get('sid') as string).kid).not.toBe(oldKid);

    // Once re-sealed under the newest key, read-only requests send nothing again.
    const again = d.during.session(new Headers({ cookie: jar.header() }));
    expect(await again.get('user')).toBe('ada');
    expect((await again.commit()).headers).toEqual([]);
  });

  it('the re-sealed cookie keeps the session: ID, data, creation time and absolute deadline', async () => {
    const d = deployments();
    const first = d.before.session(new Headers());
    await first.set('user', 'ada');
    const jar = new CookieJar();
    jar.apply(await first.commit());
    const id = first.id;
    d.clock.advance(60_000);
    const read = d.during.session(new Headers({ cookie: jar.header() }));
    await read.get('user');
    jar.apply(await read.commit());
    const after = d.after.session(new Headers({ cookie: jar.header() }));
    expect(await after.get('user')).toBe('ada');
    expect(after.id).toBe(id);
  });

  it('the primary key seals: a keyring with the old key second never seals with it', async () => {
    const d = deployments();
    const session = d.during.session(new Headers());
    await session.set('n', 1);
    const jar = new CookieJar();
    jar.apply(await session.commit());
    const cookie = jar.cookies.get('sid') as string;
    expect(await d.after.session(new Headers(cookieHeader(cookie))).get('n')).toBe(1);
    expect(await d.before.session(new Headers(cookieHeader(cookie))).get('n')).toBeUndefined();
  });
});
