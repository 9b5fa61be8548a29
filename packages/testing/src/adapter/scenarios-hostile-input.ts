import { isSessionError, type SessionManagerOptions } from '@sessions/core';
import { CookieJar } from 'tough-cookie';
import { expect } from 'vitest';
import {
  arrangements,
  bitFlips,
  expectAnonymous,
  expectOwner,
  expectSetCookies,
  idOf,
  inBatches,
  padTo,
  readUser,
  SIGNED_TOKEN,
  STORE_KEY,
  sessionOf,
  setCookieValue,
  show,
  signatureOf,
  signedButNeverIssued,
  toBase64Url,
} from './hostile-input-support.js';
import type { HeaderLine } from './raw-request.js';
import { ScenarioClient, type ScenarioReply } from './scenario-client.js';
import { SCENARIO_SECRET, type ScenarioContext } from './scenario-context.js';
import type { AdapterScenario } from './scenarios-basics.js';
import { sessionCookie } from './scenarios-basics.js';

/** A second signing secret, for rotation. */
const NEW_SECRET = 'hostile-input-rotated-secret-0123456789abcdef';

/** Sends each `sid` value to `GET /get/user` and asserts an anonymous answer. */
async function expectAllAnonymous(client: ScenarioClient, values: readonly string[]) {
  await inBatches(values, 16, async (value) => {
    expectAnonymous(await readUser(client, `sid=${value}`), `sid=${show(value)}`);
  });
}

/** Asserts that nothing reached the store since the last reset. */
function expectNoStoreCall(ctx: ScenarioContext, label: string) {
  expect(ctx.calls, `${label}: store calls`).toEqual([]);
  expect(ctx.storeKeys, `${label}: store keys`).toEqual([]);
}

/** Asserts that every key the store was given since the last reset is an engine-made hash. */
function expectOnlyHashedKeys(ctx: ScenarioContext, label: string) {
  for (const key of ctx.storeKeys) expect(key, `${label}: store key`).toMatch(STORE_KEY);
}

/**
 * A write (`PUT /set/planted`) presenting `cookie`: must answer 200 with a NEW session (an ID that
 * is not `notId`) and never adopt the presented one. Returns the new token.
 */
async function expectWriteMintsNewId(
  ctx: ScenarioContext,
  cookie: string,
  notId: string,
  label: string,
): Promise<string> {
  const client = await ctx.client();
  const reply = await client.send('PUT', '/set/planted', 'attacker', { cookie });
  expect(reply.status, `${label}: status`).toBe(200);
  const token = setCookieValue(sessionCookie(reply.setCookies)) ?? '';
  expect(token, `${label}: a new session cookie`).toMatch(SIGNED_TOKEN);
  expect(idOf(token), `${label}: never the presented ID`).not.toBe(notId);
  expect(
    ctx.calls.filter((op) => op === 'create'),
    `${label}: store calls`,
  ).toEqual(['create']);
  expectOnlyHashedKeys(ctx, label);
  return token;
}

/**
 * The outcome a hostile request may have: 200 with an anonymous (or, when `owner` is given, the
 * owner's) session, or a clean 4xx from the server or framework when `refusals` allows it. Never
 * 5xx, never a dropped connection, never another user.
 */
function expectDefinedOutcome(
  reply: ScenarioReply,
  label: string,
  options: { owner?: string; refusals?: readonly number[] } = {},
) {
  const allowed = [200, ...(options.refusals ?? [])];
  expect(allowed, `${label}: status ${reply.status}`).toContain(reply.status);
  if (reply.status === 200) {
    const values = options.owner === undefined ? [null] : [null, options.owner];
    expect(values, `${label}: body ${JSON.stringify(reply.json)}`).toContainEqual(
      (reply.json as { value?: unknown } | undefined)?.value,
    );
    expect(reply.setCookies, `${label}: Set-Cookie`).toEqual([]);
  }
}

/** Asserts the app still answers an ordinary request for `token`'s owner. */
async function expectStillServing(client: ScenarioClient, token: string, owner: string) {
  expectOwner(await readUser(client, `sid=${token}`), owner, 'the next ordinary request');
}

/** The attributes of a `Set-Cookie` line, sorted, without its lifetime (`Max-Age`, `Expires`). */
function attributesOf(line: string): string[] {
  return line
    .split('; ')
    .slice(1)
    .filter((a) => !/^(Max-Age|Expires)=/i.test(a))
    .sort();
}

/**
 * Hostile incoming cookies and IDs, and the outgoing cookies' shape: every variant gets a defined
 * outcome (anonymous, or a clear 400), never a 500, a store query with attacker bytes, or another
 * user's session.
 */
