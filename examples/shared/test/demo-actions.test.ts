import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, createSessionManager } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import {
  type DemoSession,
  demoSessionOptions,
  savePref,
  sessionState,
  showHome,
  signIn,
  signOut,
} from '../src/index.js';

const manager = createSessionManager<DemoSession>(
  demoSessionOptions({ store: createMemoryStore(), secret: 's'.repeat(32) }),
);
const openSession = () => manager.session(new Request('https://demo.test/'));

describe('demo actions', () => {
  it('count visits on the home page and show the sign-in flash once', async () => {
    const session = openSession();
    expect(await showHome(session)).toContain('<strong id="views">1</strong>');
    expect(await signIn(session, '  ada  ')).toEqual({ kind: 'redirect' });
    const home = await showHome(session);
    expect(home).toContain('<strong id="views">2</strong>');
    expect(home).toContain('<p class="flash" id="flash">Signed in as ada</p>');
    expect(home).toContain('<strong id="user">ada</strong>');
    expect(await showHome(session)).not.toContain('id="flash"');
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
