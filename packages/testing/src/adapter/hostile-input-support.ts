import { createMemoryStore, type SessionManagerOptions } from '@sessions/core';
import { expect } from 'vitest';
import type { HeaderLine } from './raw-request.js';
import { ScenarioClient, type ScenarioReply } from './scenario-client.js';
import type { ScenarioContext } from './scenario-context.js';

/** Characters of a session ID (and of a signature) in a signed token `<id>.<signature>`. */
export const ID_LENGTH = 43;

/** The shape of a store key the engine derives from an ID: SHA-256, base64url. */
export const STORE_KEY = /^[A-Za-z0-9_-]{43}$/;

/** The shape of a signed token. */
export const SIGNED_TOKEN = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

/** The ID part of a signed token. */
export const idOf = (token: string): string => token.slice(0, ID_LENGTH);

/** The signature part of a signed token. */
export const signatureOf = (token: string): string => token.slice(ID_LENGTH + 1);

/** The value of the `name` cookie set by one `Set-Cookie` line, or `undefined`. */
export function setCookieValue(line: string | undefined, name = 'sid'): string | undefined {
  if (line?.startsWith(`${name}=`) !== true) return undefined;
  return line.slice(name.length + 1).split(';', 1)[0];
}

/** Decodes unpadded base64url (runtime-agnostic: `atob`, no `Buffer`). */
export function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Encodes bytes as unpadded base64url. */
export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/**
 * Every single-bit change of `token`: each of the 512 bits of its ID and signature bytes (re-encoded,
 * so the result is well formed), and bit 0 of each of its 87 characters (including the `.`).
 */
export function bitFlips(token: string): string[] {
  const parts = [idOf(token), signatureOf(token)].map(fromBase64Url);
  const variants: string[] = [];
  for (let part = 0; part < 2; part++) {
    const bytes = parts[part] as Uint8Array;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Uint8Array.from(bytes);
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      const encoded = toBase64Url(flipped);
      variants.push(part === 0 ? `${encoded}.${signatureOf(token)}` : `${idOf(token)}.${encoded}`);
    }
  }
  for (let i = 0; i < token.length; i++) {
    variants.push(
      token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ 1) + token.slice(i + 1),
    );
  }
  return variants;
}

/** `text` cut or padded with `A` to exactly `length` characters. */
export function padTo(text: string, length = ID_LENGTH): string {
  return text.length >= length ? text.slice(0, length) : text + 'A'.repeat(length - text.length);
}

/** Runs `each` over `items`, `width` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  width: number,
  each: (item: T, index: number) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < items.length; start += width) {
    await Promise.all(items.slice(start, start + width).map((item, i) => each(item, start + i)));
  }
}

/** A client of the default app holding a session with `user` set to `name`; returns its token. */
export async function sessionOf(
  ctx: ScenarioContext,
  name: string,
): Promise<{ client: ScenarioClient; token: string; setCookie: string }> {
  const client = await ctx.client();
  const reply = await client.send('PUT', '/set/user', name);
  expect(reply.status).toBe(200);
  const token = client.cookies.get('sid') ?? '';
  expect(token).toMatch(SIGNED_TOKEN);
  const setCookie = reply.setCookies.find((line) => line.startsWith('sid=')) ?? '';
  return { client, token, setCookie };
}

/**
 * A token the default app would accept as correctly signed (same secrets, same cookie name) for a
 * session it never issued: minted by a second app on the same options and a store of its own.
 */
export async function signedButNeverIssued(
  ctx: ScenarioContext,
  overrides: Partial<SessionManagerOptions> = {},
): Promise<string> {
  const elsewhere = new ScenarioClient(
    await ctx.appWith({ ...overrides, store: createMemoryStore() }),
  );
  await elsewhere.send('PUT', '/set/user', 'mallory');
  const token = elsewhere.cookies.get('sid') ?? '';
  expect(token).toMatch(SIGNED_TOKEN);
  return token;
}

/** Reads `GET /get/user` with exactly this `Cookie` header. */
export function readUser(client: ScenarioClient, cookie: string): Promise<ScenarioReply> {
  return client.send('GET', '/get/user', undefined, { cookie });
}

/** Asserts an anonymous answer to `GET /get/user`: 200, no user, no `Set-Cookie`. */
export function expectAnonymous(reply: ScenarioReply, label: string): void {
  expect(reply.status, `${label}: status`).toBe(200);
  expect(reply.json, `${label}: body`).toEqual({ value: null });
  expect(reply.setCookies, `${label}: Set-Cookie`).toEqual([]);
}

/** Asserts the owner's answer to `GET /get/user`: 200, `user` is `name`, no `Set-Cookie`. */
export function expectOwner(reply: ScenarioReply, name: string, label: string): void {
  expect(reply.status, `${label}: status`).toBe(200);
  expect(reply.json, `${label}: body`).toEqual({ value: name });
  expect(reply.setCookies, `${label}: Set-Cookie`).toEqual([]);
}

/** A readable label for a cookie value in assertion messages (long values shortened). */
export function show(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 100)}... (${value.length} chars)` : text;
}

/** The ways two `sid` values can arrive in one request. */
export function arrangements(
  first: string,
  second: string,
): { readonly label: string; readonly lines: readonly HeaderLine[] }[] {
  const both = (a: string, b: string, order: string) => [
    { label: `one line, ${order}`, lines: [['cookie', `sid=${a}; sid=${b}`]] as HeaderLine[] },
    {
      label: `two header lines, ${order}`,
      lines: [
        ['cookie', `sid=${a}`],
        ['cookie', `sid=${b}`],
      ] as HeaderLine[],
    },
    { label: `comma-joined, ${order}`, lines: [['cookie', `sid=${a}, sid=${b}`]] as HeaderLine[] },
    {
      label: `among other cookies, ${order}`,
      lines: [['cookie', `theme=dark; sid=${a}; lang=en; sid=${b}; x=1`]] as HeaderLine[],
    },
    {
      label: `two lines among other cookies, ${order}`,
      lines: [
        ['cookie', `theme=dark; sid=${a}`],
        ['cookie', `lang=en; sid=${b}; x=1`],
      ] as HeaderLine[],
    },
  ];
  return [...both(first, second, 'this order'), ...both(second, first, 'reversed')];
}

/** The `name=value` pairs of `Set-Cookie` lines, grouped by cookie name. */
export function setCookiesByName(lines: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const line of lines) {
    const name = line.slice(0, line.indexOf('='));
    byName.set(name, [...(byName.get(name) ?? []), line]);
  }
  return byName;
}

/**
 * Asserts the outgoing-cookie rules on one reply: at most one `Set-Cookie` per name, none of them
 * comma-joined (each line is one cookie), and exactly `expected` lines for `name`.
 */
export function expectSetCookies(
  reply: ScenarioReply,
  expected: 0 | 1 | '0 or 1',
  label: string,
  name = 'sid',
): void {
  for (const [cookie, lines] of setCookiesByName(reply.setCookies)) {
    expect(lines, `${label}: Set-Cookie lines for ${cookie}`).toHaveLength(1);
  }
  for (const line of reply.setCookies) {
    expect(line, `${label}: one cookie per Set-Cookie line`).not.toMatch(/,\s*[^=;,\s]+=[^;]*;/);
    expect(line, `${label}: one cookie per Set-Cookie line`).not.toMatch(/[\r\n]/);
  }
  const count = setCookiesByName(reply.setCookies).get(name)?.length ?? 0;
  if (expected === '0 or 1') expect(count, `${label}: ${name} lines`).toBeLessThanOrEqual(1);
  else expect(count, `${label}: ${name} lines`).toBe(expected);
}