export const hostileInputScenarios: readonly AdapterScenario[] = [
  {
    name: 'hostile input: a flipped bit anywhere in a valid token is anonymous, with no store call',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const variants = bitFlips(token);
      expect(variants).toHaveLength(512 + 87);
      expect(new Set(variants).has(token)).toBe(false);
      ctx.resetCalls();
      await expectAllAnonymous(client, variants);
      expectNoStoreCall(ctx, 'bit flips');
      await expectStillServing(client, token, 'ada');
    },
  },
  {
    name: 'hostile input: trailing bytes, truncation, wrong alphabet and extra separators are anonymous, with no store call',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const id = idOf(token);
      const sig = signatureOf(token);
      const variants = [
        // Trailing bytes.
        `${token}x`,
        `${token}=`,
        `${token}.`,
        `${token}A`,
        `${token}${token}`,
        `${token}.${sig}`,
        `${token}%00`,
        `${token}\\`,
        `${token}'`,
        // Truncated, or one part only.
        token.slice(0, -1),
        token.slice(1),
        id,
        sig,
        `${id}.`,
        `.${sig}`,
        // Wrong separators.
        `${id}${sig}`,
        `${id}..${sig}`,
        `${id}.${sig}.`,
        `${id}:${sig}`,
        `${id}-${sig}`,
        `${id}.${sig.slice(0, -1)}.`,
        `${id.slice(0, -1)}..${sig}`,
        // Padding and the standard base64 alphabet.
        `${id}=.${sig}`,
        `${id}.${sig}=`,
        `${id.slice(0, -1)}=.${sig}`,
        `+${id.slice(1)}.${sig}`,
        `${id}.${sig.slice(0, -1)}/`,
        `${id.replaceAll('-', '+').replaceAll('_', '/')}.${sig.replaceAll('-', '+').replaceAll('_', '/')}+`,
        // Degenerate shapes.
        '',
        '.',
        '.'.repeat(87),
        '-'.repeat(87),
        'A'.repeat(87),
        `${'A'.repeat(43)}.${'A'.repeat(43)}`,
        `${'_'.repeat(43)}.${'_'.repeat(43)}`,
        'x'.repeat(4096),
        `${id.toLowerCase()}.${sig}`,
        `${id.toUpperCase()}.${sig.toUpperCase()}`,
      ];
      ctx.resetCalls();
      await expectAllAnonymous(client, variants);
      // Many separators around nothing: no pair, or only empty values.
      for (const header of ['sid', ';;;;', 'sid=;sid=;sid=', ',,,,', '=; =; ==', `sid ${token}`]) {
        expectAnonymous(await readUser(client, header), `Cookie: ${show(header)}`);
      }
      expectNoStoreCall(ctx, 'malformed tokens');
      await expectStillServing(client, token, 'ada');
    },
  },
  {
    name: 'hostile input: a write presenting a malformed or tampered cookie mints a new ID and leaves the real session alone',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const id = idOf(token);
      for (const value of [`${token}x`, bitFlips(token)[5] as string, token.slice(1), '']) {
        ctx.resetCalls();
        await expectWriteMintsNewId(ctx, `sid=${value}`, id, `sid=${show(value)}`);
        expect(ctx.calls, 'no load for a token that fails verification').toEqual(['create']);
      }
      expect((await client.send('GET', '/all')).json).toEqual({ user: 'ada' });
    },
  },
  {
    name: 'hostile input: IDs carrying Redis pattern, hash-tag and SQL metacharacters never reach the store',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const sig = signatureOf(token);
      const nasty = [
        '*',
        '?',
        '[a-z]',
        '{tag}',
        '}{',
        `{${idOf(token)}}`,
        '\\*',
        'user:*',
        "'; drop table sessions; --",
        "' or '1'='1",
        '" or ""="',
        '%',
        '_%_',
        '$1',
        '/*',
        '../../../etc/passwd',
        'KEYS *',
        '\\x00',
      ];
      const variants = nasty.flatMap((meta) => [
        meta,
        `${padTo(meta)}.${sig}`,
        `${idOf(token)}.${padTo(meta)}`,
        `${padTo(meta + idOf(token))}.${sig}`,
      ]);
      ctx.resetCalls();
      await expectAllAnonymous(client, variants);
      expectNoStoreCall(ctx, 'metacharacters');
      ctx.resetCalls();
      const fresh = await expectWriteMintsNewId(
        ctx,
        `sid=${padTo("'; drop table sessions; --")}.${sig}`,
        idOf(token),
        'a write with a metacharacter ID',
      );
      expect(fresh).not.toContain("'");
      await expectStillServing(client, token, 'ada');
    },
  },
  {
    name: 'hostile input: percent-encoded, quoted and padded variants: tampered spellings are anonymous, equivalent ones the owner',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const percentAll = [...token]
        .map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
      const tampered = [
        percentAll,
        token.replace('.', '%2E'),
        token.replace('.', '%2e'),
        `%22${token}%22`,
        `'${token}'`,
        `"${token}`,
        `${token}"`,
        `""${token}""`,
        `" ${token}"`,
        `"${token} "`,
        `\\"${token}\\"`,
        btoa(token),
        toBase64Url(new TextEncoder().encode(token)),
        encodeURIComponent(encodeURIComponent(`"${token}"`)),
      ];
      ctx.resetCalls();
      await expectAllAnonymous(client, tampered);
      expectNoStoreCall(ctx, 'encoded variants');
      // RFC 6265 allows a DQUOTE-wrapped cookie-value and optional whitespace around it: the same
      // token spelled that way is the owner's own cookie, so it is the owner's session (one load).
      for (const header of [
        `sid="${token}"`,
        `sid= ${token} `,
        `sid=\t${token}`,
        ` sid = ${token}`,
        `theme=dark;sid=${token};lang=en`,
      ]) {
        ctx.resetCalls();
        expectOwner(await readUser(client, header), 'ada', `Cookie: ${show(header)}`);
        expect(ctx.calls).toEqual(['load']);
      }
    },
  },
  {
    name: 'hostile input: non-ASCII and control characters in the Cookie header are anonymous or a clean 400, never 5xx',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const id = idOf(token);
      const sig = signatureOf(token);
      const values = [
        `${token.slice(0, -1)}é`,
        `é${token.slice(1)}`,
        `${token}é`,
        `${id}.${sig.slice(0, -2)}😀`,
        `${token}😀`,
        'ÿ'.repeat(87),
        `${id}。${sig}`,
        `${id.slice(0, -1)}\u0130.${sig}`,
        `${token}\u0001`,
        `${id}\u0001${sig}`,
        `${id}.${sig.slice(0, -1)}\u007f`,
        `${token}\u001b[31m`,
        `${id}\u000b${sig}`,
      ];
      // NUL cannot travel through a Fetch Headers object; only a raw socket can carry it.
      if (client.sendsRawLines) values.push(`${token}\u0000`, `${id}\u0000${sig}`, '\u0000');
      const names = ['sïd', 'sid\u0001', 's\u00a0id', '\u00a0sid'];
      const lines: { label: string; cookie: string }[] = [
        ...values.map((value) => ({ label: `sid=${show(value)}`, cookie: `sid=${value}` })),
        ...names.map((name) => ({ label: `${show(name)}=<token>`, cookie: `${name}=${token}` })),
      ];
      ctx.resetCalls();
      let delivered = 0;
      await inBatches(lines, 8, async ({ label, cookie }) => {
        let reply: Awaited<ReturnType<typeof client.sendRaw>>;
        try {
          reply = await client.sendRaw('GET', '/get/user', [['cookie', cookie]]);
        } catch (error) {
          // A driver that goes through a Fetch client over a real socket (undici, Deno, Bun)
          // refuses control characters and code points above U+00FF before anything is sent:
          // such a request never reaches the app. A server that died instead is caught by
          // `expectStillServing` below.
          if (!client.sendsRawLines && error instanceof TypeError) return;
          throw error;
        }
        delivered++;
        expectDefinedOutcome(reply, label, { refusals: [400] });
      });
      expect(delivered, 'variants that reached the app').toBeGreaterThan(0);
      expectNoStoreCall(ctx, 'non-ASCII and control characters');
      await expectStillServing(client, token, 'ada');
    },
  },
  {
    name: 'hostile input: a correctly signed ID the server never issued costs one load, is anonymous, and is never adopted',
    async run(ctx) {
      const never = await signedButNeverIssued(ctx);
      const client = await ctx.client();
      ctx.resetCalls();
      expectAnonymous(await readUser(client, `sid=${never}`), 'a never-issued ID');
      expect(ctx.calls).toEqual(['load']);
      expect(ctx.storeKeys).toHaveLength(1);
      expectOnlyHashedKeys(ctx, 'a never-issued ID');
      expect(ctx.storeKeys[0]).not.toContain(idOf(never));
      // Untouched routes do not even look it up.
      ctx.resetCalls();
      const untouched = await client.send('GET', '/untouched', undefined, {
        cookie: `sid=${never}`,
      });
      expect(untouched.setCookies).toEqual([]);
      expect(ctx.calls).toEqual([]);
      // A write mints a new ID; the presented one stays unknown.
      ctx.resetCalls();
      const minted = await expectWriteMintsNewId(ctx, `sid=${never}`, idOf(never), 'a write');
      expect(ctx.calls).toEqual(['load', 'create']);
      ctx.resetCalls();
      expectAnonymous(await readUser(client, `sid=${never}`), 'the never-issued ID afterwards');
      expect(ctx.calls).toEqual(['load']);
      const reader = await ctx.client();
      expect(
        (await reader.send('GET', '/all', undefined, { cookie: `sid=${minted}` })).json,
      ).toEqual({ planted: 'attacker' });
      // Logout with it: a deletion cookie, no error, and still nothing stored under it.
      const logout = await client.send('POST', '/logout', undefined, { cookie: `sid=${never}` });
      expect(logout.status).toBe(303);
      expect(sessionCookie(logout.setCookies)).toMatch(/^sid=; /);
    },
  },
  {
    name: 'hostile input: duplicate session cookies in every arrangement: two valid IDs fail closed with 400, a valid one beside garbage wins',
    async run(ctx) {
      const ada = await sessionOf(ctx, 'ada');
      const bob = await sessionOf(ctx, 'bob');
      const never = await signedButNeverIssued(ctx);
      const tampered = bitFlips(ada.token)[100] as string;
      const probe = ada.client;
      const send = (lines: readonly HeaderLine[]) => probe.sendRaw('GET', '/get/user', lines);
      // Two different valid IDs (even one the server never issued): 400, nothing loaded or set.
      for (const [other, what] of [
        [bob.token, "another user's"],
        [never, 'a never-issued'],
      ] as const) {
        for (const { label, lines } of arrangements(ada.token, other)) {
          ctx.resetCalls();
          const reply = await send(lines);
          expect(reply.status, `ada's and ${what} token, ${label}`).toBe(400);
          expect(reply.setCookies, `${label}: Set-Cookie`).toEqual([]);
          expectNoStoreCall(ctx, label);
        }
      }
      // One valid token beside an invalid one, or twice: that session, whatever the order.
      for (const [other, what] of [
        [tampered, 'a tampered copy'],
        ['garbage', 'garbage'],
        ['', 'an empty value'],
        [ada.token, 'itself'],
      ] as const) {
        for (const { label, lines } of arrangements(ada.token, other)) {
          ctx.resetCalls();
          expectOwner(await send(lines), 'ada', `ada's token and ${what}, ${label}`);
          expect(ctx.calls, label).toEqual(['load']);
        }
      }
      // Two invalid ones: anonymous.
      for (const { label, lines } of arrangements(tampered, 'garbage')) {
        ctx.resetCalls();
        expectAnonymous(await send(lines), `tampered and garbage, ${label}`);
        expectNoStoreCall(ctx, label);
      }
      // A write presenting two valid IDs is refused too, and changes neither session.
      ctx.resetCalls();
      const write = await probe.sendRaw(
        'PUT',
        '/set/user',
        [
          ['cookie', `sid=${ada.token}; sid=${bob.token}`],
          ['content-type', 'application/json'],
        ],
        '"mallory"',
      );
      expect(write.status).toBe(400);
      expect(write.setCookies).toEqual([]);
      expectNoStoreCall(ctx, 'an ambiguous write');
      await expectStillServing(probe, ada.token, 'ada');
      await expectStillServing(probe, bob.token, 'bob');
    },
  },
  {
    name: 'hostile input: more than four distinct well-shaped session tokens are a 400 before any store call',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const flips = bitFlips(token).slice(0, 4);
      ctx.resetCalls();
      const reply = await readUser(client, [token, ...flips].map((t) => `sid=${t}`).join('; '));
      expect(reply.status).toBe(400);
      expect(reply.setCookies).toEqual([]);
      expectNoStoreCall(ctx, 'five candidates');
      // Four of them (one valid, three tampered) are still read normally.
      expectOwner(
        await readUser(client, [token, ...flips.slice(0, 3)].map((t) => `sid=${t}`).join('; ')),
        'ada',
        'four candidates',
      );
    },
  },
  {
    name: 'hostile input: prefix and case look-alikes of the cookie name are not the session cookie',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const lookAlikes = [
        'SID',
        'Sid',
        'sid_',
        'xsid',
        'sid2',
        'sid.',
        's%69d',
        '__Host-sid',
        '__Secure-sid',
        '__host-sid',
        '"sid"',
        'si d',
        's\tid',
      ];
      ctx.resetCalls();
      for (const name of lookAlikes) {
        expectAnonymous(await readUser(client, `${name}=${token}`), `${show(name)}=<token>`);
      }
      expectNoStoreCall(ctx, 'look-alike names');
      // A __Host- app on the same store and secret: the plain `sid` token is not its cookie, and
      // even under its name the signature (bound to the cookie name) does not verify.
      const hostApp = new ScenarioClient(await ctx.appWith({ cookie: { name: '__Host-sid' } }));
      const minted = await hostApp.send('PUT', '/set/user', 'host');
      const hostToken = setCookieValue(
        sessionCookie(minted.setCookies, '__Host-sid'),
        '__Host-sid',
      );
      expect(hostToken).toMatch(SIGNED_TOKEN);
      ctx.resetCalls();
      for (const cookie of [
        `sid=${hostToken}`,
        `__host-sid=${hostToken}`,
        `__Host-Sid=${hostToken}`,
        `__Host-sid=${token}`,
      ]) {
        expectAnonymous(
          await hostApp.send('GET', '/get/user', undefined, { cookie }),
          `__Host- app, Cookie: ${cookie.slice(0, 20)}`,
        );
      }
      expectAnonymous(await readUser(client, `sid=${hostToken}`), 'the __Host- token under sid');
      expectNoStoreCall(ctx, 'tokens under the wrong name');
      expectOwner(
        await hostApp.send('GET', '/get/user', undefined, { cookie: `__Host-sid=${hostToken}` }),
        'host',
        'the __Host- token under its own name',
      );
    },
  },
  {
    name: 'hostile input: key rotation: [new, old] accepts and re-issues old-key tokens; with the old key removed they are anonymous',
    async run(ctx) {
      const { token, setCookie } = await sessionOf(ctx, 'ada');
      const rotated = await ctx.appWith({ secrets: [NEW_SECRET, SCENARIO_SECRET] });
      const client = new ScenarioClient(rotated);
      // An untouched route re-issues nothing.
      ctx.resetCalls();
      const untouched = await client.send('GET', '/untouched', undefined, {
        cookie: `sid=${token}`,
      });
      expect(untouched.setCookies).toEqual([]);
      expect(ctx.calls).toEqual([]);
      // A read verifies under the old key and re-issues the same ID under the new one.
      const read = await client.send('GET', '/get/user', undefined, { cookie: `sid=${token}` });
      expect(read.status).toBe(200);
      expect(read.json).toEqual({ value: 'ada' });
      expectSetCookies(read, 1, 'the re-issue');
      const reissued = setCookieValue(sessionCookie(read.setCookies)) ?? '';
      expect(reissued).toMatch(SIGNED_TOKEN);
      expect(idOf(reissued), 'same session').toBe(idOf(token));
      expect(signatureOf(reissued), 'new signature').not.toBe(signatureOf(token));
      expect(attributesOf(sessionCookie(read.setCookies) ?? ''), 'same attributes').toEqual(
        attributesOf(setCookie),
      );
      // The re-issued token is read without another re-issue.
      const again = await client.send('GET', '/get/user', undefined, { cookie: `sid=${reissued}` });
      expectOwner(again, 'ada', 'the re-issued token');
      // Both spellings of the same ID together are one session, not an ambiguity.
      const both = await client.send('GET', '/get/user', undefined, {
        cookie: `sid=${token}; sid=${reissued}`,
      });
      expect(both.status).toBe(200);
      expect(both.json).toEqual({ value: 'ada' });
      // The newest key's spelling is the one kept, so nothing needs re-issuing.
      expectSetCookies(both, 0, 'old and new spelling together');
      // With the old key removed: the old-key token is anonymous without a store call, the
      // re-issued one still works.
      const retired = new ScenarioClient(await ctx.appWith({ secrets: [NEW_SECRET] }));
      ctx.resetCalls();
      expectAnonymous(
        await retired.send('GET', '/get/user', undefined, { cookie: `sid=${token}` }),
        'a retired-key token',
      );
      expectNoStoreCall(ctx, 'a retired-key token');
      expectOwner(
        await retired.send('GET', '/get/user', undefined, { cookie: `sid=${reissued}` }),
        'ada',
        'the re-issued token after retirement',
      );
      // And a write presenting the retired-key token mints a new ID.
      ctx.resetCalls();
      const write = await retired.send('PUT', '/set/x', 1, { cookie: `sid=${token}` });
      const fresh = setCookieValue(sessionCookie(write.setCookies)) ?? '';
      expect(fresh).toMatch(SIGNED_TOKEN);
      expect(idOf(fresh)).not.toBe(idOf(token));
      expect(ctx.calls).toEqual(['create']);
    },
  },
  {
    name: 'hostile input: oversized and degenerate Cookie headers (64 KiB, 10,000 pairs) get a defined answer, and the server keeps serving',
    async run(ctx) {
      const { client, token } = await sessionOf(ctx, 'ada');
      const tenThousand = (pair: (i: number) => string) =>
        Array.from({ length: 10_000 }, (_, i) => pair(i)).join('; ');
      const flips = bitFlips(token);
      const cases: { label: string; cookie: string; owner?: string; refusals: number[] }[] = [
        {
          label: 'a 64 KiB header with the session cookie first',
          cookie: `sid=${token}; pad=${'x'.repeat(64 * 1024)}`,
          owner: 'ada',
          refusals: [400, 413, 431],
        },
        {
          label: 'a 64 KiB session cookie value',
          cookie: `sid=${'A'.repeat(64 * 1024)}`,
          refusals: [400, 413, 431],
        },
        {
          label: '64 KiB of separators',
          cookie: `${';'.repeat(32 * 1024)}${','.repeat(32 * 1024)}`,
          refusals: [400, 413, 431],
        },
        {
          label: '10,000 pairs, then the session cookie',
          cookie: `${tenThousand((i) => `k${i}=v${i}`)}; sid=${token}`,
          owner: 'ada',
          refusals: [400, 413, 431],
        },
        {
          label: '10,000 malformed sid pairs around the session cookie',
          cookie: `${tenThousand((i) => `sid=${i}`)}; sid=${token}`,
          owner: 'ada',
          refusals: [400, 413, 431],
        },
        {
          label: '10,000 empty pairs',
          cookie: tenThousand(() => '='),
          refusals: [400, 413, 431],
        },
      ];
      ctx.resetCalls();
      for (const { label, cookie, owner, refusals } of cases) {
        const started = Date.now();
        const reply = await client.sendRaw('GET', '/get/user', [['cookie', cookie]]);
        expectDefinedOutcome(reply, label, { ...(owner === undefined ? {} : { owner }), refusals });
        expect(Date.now() - started, `${label}: answered promptly`).toBeLessThan(10_000);
        await expectStillServing(client, token, 'ada');
      }
      // Degenerate header lines: empty, blank, and a hundred Cookie lines.
      const lineCases: { label: string; lines: HeaderLine[]; owner?: string }[] = [
        { label: 'an empty Cookie line', lines: [['cookie', '']] },
        { label: 'a blank Cookie line', lines: [['cookie', ' \t ']] },
        {
          label: 'two empty Cookie lines around the session cookie',
          lines: [
            ['cookie', ''],
            ['cookie', `sid=${token}`],
            ['cookie', ''],
          ],
          owner: 'ada',
        },
        {
          label: 'a hundred Cookie lines, the session cookie last',
          lines: [
            ...Array.from({ length: 100 }, (_, i): HeaderLine => ['cookie', `c${i}=${i}`]),
            ['cookie', `sid=${token}`],
          ],
          owner: 'ada',
        },
      ];
      for (const { label, lines, owner } of lineCases) {
        const reply = await client.sendRaw('GET', '/get/user', lines);
        if (owner === undefined) expectAnonymous(reply, label);
        else expectOwner(reply, owner, label);
      }
      // 10,000 well-shaped tokens, 513 of them distinct: refused as ambiguous (400) or by the server (431).
      const many = await client.sendRaw('GET', '/get/user', [
        [
          'cookie',
          flips
            .slice(0, 512)
            .concat(Array(9_488).fill(token))
            .map((t) => `sid=${t}`)
            .join('; '),
        ],
      ]);
      expect([400, 413, 431], `10,000 sid tokens: status ${many.status}`).toContain(many.status);
      expect(many.setCookies).toEqual([]);
      expectOnlyHashedKeys(ctx, 'oversized headers');
      await expectStillServing(client, token, 'ada');
    },
  },
  {
    name: 'hostile input: header transport: tampered, foreign, ambiguous and malformed bearer tokens',
    async run(ctx) {
      const app = await ctx.appWith({ transport: { type: 'header' } });
      const client = new ScenarioClient(app);
      const mint = async (user: string) => {
        const reply = await client.send('PUT', '/set/user', user);
        const token = reply.headers.get('x-session-token') ?? '';
        expect(token).toMatch(SIGNED_TOKEN);
        return token;
      };
      const ada = await mint('ada');
      const bob = await mint('bob');
      const read = (lines: HeaderLine[]) => client.sendRaw('GET', '/get/user', lines);
      const anonymous = async (lines: HeaderLine[], label: string) => {
        const reply = await read(lines);
        expect(reply.status, label).toBe(200);
        expect(reply.json, label).toEqual({ value: null });
        expect(reply.headers.get('x-session-token'), label).toBeNull();
      };
      ctx.resetCalls();
      for (const value of [
        `Bearer ${bitFlips(ada)[17]}`,
        `Bearer ${ada}x`,
        `Bearer ${ada.slice(1)}`,
        `Basic ${ada}`,
        `Bearer`,
        `Bearer ${padTo('{tag}*')}.${signatureOf(ada)}`,
        `Bearer ${padTo("'; drop table sessions; --")}.${signatureOf(ada)}`,
        ada,
        `Token ${ada}`,
      ]) {
        await anonymous([['authorization', value]], `Authorization: ${show(value)}`);
      }
      expectNoStoreCall(ctx, 'bad bearer tokens');
      // The same token in either case of the scheme and around blanks is the owner's.
      for (const value of [`Bearer ${ada}`, `bearer ${ada}`, `BEARER ${ada} `]) {
        const reply = await read([['authorization', value]]);
        expect(reply.json, value.slice(0, 8)).toEqual({ value: 'ada' });
      }
      // Two different valid tokens, in one line or two: 400.
      for (const lines of [
        [['authorization', `Bearer ${ada}, Bearer ${bob}`]],
        [
          ['authorization', `Bearer ${ada}`],
          ['authorization', `Bearer ${bob}`],
        ],
      ] as HeaderLine[][]) {
        ctx.resetCalls();
        const reply = await read(lines);
        expect(reply.status, `two bearer tokens in ${lines.length} line(s)`).toBe(400);
        expect(reply.headers.get('x-session-token')).toBeNull();
        expectNoStoreCall(ctx, 'ambiguous bearer tokens');
      }
      // A session cookie is not read by the header transport.
      await anonymous([['cookie', `sid=${ada}`]], 'a cookie under the header transport');
    },
  },
  {
    name: 'hostile input: user-session handles carrying metacharacters are 404 without reaching the store',
    needsUserIndex: true,
    async run(ctx) {
      const client = await ctx.client();
      expect((await client.send('POST', '/sign-in', { user: 'ada' })).status).toBe(200);
      const handles = [
        '*',
        '%2A',
        '{tag}',
        padTo('{tag}', 22),
        padTo('*', 22),
        padTo("'; drop table sessions; --", 22),
        padTo('..%2F..%2F', 22),
        encodeURIComponent('ü'.repeat(22)),
        'A'.repeat(4096),
      ];
      for (const handle of handles) {
        ctx.resetCalls();
        const reply = await client.send('DELETE', `/user-session/${handle}`);
        expect(reply.status, `handle ${show(handle)}`).toBe(404);
        expect(reply.json).toEqual({ revoked: false });
        expect(ctx.calls, `handle ${show(handle)}: store calls`).toEqual(['load']);
        expectOnlyHashedKeys(ctx, `handle ${show(handle)}`);
      }
      expect(((await client.send('GET', '/user-id')).json as { userId: unknown }).userId).toBe(
        'ada',
      );
    },
  },
  {
    name: 'outgoing cookies: exactly one Set-Cookie per name when a write issues the cookie (create, rotate, expiry change, end), none on plain writes within the touch interval, untouched or read routes',
    async run(ctx) {
      const client = await ctx.client();
      const read = async (label: string) => {
        for (const path of ['/untouched', '/get/user', '/all', '/state', '/user-id', '/flash']) {
          const reply = await client.send('GET', path);
          expect(reply.status, `${label} GET ${path}`).toBe(200);
          expectSetCookies(reply, 0, `${label} GET ${path}`);
        }
      };
      await read('anonymous');
      const write = async (
        method: string,
        path: string,
        body: unknown,
        expected: 0 | 1 | '0 or 1',
      ) => {
        const reply = await client.send(method, path, body);
        expect(reply.status, `${method} ${path}`).toBeLessThan(400);
        expectSetCookies(reply, expected, `${method} ${path}`);
        return reply;
      };
      await write('PUT', '/set/user', 'ada', 1);
      await read('with a session');
      // Plain writes within the touch interval keep the stored expiry, so the cookie the client
      // holds is still right: no Set-Cookie. Creating, rotating, re-binding, changing the expiry
      // and ending a session each send exactly one.
      await write('PUT', '/set/theme', 'dark', 0);
      await write('DELETE', '/key/theme', undefined, 0);
      await write('POST', '/flash', 'hello', 0);
      await write('GET', '/flash', undefined, 0);
      await write('POST', '/clear', undefined, 0);
      await write('POST', '/consent', undefined, 0);
      await write('POST', '/regenerate', undefined, 1);
      await write('POST', '/remember', undefined, 1);
      await write('POST', '/login', 'ada', 1);
      await write('POST', '/sign-in', { user: 'ada' }, 1);
      await read('after sign-in');
      await write('POST', '/destroy', undefined, 1);
      await write('PUT', '/set/again', 1, 1);
      await write('POST', '/logout', undefined, 1);
      await read('after logout');
      // A new visitor who logs out without a session gets one deletion cookie at most.
      const stranger = await ctx.client();
      expectSetCookies(await stranger.send('POST', '/logout'), '0 or 1', 'anonymous logout');
    },
  },
  {
    name: "outgoing cookies: logout's deletion cookie removes the original from a real cookie jar (tough-cookie), for every safe configuration",
    async run(ctx) {
      const configurations: {
        label: string;
        options: Partial<SessionManagerOptions>;
        url: string;
        name: string;
        remember?: boolean;
      }[] = [
        { label: 'defaults', options: {}, url: 'https://app.example.com/', name: 'sid' },
        {
          label: '__Host- prefix',
          options: { cookie: { name: '__Host-sid' } },
          url: 'https://app.example.com/',
          name: '__Host-sid',
        },
        {
          label: '__Secure- prefix, parent domain, sub-path, strict',
          options: {
            cookie: { name: '__Secure-s', domain: 'example.com', path: '/app', sameSite: 'strict' },
          },
          url: 'https://app.example.com/app/page',
          name: '__Secure-s',
        },
        {
          label: 'SameSite=None, Partitioned, high priority',
          options: { cookie: { sameSite: 'none', partitioned: true, priority: 'high' } },
          url: 'https://app.example.com/',
          name: 'sid',
        },
        {
          label: 'browser-session cookie',
          options: { expiry: { cookie: 'browser-session' } },
          url: 'https://app.example.com/',
          name: 'sid',
        },
        {
          label: 'remember me (persistent for 14 days)',
          options: {},
          url: 'https://app.example.com/',
          name: 'sid',
          remember: true,
        },
      ];
      for (const { label, options, url, name, remember } of configurations) {
        const client = new ScenarioClient(await ctx.appWith(options));
        const created = await client.send('POST', remember === true ? '/remember' : '/consent');
        const original = sessionCookie(created.setCookies, name) ?? '';
        expect(original, `${label}: the session cookie`).toMatch(new RegExp(`^${name}=`));
        const jar = new CookieJar(undefined, { prefixSecurity: 'strict' });
        await jar.setCookie(original, url);
        await jar.setCookie('other=kept; Path=/; Secure', url);
        const before = (await jar.getCookies(url)).map((c) => c.key).sort();
        expect(before, `${label}: the jar took the original`).toEqual([name, 'other'].sort());
        const logout = await client.send('POST', '/logout');
        expect(logout.status).toBe(303);
        expectSetCookies(logout, 1, `${label}: logout`, name);
        const deletion = sessionCookie(logout.setCookies, name) ?? '';
        expect(attributesOf(deletion), `${label}: same attributes`).toEqual(attributesOf(original));
        await jar.setCookie(deletion, url);
        const after = (await jar.getCookies(url)).map((c) => c.key);
        expect(after, `${label}: the jar dropped the session cookie`).toEqual(['other']);
        // Nothing of it is left for any path or scheme of the site either.
        const everywhere = await jar.serialize();
        expect(
          everywhere.cookies.map((c) => c.key),
          `${label}: the whole jar`,
        ).toEqual(['other']);
      }
    },
  },
  {
    name: 'unsafe configurations are rejected when the app is created, with SessionError MISCONFIGURED',
    async run(ctx) {
      const unsafe: { label: string; options: Partial<SessionManagerOptions> }[] = [
        {
          label: '__Host- with a domain',
          options: { cookie: { name: '__Host-x', domain: 'a.com' } },
        },
        {
          label: '__Host- with a sub-path',
          options: { cookie: { name: '__Host-x', path: '/app' } },
        },
        {
          label: '__Host- without Secure',
          options: { cookie: { name: '__Host-x', secure: false } },
        },
        {
          label: '__Secure- without Secure',
          options: { cookie: { name: '__Secure-x', secure: false } },
        },
        {
          label: 'SameSite=None without Secure',
          options: { cookie: { sameSite: 'none', secure: false } },
        },
        {
          label: 'Partitioned without Secure',
          options: { cookie: { partitioned: true, secure: false } },
        },
        {
          label: 'attribute injection in path',
          options: { cookie: { path: '/; Domain=evil.com' } },
        },
        { label: 'CRLF in domain', options: { cookie: { domain: 'a.com\r\nSet-Cookie: x=1' } } },
        { label: 'non-ASCII domain', options: { cookie: { domain: 'exämple.com' } } },
        { label: 'a name with a space', options: { cookie: { name: 'my sid' } } },
        { label: 'a name with a separator', options: { cookie: { name: 's;id' } } },
        { label: 'an empty name', options: { cookie: { name: '' } } },
        { label: 'a short secret', options: { secrets: ['short'] } },
        { label: 'a short old secret', options: { secrets: [SCENARIO_SECRET, 'short'] } },
        { label: 'no secrets', options: { secrets: [] } },
        {
          label: 'a persistent cookie over 400 days',
          options: { expiry: { idle: '401d', absolute: 'none' } },
        },
      ];
      for (const { label, options } of unsafe) {
        let thrown: unknown;
        try {
          await ctx.appWith(options);
        } catch (error) {
          thrown = error;
        }
        expect(isSessionError(thrown), `${label}: throws a SessionError`).toBe(true);
        expect((thrown as { code?: string }).code, label).toBe('MISCONFIGURED');
      }
    },
  },
];
