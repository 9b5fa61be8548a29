import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, type Session, type SessionStore } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import {
  type DemoApiReply,
  type DemoSession,
  deleteSession,
  demoSessionManager,
  listSessions,
  revokeOtherSessions,
  revokeSessionFromPage,
  savePref,
  sessionState,
  showHome,
  signIn,
  signOut,
} from '../src/index.js';

const manager = demoSessionManager({ store: createMemoryStore(), secret: 's'.repeat(32) });
const openSession = () => manager.session(new Request('https://demo.test/'));

/**
 * A browser of `sessions`: each call is one request (the action on the session the cookie names,
 * then the commit, whose Set-Cookie the browser keeps).
 */
function browser(sessions = manager) {
  let cookie = '';
  return async <T>(action: (session: Session<DemoSession>) => Promise<T>): Promise<T> => {
    const headers: Record<string, string> = cookie === '' ? {} : { cookie };
    const session = sessions.session(new Request('https://demo.test/', { headers }));
    const result = await action(session);
    for (const [name, value] of (await session.commit()).headers) {
      if (name === 'set-cookie')
        cookie = /Max-Age=0/.test(value) ? '' : (value.split(';')[0] ?? '');
    }
    return result;
  };
}

type Listed = { handle: string; current: boolean; info: Record<string, string> };
const listed = (reply: DemoApiReply): Listed[] => {
  expect(reply).toMatchObject({ kind: 'json', status: 200 });
  return (reply as { body: Listed[] }).body;
};

