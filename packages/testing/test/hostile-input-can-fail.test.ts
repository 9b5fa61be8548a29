/**
 * Proves the hostile-input scenarios can fail: each one named below passes on the intact
 * reference app (see web-adapter.scenarios.test.ts) and fails when the app, its store or its
 * HTTP layer is broken in one specific way a real adapter or store could be.
 */
import {
  createMemoryStore,
  isSessionError,
  type SessionAdapterOptions,
  type SessionStore,
} from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { hostileInputScenarios } from '../src/adapter/scenarios-hostile-input.js';
import {
  type AdapterDriver,
  createScenarioContext,
  type ManualClock,
  type ScenarioData,
} from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

type Options = SessionAdapterOptions<ScenarioData>;

interface Mutant {
  readonly breakage: string;
  /** Builds the broken app (default: the intact reference app). */
  readonly createApp?: (options: Options) => AdapterDriver;
  /** The broken store (default: the intact memory store on the scenario's clock). */
  readonly store?: (clock: ManualClock) => SessionStore;
  /** Names (prefixes) of the scenarios that must catch it. */
  readonly scenarios: readonly string[];
}

/** The reference app with its requests and responses rewritten on the way. */
function rewriting(
  request: (request: Request) => Request,
  response: (response: Response) => Response = (r) => r,
): (options: Options) => AdapterDriver {
  return (options) => {
    const app = webScenarioApp(options);
    return { fetch: async (r) => response(await app.fetch(request(r))) };
  };
}

/** A copy of `response` with its `Set-Cookie` lines replaced by `map(lines)`. */
function withSetCookies(response: Response, map: (lines: string[]) => string[]): Response {
  const headers = new Headers(response.headers);
  headers.delete('set-cookie');
  for (const line of map(response.headers.getSetCookie())) headers.append('set-cookie', line);
  return new Response(response.body, { status: response.status, headers });
}

/** A copy of `request` with header `name` replaced by `map(value)` (deleted for `null`). */
function withHeader(request: Request, name: string, map: (value: string) => string | null) {
  const headers = new Headers(request.headers);
  const value = headers.get(name);
  if (value !== null) {
    const mapped = map(value);
    if (mapped === null) headers.delete(name);
    else headers.set(name, mapped);
  }
  return new Request(request, { headers });
}

const mutants: readonly Mutant[] = [
  {
    breakage: 'the store adopts unknown keys (an empty record for any key)',
    store: (clock) => {
      const base = createMemoryStore({ clock: clock.clock });
      return {
        ...base,
        load: (key) =>
          base.load(key) ?? {
            entries: new Map(),
            meta: { createdAt: clock.now() },
            expiresAt: clock.now() + 60_000,
          },
      };
    },
    scenarios: ['hostile input: a correctly signed ID the server never issued'],
  },
  {
    breakage: 'the cookie parser keeps only the first session cookie (like the `cookie` package)',
    createApp: rewriting((request) =>
      withHeader(request, 'cookie', (value) => {
        let seen = false;
        return value
          .split(/[;,]/)
          .filter((pair) => {
            if (pair.trim().split('=', 1)[0] !== 'sid') return true;
            if (seen) return false;
            seen = true;
            return true;
          })
          .join(';');
      }),
    ),
    scenarios: ['hostile input: duplicate session cookies in every arrangement'],
  },
  {
    breakage: 'a runtime that keeps only the first Authorization line',
    createApp: rewriting((request) =>
      withHeader(request, 'authorization', (value) => value.split(',')[0] ?? null),
    ),
    scenarios: ['hostile input: header transport'],
  },
  {
    breakage: 'the session cookie is sent twice',
    createApp: rewriting(
      (r) => r,
      (response) => withSetCookies(response, (lines) => lines.flatMap((line) => [line, line])),
    ),
    scenarios: ['outgoing cookies: exactly one Set-Cookie per name'],
  },
  {
    breakage: 'a read route sets a cookie (a re-issue on every request)',
    createApp: rewriting(
      (r) => r,
      (response) =>
        withSetCookies(response, (lines) => (lines.length === 0 ? ['sid=x; Path=/'] : lines)),
    ),
    scenarios: ['outgoing cookies: exactly one Set-Cookie per name'],
  },
  {
    breakage: "the deletion cookie loses the original's Path and Domain",
    createApp: rewriting(
      (r) => r,
      (response) =>
        withSetCookies(response, (lines) =>
          lines.map((line) =>
            /Max-Age=0/.test(line)
              ? line.replace(/; Path=[^;]*/, '').replace(/; Domain=[^;]*/, '')
              : line,
          ),
        ),
    ),
    scenarios: ["outgoing cookies: logout's deletion cookie removes the original"],
  },
  {
    breakage: 'a large Cookie header crashes the app (500)',
    createApp: (options) => {
      const app = webScenarioApp(options);
      return {
        fetch: async (request) =>
          (request.headers.get('cookie')?.length ?? 0) > 16_384
            ? new Response('boom', { status: 500 })
            : app.fetch(request),
      };
    },
    scenarios: ['hostile input: oversized and degenerate Cookie headers'],
  },
  {
    breakage: 'unsafe options are swallowed (the app falls back to defaults)',
    createApp: (options) => {
      try {
        return webScenarioApp(options);
      } catch (error) {
        if (!isSessionError(error)) throw error;
        const {
          cookie: _cookie,
          expiry: _expiry,
          ...rest
        } = options as Options & {
          cookie?: unknown;
          expiry?: unknown;
        };
        return webScenarioApp({ ...rest, secrets: ['adapter-scenarios-secret-0123456789abcdef'] });
      }
    },
    scenarios: ['unsafe configurations are rejected'],
  },
];

const byName = (prefix: string) => {
  const found = hostileInputScenarios.filter((scenario) => scenario.name.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0] as (typeof hostileInputScenarios)[number];
};

describe('the hostile-input scenarios catch a broken app or store', () => {
  for (const mutant of mutants) {
    for (const name of mutant.scenarios) {
      it(`${mutant.breakage}: "${name}" fails`, async () => {
        const scenario = byName(name);
        const context = createScenarioContext(
          { name: 'mutant', createApp: mutant.createApp ?? webScenarioApp },
          {
            store: mutant.store ?? ((clock) => createMemoryStore({ clock: clock.clock })),
            usesClock: true,
          },
        );
        try {
          await expect(scenario.run(context)).rejects.toThrow();
        } finally {
          await context.close();
        }
      });
    }
  }
});
