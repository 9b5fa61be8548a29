import { readCookieValues, type Session, type SessionData } from '@sessions/core';
import type { Redis } from 'ioredis';

/** Options for {@link importExpressSession}. */
export interface ExpressSessionImportOptions<Data extends SessionData> {
  /** The ioredis client on the Redis that connect-redis wrote to. */
  readonly redis: Redis;
  /** express-session's `secret` (all of them, if it was an array): the old cookie is verified. */
  readonly secrets: readonly string[];
  /**
   * Who wrote the cookie: express-session signs `s:<id>.<signature>`, @fastify/session (with the
   * same cookie-signature algorithm, through @fastify/cookie's signer) `<id>.<signature>`. Both
   * keep the session in connect-redis's layout when they use connect-redis.
   * @default 'express-session'
   */
  readonly format?: 'express-session' | 'fastify-session' | undefined;
  /** The old cookie name. @default 'connect.sid' (express-session), 'sessionId' (@fastify/session) */
  readonly cookieName?: string | undefined;
  /** connect-redis's key prefix. @default 'sess:' */
  readonly prefix?: string | undefined;
  /**
   * Copies what the app wants from the old session data (connect-redis's JSON, without its
   * `cookie` field) into the new session: validate it like any stored input. Sign the user in
   * here (`session.signIn(...)`) if the old session was signed in.
   */
  readonly restore: (legacy: Record<string, unknown>, session: Session<Data>) => Promise<void>;
}

/** What {@link importExpressSession} did. */
export interface ExpressSessionImportResult {
  /** True when an old session was found, retired and handed to `restore`. */
  readonly imported: boolean;
  /**
   * A `Set-Cookie` value deleting the old cookie, whenever the request carried one (valid or
   * not); append it to the response. Absent when there was no old cookie.
   */
  readonly clearCookie?: string | undefined;
}

/** express-session IDs are uid-safe's 24 bytes in base64url: 32 characters. Allow some slack. */
const LEGACY_ID = /^[A-Za-z0-9_-]{16,128}$/;

/** Standard base64 without padding, as cookie-signature writes it. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}$/;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Verifies an old cookie value (`s:<id>.<base64 HMAC-SHA-256 of id>` from express-session,
 * `<id>.<signature>` from @fastify/session, URL-encoded, as cookie-signature signs it) against
 * every secret, in constant time through Web Crypto. Returns the old session ID, or undefined for
 * anything that does not verify.
 */
async function unsignLegacyCookie(
  raw: string,
  secrets: readonly string[],
  signedPrefix: string,
): Promise<string | undefined> {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!value.startsWith(signedPrefix)) return undefined;
  const dot = value.lastIndexOf('.');
  const id = value.slice(signedPrefix.length, dot);
  const signature = value.slice(dot + 1);
  if (dot < 0 || !LEGACY_ID.test(id) || !SIGNATURE.test(signature)) return undefined;
  const encoder = new TextEncoder();
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    if (await crypto.subtle.verify('HMAC', key, decodeBase64(signature), encoder.encode(id))) {
      return id;
    }
  }
  return undefined;
}

/**
 * One-time, lazy import of express-session (or @fastify/session) + connect-redis sessions into
 * @sessions. Call it early
 * in a request, with the request's `Cookie` header and its (new) session. When the request has no
 * @sessions session yet but presents a validly signed `connect.sid`, the old record is read and
 * deleted in one step (`GETDEL`, Redis 6.2+), handed to `restore`, and the old cookie is cleared;
 * the new session is written by the usual commit. Requests without an old cookie cost nothing.
 *
 * - Each old session is imported at most once, so a copied old cookie cannot be replayed into a
 *   second new session. A request racing the import with the same cookie finds nothing (its user
 *   sees the new cookie from the other response).
 * - If the request fails after the import (the commit never happens), the old data is gone: the
 *   user signs in again. That is the price of import-once; keep the old Redis keys in a backup
 *   until the cut-over is done if that matters.
 * - Run it for one absolute session lifetime (or express-session's `cookie.maxAge`), then remove
 *   it: every old session has been imported or has expired by then.
 */
export async function importExpressSession<Data extends SessionData>(
  session: Session<Data>,
  cookieHeader: string | null | undefined,
  options: ExpressSessionImportOptions<Data>,
): Promise<ExpressSessionImportResult> {
  const fastify = options.format === 'fastify-session';
  const cookieName = options.cookieName ?? (fastify ? 'sessionId' : 'connect.sid');
  const [raw] = readCookieValues(cookieHeader ?? '', cookieName);
  if (raw === undefined) return { imported: false };
  const clearCookie = `${cookieName}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
  // A request that already has a new session keeps it; the old cookie is only cleared.
  await session.keys(); // loads the session (one store read when it has a cookie)
  if (!session.isNew) return { imported: false, clearCookie };
  const legacyId = await unsignLegacyCookie(raw, options.secrets, fastify ? '' : 's:');
  if (legacyId === undefined) return { imported: false, clearCookie };
  const stored = await options.redis.getdel(`${options.prefix ?? 'sess:'}${legacyId}`);
  if (stored === null) return { imported: false, clearCookie };
  const { cookie: _cookie, ...legacy } = JSON.parse(stored) as Record<string, unknown>;
  await options.restore(legacy, session);
  return { imported: true, clearCookie };
}
