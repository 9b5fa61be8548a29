import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * Every demo app, driven in real headless Chromium. Each demo is started exactly as a user would
 * start it (`pnpm start` in its folder) on a free port with the memory store.
 *
 * `E2E_DEMOS=web,hono` narrows the list (while a demo is being built); by default every demo runs,
 * and a demo whose folder is missing fails rather than being skipped.
 */
const ALL_DEMOS = ['web', 'hono', 'fastify', 'koa', 'express'] as const;

/** Debian's `chromium` package (`scripts/ensure-chromium.sh`): never a browser download. */
const CHROMIUM = '/usr/bin/chromium';
/**
 * Without the background-networking flags Chromium keeps calling Google's services, which a
 * closed network refuses; `--no-sandbox` because CI runs as root. Playwright launches with a new,
 * empty user data dir of its own (deleted on close), and every context is a fresh cookie jar.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Core's default session cookie name, which every demo keeps. */
const SESSION_COOKIE = 'sid';
/** How long a demo may take to answer HTTP after `pnpm start` (tsx compiles on the fly). */
const START_TIMEOUT_MS = 40_000;
/** Kept from each demo's stdout and stderr, for failure messages. */
const OUTPUT_LIMIT = 16_000;

const EXAMPLES = fileURLToPath(new URL('../../', import.meta.url));

function selectedDemos(): string[] {
  const raw = process.env.E2E_DEMOS?.trim();
  if (!raw) return [...ALL_DEMOS];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(ALL_DEMOS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(
      `E2E_DEMOS=${raw}: expected a comma-separated subset of ${ALL_DEMOS.join(',')}`,
    );
  return names;
}

/** Variables Vitest adds to its workers, which a user's shell running `pnpm start` would not have. */
const VITEST_ENV = /^(VITEST(_.*)?|TEST|MODE|DEV|PROD|SSR|BASE_URL|FORCE_TTY)$/;

function demoEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (VITEST_ENV.test(key) || (key === 'NODE_ENV' && value === 'test')) continue;
    env[key] = value;
  }
  return {
    ...env,
    PORT: String(port),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    SESSION_STORE: 'memory',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    // Same bind as the demos (all interfaces), so the port is free where they will listen.
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Process groups of running demos, killed on exit even if a test run is torn down abruptly. */
const runningGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of runningGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Whether any process of the group is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A demo running as `pnpm start` in its folder. */
class DemoProcess {
  private output = '';
  private exit: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.exit ??= `failed to start: ${error.message}`;
        resolve();
      });
      child.on('exit', (code, signal) => {
        this.exit ??= signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
  }

  static async start(name: string): Promise<DemoProcess> {
    const dir = `${EXAMPLES}${name}`;
    if (!existsSync(`${dir}/package.json`))
      throw new Error(`demo "${name}": examples/${name}/package.json does not exist`);
    const port = await freePort();
    // Its own process group (detached), so stopping it also stops what pnpm starts (tsx and
    // tsx's own node child), not just pnpm.
    const child = spawn('pnpm', ['start'], {
      cwd: dir,
      env: demoEnv(port),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) runningGroups.add(child.pid);
    const demo = new DemoProcess(name, port, child);
    try {
      await demo.waitUntilServing();
    } catch (error) {
      await demo.stop();
      throw error;
    }
    return demo;
  }

  /** Where the browser goes. See the note on `localhost` in the tests below. */
  get base(): string {
    return `http://localhost:${this.port}`;
  }

  /** Throws, with the demo's output, if the demo is no longer running. */
  assertRunning(): void {
    if (this.exit !== undefined) throw new Error(this.failure(`${this.exit} while testing`));
  }

  private failure(what: string): string {
    return `demo "${this.name}" (pnpm start in examples/${this.name}, PORT=${this.port}) ${what}; its output:\n${this.output || '(none)'}`;
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = 'no attempt';
    while (Date.now() < deadline) {
      if (this.exit !== undefined) throw new Error(this.failure(`${this.exit} before serving`));
      try {
        // Any HTTP answer will do; this route never creates a session.
        await fetch(`${this.base}/api/session`, { signal: AbortSignal.timeout(2_000) });
        return;
      } catch (error) {
        last = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : 'error';
      }
      await sleep(200);
    }
    throw new Error(
      this.failure(`did not answer HTTP within ${START_TIMEOUT_MS / 1000} s (last: ${last})`),
    );
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL for whatever is left after 5 s. */
  async stop(): Promise<void> {
    const pgid = this.child.pid;
    if (pgid === undefined) return;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-pgid, name);
      } catch {
        // the group is already gone
      }
    };
    // Bounded: an orphaned grandchild stays in the group as a zombie until init reaps it.
    const gone = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
      return !groupAlive(pgid);
    };
    signal('SIGTERM');
    if (!(await gone(5_000))) {
      signal('SIGKILL');
      await gone(5_000);
    }
    await Promise.race([this.exited, sleep(1_000)]);
    runningGroups.delete(pgid);
  }
}