describe('demo actions', () => {
  it('count visits on the home page and show the sign-in flash once', async () => {
    const session = openSession();
    expect(await showHome(session, manager)).toContain('<strong id="views">1</strong>');
    expect(await signIn(session, '  ada  ')).toEqual({ kind: 'redirect' });
    const home = await showHome(session, manager);
    expect(home).toContain('<strong id="views">2</strong>');
    expect(home).toContain('<p class="flash" id="flash">Signed in as ada</p>');
    expect(home).toContain('<strong id="user">ada</strong>');
    expect(await showHome(session, manager)).not.toContain('id="flash"');
    expect(await sessionState(session)).toEqual({ views: 3, user: 'ada', prefs: {} });
    expect(await signOut(session)).toEqual({ kind: 'redirect' });
    expect(await sessionState(session)).toEqual({ views: 0, user: null, prefs: {} });
  });

  it('accept a username of 1 to 64 characters given as one string', async () => {
    const bad = { kind: 'error', status: 400, message: 'username: 1 to 64 characters' };
    for (const username of [undefined, null, '', '   ', 'a'.repeat(65), ['ada'], 42]) {
      expect(await signIn(openSession(), username)).toEqual(bad);
    }
    expect(await signIn(openSession(), 'a'.repeat(64))).toEqual({ kind: 'redirect' });
  });

  it('sign in keeping the counter and preferences only, whatever name the form accepts', async () => {
    const get = browser();
    await get((session) => showHome(session, manager));
    await get((session) => savePref(session, 'theme', '"dark"'));
    await get(async (session) => session.flash('notice', 'planted before sign-in'));
    await get((session) => signIn(session, 'ada', 'Agent/1.0'));
    expect(await get(sessionState)).toEqual({ views: 1, user: 'ada', prefs: { theme: 'dark' } });
    expect(await get((session) => session.getUserId())).toBe('ada');
    expect(await get((session) => session.getFlash('notice'))).toBe('Signed in as ada');

    // A name core refuses as a user ID (a control character) still signs in, as a hash of it.
    const odd = browser();
    expect(await odd((session) => signIn(session, 'a\u0001b'))).toEqual({ kind: 'redirect' });
    expect(await odd((session) => session.getUserId())).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await odd(sessionState)).user).toBe('a\u0001b');
  });

  it("list and revoke the signed-in user's sessions, never another user's", async () => {
    const [a, b, c, bob] = [browser(), browser(), browser(), browser()];
    await a((session) => signIn(session, 'lin', 'Browser A'));
    await b((session) => signIn(session, 'lin', 'Browser B'));
    await c((session) => signIn(session, 'lin', 'Browser C'));
    await bob((session) => signIn(session, 'bob', 'Bob'));

    const all = listed(await a((session) => listSessions(session, manager)));
    expect(all.map((entry) => entry.info.userAgent).sort()).toEqual([
      'Browser A',
      'Browser B',
      'Browser C',
    ]);
    expect(all.filter((entry) => entry.current).map((entry) => entry.info.userAgent)).toEqual([
      'Browser A',
    ]);
    const handleOf = (agent: string) =>
      all.find((entry) => entry.info.userAgent === agent)?.handle ?? '';
    const [bobs] = listed(await bob((session) => listSessions(session, manager)));

    const del = (handle: string) => a((session) => deleteSession(session, manager, handle));
    expect(await del(bobs?.handle ?? '')).toMatchObject({ kind: 'json', status: 404 });
    expect(await del('not a handle')).toMatchObject({ kind: 'json', status: 404 });
    expect(await del(handleOf('Browser C'))).toEqual({ kind: 'no-content' });
    expect(await del(handleOf('Browser C'))).toMatchObject({ kind: 'json', status: 404 });
    expect(await c((session) => session.getUserId())).toBeUndefined();
    expect(await c((session) => listSessions(session, manager))).toEqual({
      kind: 'json',
      status: 401,
      body: { error: 'not signed in' },
    });

    // The page's buttons: flash what happened, then redirect.
    await a((session) => revokeSessionFromPage(session, manager, handleOf('Browser C')));
    expect(await a((session) => session.getFlash('notice'))).toBe('That session had already ended');
    expect(await a((session) => revokeOtherSessions(session, manager))).toEqual({
      kind: 'redirect',
    });
    expect(await a((session) => session.getFlash('notice'))).toBe('Signed out 1 other session');
    expect(await b((session) => session.getUserId())).toBeUndefined();
    expect(listed(await a((session) => listSessions(session, manager)))).toHaveLength(1);
    expect(await bob((session) => session.getUserId())).toBe('bob');

    // Revoking its own session by handle is signing out.
    const [own] = listed(await a((session) => listSessions(session, manager)));
    expect(await a((session) => deleteSession(session, manager, own?.handle ?? ''))).toEqual({
      kind: 'no-content',
    });
    expect(await a(sessionState)).toEqual({ views: 0, user: null, prefs: {} });
  });

  it('render the session list with one revoke button per other session, all escaped', async () => {
    const hostile = '<script>alert(1)</script>"\'&\u0007';
    const [mine, theirs] = [browser(), browser()];
    await theirs((session) => signIn(session, 'kim', hostile));
    await mine((session) => signIn(session, 'kim', 'Mine/1.0'));
    const page = await mine((session) => showHome(session, manager));
    expect(page).toContain('<h2 id="sessions-title">Your sessions</h2>');
    expect(page.match(/<li class="session/g)).toHaveLength(2);
    expect(page.match(/<li class="session current"/g)).toHaveLength(1);
    expect(page.match(/class="revoke"/g)).toHaveLength(1);
    expect(page).toContain('id="revoke-others"');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;</span>');
    const [, handle] = /action="\/sessions\/([A-Za-z0-9_-]{22})\/revoke"/.exec(page) ?? [];
    await mine((session) => revokeSessionFromPage(session, manager, handle ?? ''));
    expect(await theirs((session) => session.getUserId())).toBeUndefined();
    const after = await mine((session) => showHome(session, manager));
    expect(after).toContain('<p class="flash" id="flash">Signed out that session</p>');
    expect(after.match(/<li class="session/g)).toHaveLength(1);
    // Signed out: no list at all.
    expect(await browser()((session) => showHome(session, manager))).not.toContain('id="sessions"');
  });

  it('keep working on a store without a user index: the list is unavailable (501)', async () => {
    const memory = createMemoryStore();
    const plain: SessionStore = {
      name: 'plain',
      capabilities: { atomicRotate: true, deleteExpired: false },
      load: (key) => memory.load(key),
      create: (key, record) => memory.create(key, record),
      patch: (key, patch) => memory.patch(key, patch),
      touch: (key, at) => memory.touch(key, at),
      rotate: (from, to, patch) => memory.rotate(from, to, patch),
      destroy: (key) => memory.destroy(key),
    };
    const sessions = demoSessionManager({ store: plain, secret: 's'.repeat(32) });
    const get = browser(sessions);
    await get((session) => signIn(session, 'ada', 'Agent'));
    expect(await get((session) => showHome(session, sessions))).toContain(
      'id="sessions-unavailable"',
    );
    expect(await get((session) => listSessions(session, sessions))).toMatchObject({
      status: 501,
    });
    expect(await get((session) => deleteSession(session, sessions, 'x'))).toMatchObject({
      status: 501,
    });
    await get((session) => revokeOtherSessions(session, sessions));
    expect(await get((session) => session.getFlash('notice'))).toMatch(/no user index/);
  });

  it('store a preference per key, and answer bad keys and bodies 400, oversized 413', async () => {
    const session = openSession();
    expect(await savePref(session, 'theme', '"dark"')).toEqual({ kind: 'stored' });
    expect(await savePref(session, '__proto__', '{"x":1}')).toEqual({ kind: 'stored' });
    const { prefs } = await sessionState(session);
    expect(Object.getOwnPropertyNames(prefs)).toEqual(['theme', '__proto__']);
    expect(prefs.theme).toBe('dark');

    const status = async (key: string, body: string | undefined) => {
      const reply = await savePref(session, key, body);
      return reply.kind === 'error' ? reply.status : reply.kind;
    };
    expect(await status('bad key', '1')).toBe(400);
    expect(await status('k'.repeat(65), '1')).toBe(400);
    expect(await status('theme', undefined)).toBe(400);
    expect(await status('theme', '{bad')).toBe(400);
    expect(await status('theme', `${'['.repeat(40)}${']'.repeat(40)}`)).toBe(400);
    expect(await status('theme', JSON.stringify('x'.repeat(70_000)))).toBe(413);
    expect((await sessionState(session)).prefs).toEqual(prefs);
  });
});

describe('src/testing', () => {
  const examples = fileURLToPath(new URL('../../', import.meta.url));
  const sources = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(dir, file));

  it('is imported by no demo app and not re-exported by the package', () => {
    const appFiles = [
      ...['web', 'hono', 'fastify', 'koa'].flatMap((demo) => sources(join(examples, demo, 'src'))),
      ...sources(join(examples, 'shared', 'src')).filter((file) => !file.includes('/testing/')),
    ];
    expect(appFiles.length).toBeGreaterThan(8);
    for (const file of appFiles) expect(readFileSync(file, 'utf8'), file).not.toMatch(/testing\//);
  });
});