/** Runs `action` and waits until it has loaded a new document for `GET /`; returns its response. */
async function loadsHome(page: Page, base: string, action: () => Promise<unknown>) {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.request().isNavigationRequest() &&
        r.request().method() === 'GET' &&
        r.url() === `${base}/`,
    ),
    page.waitForEvent('load'),
    action(),
  ]);
  return response;
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim();
const views = async (page: Page) => Number(await text(page, '#views'));

async function sessionCookie(context: BrowserContext, base: string) {
  return (await context.cookies(base)).find((cookie) => cookie.name === SESSION_COOKIE);
}

/** Signs in through the form; returns the response of the `POST /login` that redirected. */
async function signIn(page: Page, base: string, username: string) {
  await page.goto(`${base}/`);
  await page.fill('#username', username);
  const home = await loadsHome(page, base, () => page.click('#login'));
  return home.request().redirectedFrom();
}

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (Debian's chromium)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
});

for (const name of selectedDemos()) {
  describe(name, () => {
    let demo: DemoProcess | undefined;
    // `http://localhost`, not `127.0.0.1`: the demos set `Secure` session cookies (as production
    // should), which a browser stores and sends over plain HTTP only to an origin it treats as
    // secure. Browsers treat `http://localhost` as secure (Chromium 156 happens to accept
    // `127.0.0.1` too, but that is less portable), and it is the address the demos print.
    let base = '';
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      demo = await DemoProcess.start(name);
      base = demo.base;
    });

    afterAll(async () => {
      await demo?.stop();
    });

    beforeEach(async () => {
      demo?.assertRunning();
      context = await browser.newContext();
      page = await context.newPage();
      return async () => {
        await context.close();
      };
    });

    it('signs in through the form, redirects home and shows the flash once', async () => {
      const login = await signIn(page, base, 'ada');
      expect(login?.method()).toBe('POST');
      expect(login?.url()).toBe(`${base}/login`);
      const redirect = await login?.response();
      expect(redirect?.status()).toBe(303);
      expect(redirect?.headers().location).toBe('/');
      expect(page.url()).toBe(`${base}/`);

      expect(await text(page, '#user')).toBe('ada');
      expect(await page.locator('#flash').count()).toBe(1);
      expect(await text(page, '#flash')).toBe('Signed in as ada');

      await page.reload();
      expect(await text(page, '#user')).toBe('ada');
      expect(await page.locator('#flash').count()).toBe(0);
    });

    it('counts visits across reloads, in one session', async () => {
      await page.goto(`${base}/`);
      expect(await views(page)).toBe(1);
      const cookie = await sessionCookie(context, base);
      expect(cookie).toBeDefined();
      for (const expected of [2, 3, 4]) {
        await page.reload();
        expect(await views(page)).toBe(expected);
      }
      await page.goto(`${base}/`);
      expect(await views(page)).toBe(5);
      expect((await sessionCookie(context, base))?.value).toBe(cookie?.value);
    });

    it('stores the theme from the preferences form', async () => {
      await page.goto(`${base}/`);
      expect(await page.inputValue('#theme')).toBe('light');
      await page.selectOption('#theme', 'dark');
      // The form's script PUTs /api/prefs/theme, then reloads the page.
      await loadsHome(page, base, () => page.click('#prefs button'));

      // A fresh navigation (not a reload, which may restore form state): the server's HTML.
      await page.goto(`${base}/`);
      expect(await page.getAttribute('body', 'data-theme')).toBe('dark');
      expect(await page.locator('#theme option[value="dark"][selected]').count()).toBe(1);
      expect(await page.locator('#theme option[selected]').count()).toBe(1);
      expect(await page.inputValue('#theme')).toBe('dark');

      const state = await page.goto(`${base}/api/session`);
      expect((await state?.json())?.prefs).toEqual({ theme: 'dark' });
    });

    it('signs out: the user is cleared and the counter starts over', async () => {
      await signIn(page, base, 'grace');
      await page.reload();
      await page.reload();
      expect(await text(page, '#user')).toBe('grace');
      expect(await views(page)).toBeGreaterThan(1);
      const before = await sessionCookie(context, base);

      await loadsHome(page, base, () => page.click('#logout'));
      expect(await text(page, '#user')).toBe('nobody');
      expect(await views(page)).toBe(1);
      expect(await page.locator('#flash').count()).toBe(0);
      expect(await page.locator('#username').count()).toBe(1);
      expect((await sessionCookie(context, base))?.value).not.toBe(before?.value);

      await page.reload();
      expect(await text(page, '#user')).toBe('nobody');
      expect(await views(page)).toBe(2);
    });

    it('keeps the session cookie away from scripts (HttpOnly; Secure; SameSite=Lax)', async () => {
      await page.goto(`${base}/`);
      const cookies = await context.cookies(base);
      expect(cookies.map((cookie) => cookie.name)).toEqual([SESSION_COOKIE]);
      const [cookie] = cookies;
      expect(cookie).toMatchObject({
        name: SESSION_COOKIE,
        domain: 'localhost',
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      });
      expect(cookie?.value).not.toBe('');

      // A script cookie shows that document.cookie works here, and only the session is hidden.
      const seen = await page.evaluate(() => {
        // biome-ignore lint/suspicious/noDocumentCookie: the point is what scripts can see
        document.cookie = 'probe=1; path=/';
        return document.cookie;
      });
      expect(seen).toBe('probe=1');
      expect(seen).not.toContain(`${SESSION_COOKIE}=`);
      expect(seen).not.toContain(cookie?.value);
      expect((await context.cookies(base)).map((c) => c.name).sort()).toEqual(
        ['probe', SESSION_COOKIE].sort(),
      );
    });

    it('lists the sessions of the signed-in user, revokes one, then signs out everywhere else', async () => {
      // A name of its own: the demo is shared with the other checks, which sign in too.
      const user = `lin-${randomBytes(4).toString('hex')}`;
      // Browser B names itself with markup: the page must show it as text, never run it.
      const agentB = 'E2E browser B <img src=x onerror="window.pwned=1">';
      const sessions = page.locator('#session-list li.session');
      const others = page.locator('#session-list li.session:not(.current)');
      const contextB = await browser.newContext({ userAgent: agentB });
      const contextC = await browser.newContext();
      try {
        const pageB = await contextB.newPage();
        const pageC = await contextC.newPage();
        await signIn(page, base, user);
        await signIn(pageB, base, user);

        await page.goto(`${base}/`);
        expect(await text(page, '#sessions h2')).toBe('Your sessions');
        expect(await sessions.count()).toBe(2);
        expect(await page.locator('#session-list li.session.current').count()).toBe(1);
        expect(await text(page, '#session-list li.current .this')).toBe('(this browser)');
        expect(await page.locator('#session-list li.current form').count()).toBe(0);
        expect(await text(page, '#session-list li:not(.current) .agent')).toBe(agentB);
        expect(await page.evaluate(() => 'pwned' in window)).toBe(false);

        // Revoke B: the list shrinks to this browser, and B's next page load is signed out.
        await loadsHome(page, base, () => others.locator('button').click());
        expect(await text(page, '#flash')).toBe('Signed out that session');
        expect(await sessions.count()).toBe(1);
        expect(await page.locator('#session-list li.session.current').count()).toBe(1);
        await pageB.reload();
        expect(await text(pageB, '#user')).toBe('nobody');
        expect(await pageB.locator('#sessions').count()).toBe(0);
        await page.reload();
        expect(await text(page, '#user')).toBe(user);

        // B and C sign in; "sign out everywhere else" leaves this browser only.
        await signIn(pageB, base, user);
        await signIn(pageC, base, user);
        await page.reload();
        expect(await sessions.count()).toBe(3);
        await loadsHome(page, base, () => page.click('#revoke-others'));
        expect(await text(page, '#flash')).toBe('Signed out 2 other sessions');
        expect(await sessions.count()).toBe(1);
        expect(await page.locator('#session-list li.session.current').count()).toBe(1);
        for (const other of [pageB, pageC]) {
          await other.reload();
          expect(await text(other, '#user')).toBe('nobody');
        }
        await page.reload();
        expect(await text(page, '#user')).toBe(user);
        expect(await sessions.count()).toBe(1);
      } finally {
        await contextB.close();
        await contextC.close();
      }
    });

    it("keeps a second browser context out of the first one's session", async () => {
      await signIn(page, base, 'ada');
      const signedIn = await views(page);

      const other = await browser.newContext();
      try {
        const stranger = await other.newPage();
        await stranger.goto(`${base}/`);
        expect(await text(stranger, '#user')).toBe('nobody');
        expect(await views(stranger)).toBe(1);
        expect(await stranger.locator('#flash').count()).toBe(0);
        const theirs = await sessionCookie(other, base);
        const ours = await sessionCookie(context, base);
        expect(theirs?.value).toBeDefined();
        expect(theirs?.value).not.toBe(ours?.value);
        await stranger.reload();
        expect(await views(stranger)).toBe(2);
      } finally {
        await other.close();
      }

      // The first context's session carried on undisturbed.
      await page.reload();
      expect(await text(page, '#user')).toBe('ada');
      expect(await views(page)).toBe(signedIn + 1);
    });
  });
}
