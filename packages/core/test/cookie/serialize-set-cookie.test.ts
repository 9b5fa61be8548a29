import { describe, expect, it } from 'vitest';
import type { CookieOptions } from '../../src/cookie/cookie-options.js';
import {
  MAX_COOKIE_MAX_AGE_SECONDS,
  type ResolvedCookieOptions,
  resolveCookieOptions,
} from '../../src/cookie/resolve-cookie-options.js';
import {
  type CookieLifetime,
  isCookieValue,
  serializeSetCookie,
} from '../../src/cookie/serialize-set-cookie.js';
import { isSessionError, type SessionErrorCode } from '../../src/errors/session-error.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // Wed, 15 Jan 2025 12:00:00 GMT
const SESSION: CookieLifetime = { kind: 'session' };
const DELETE: CookieLifetime = { kind: 'delete' };

function persistent(maxAgeSeconds: number): CookieLifetime {
  return { kind: 'persistent', maxAgeSeconds };
}

function expectCode(code: SessionErrorCode, run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isSessionError(thrown, code)).toBe(true);
}

/** Attribute list after `name=value`, with `Max-Age` and `Expires` removed. */
function attributesWithoutLifetime(header: string): string[] {
  return header
    .split('; ')
    .slice(1)
    .filter((part) => !part.startsWith('Max-Age=') && !part.startsWith('Expires='));
}

describe('serializeSetCookie', () => {
  it('serializes a session cookie with the defaults', () => {
    const options = resolveCookieOptions();
    expect(serializeSetCookie('sid', 'abc', options, SESSION)).toBe(
      'sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('emits every attribute in order', () => {
    const options = resolveCookieOptions({
      name: '__Secure-sid',
      path: '/app',
      domain: '.example.com',
      sameSite: 'none',
      partitioned: true,
      priority: 'high',
    });
    expect(serializeSetCookie('__Secure-sid', 'v', options, persistent(60), NOW)).toBe(
      '__Secure-sid=v; Path=/app; Domain=.example.com; Max-Age=60; Expires=Wed, 15 Jan 2025 12:01:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned; Priority=High',
    );
  });

  it('omits HttpOnly and Secure when disabled and spells each SameSite and Priority', () => {
    const options = resolveCookieOptions({
      secure: false,
      httpOnly: false,
      sameSite: 'strict',
      priority: 'low',
    });
    expect(serializeSetCookie('sid', 'v', options, SESSION)).toBe(
      'sid=v; Path=/; SameSite=Strict; Priority=Low',
    );
    expect(
      serializeSetCookie('sid', 'v', resolveCookieOptions({ priority: 'medium' }), SESSION),
    ).toBe('sid=v; Path=/; HttpOnly; Secure; SameSite=Lax; Priority=Medium');
  });

  it('uses Date.now() by default for Expires', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const header = serializeSetCookie('sid', 'v', resolveCookieOptions(), persistent(3600));
    const expires = /Expires=([^;]+)/.exec(header)?.[1] ?? '';
    const after = Date.now();
    const at = Date.parse(expires);
    expect(at).toBeGreaterThanOrEqual(before + 3600_000);
    expect(at).toBeLessThanOrEqual(after + 3600_000);
  });

  describe('Max-Age', () => {
    const options = resolveCookieOptions();
    const maxAge = (seconds: number): string =>
      /Max-Age=(\d+)/.exec(
        serializeSetCookie('sid', 'v', options, persistent(seconds), NOW),
      )?.[1] ?? '';

    it('is passed through when in range', () => {
      expect(maxAge(1)).toBe('1');
      expect(maxAge(86_400)).toBe('86400');
      expect(maxAge(MAX_COOKIE_MAX_AGE_SECONDS)).toBe(String(MAX_COOKIE_MAX_AGE_SECONDS));
    });

    it('is clamped to 400 days', () => {
      expect(maxAge(MAX_COOKIE_MAX_AGE_SECONDS + 1)).toBe(String(MAX_COOKIE_MAX_AGE_SECONDS));
      expect(maxAge(10 * 365 * 86_400)).toBe(String(MAX_COOKIE_MAX_AGE_SECONDS));
      expect(maxAge(Number.POSITIVE_INFINITY)).toBe(String(MAX_COOKIE_MAX_AGE_SECONDS));
    });

    it('is clamped to at least 1 (never 0, which would delete the cookie)', () => {
      expect(maxAge(0)).toBe('1');
      expect(maxAge(0.4)).toBe('1');
      expect(maxAge(-5)).toBe('1');
      expect(maxAge(Number.NEGATIVE_INFINITY)).toBe('1');
    });

    it('is an integer (rounded down)', () => {
      expect(maxAge(59.9)).toBe('59');
    });

    it('matches Expires', () => {
      const header = serializeSetCookie(
        'sid',
        'v',
        options,
        persistent(MAX_COOKIE_MAX_AGE_SECONDS * 2),
        NOW,
      );
      expect(header).toContain(
        `Expires=${new Date(NOW + MAX_COOKIE_MAX_AGE_SECONDS * 1000).toUTCString()}`,
      );
    });

    it('rejects NaN', () => {
      expectCode('MISCONFIGURED', () => serializeSetCookie('sid', 'v', options, persistent(NaN)));
    });
  });

  describe('deletion', () => {
    const variants: CookieOptions[] = [
      {},
      { name: '__Host-sid' },
      { name: '__Secure-s', path: '/app', domain: 'example.com', sameSite: 'none' },
      { secure: false, httpOnly: false, sameSite: 'strict' },
      { partitioned: true, sameSite: 'none', priority: 'high' },
    ];

    for (const variant of variants) {
      it(`keeps the original attributes for ${JSON.stringify(variant)}`, () => {
        const options = resolveCookieOptions(variant);
        const original = serializeSetCookie(options.name, 'abc', options, persistent(600), NOW);
        const removal = serializeSetCookie(options.name, 'abc', options, DELETE, NOW);
        expect(removal.startsWith(`${options.name}=; `)).toBe(true);
        expect(removal).toContain('; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
        expect(attributesWithoutLifetime(removal)).toEqual(attributesWithoutLifetime(original));
        const session = serializeSetCookie(options.name, 'abc', options, SESSION);
        expect(attributesWithoutLifetime(removal)).toEqual(attributesWithoutLifetime(session));
      });
    }

    it('produces the exact deletion cookie', () => {
      const options = resolveCookieOptions({ name: '__Host-sid' });
      expect(serializeSetCookie('__Host-sid', 'ignored', options, DELETE)).toBe(
        '__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
      );
    });

    it('ignores the value, even an invalid one', () => {
      expect(serializeSetCookie('sid', 'bad value;', resolveCookieOptions(), DELETE)).toMatch(
        /^sid=; /,
      );
    });
  });

  describe('size limit', () => {
    const options = resolveCookieOptions();

    it('accepts name=value of exactly 4096 bytes', () => {
      const value = 'a'.repeat(4096 - 'sid='.length);
      const header = serializeSetCookie('sid', value, options, SESSION);
      expect(header.startsWith(`sid=${value}; `)).toBe(true);
    });

    it('throws COOKIE_TOO_LARGE at 4097 bytes (never truncates)', () => {
      const value = 'a'.repeat(4097 - 'sid='.length);
      expectCode('COOKIE_TOO_LARGE', () => serializeSetCookie('sid', value, options, SESSION));
      expectCode('COOKIE_TOO_LARGE', () =>
        serializeSetCookie('sid', value, options, persistent(60)),
      );
    });

    it('counts the name', () => {
      const name = 'n'.repeat(100);
      const named = resolveCookieOptions({ name });
      expect(() => serializeSetCookie(name, 'a'.repeat(4096 - 101), named, SESSION)).not.toThrow();
      expectCode('COOKIE_TOO_LARGE', () =>
        serializeSetCookie(name, 'a'.repeat(4097 - 101), named, SESSION),
      );
    });
  });

  describe('validation', () => {
    const options = resolveCookieOptions();

    it('throws INVALID_VALUE for values outside cookie-octets', () => {
      for (const value of [
        'a b',
        'a"b',
        '"ab"',
        'a,b',
        'a;b',
        'a\\b',
        'a\tb',
        'a\r\nSet-Cookie: x=y',
        'a\u0000',
        'a\u007f',
        'é',
        '\u{1F600}',
      ]) {
        expectCode('INVALID_VALUE', () => serializeSetCookie('sid', value, options, SESSION));
      }
    });

    it('accepts every cookie-octet', () => {
      let octets = '';
      for (let c = 0x21; c < 0x7f; c++) {
        if (c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c) octets += String.fromCharCode(c);
      }
      expect(isCookieValue(octets)).toBe(true);
      expect(serializeSetCookie('sid', octets, options, SESSION)).toBe(
        `sid=${octets}; Path=/; HttpOnly; Secure; SameSite=Lax`,
      );
    });

    it('accepts an empty value', () => {
      expect(serializeSetCookie('sid', '', options, SESSION)).toBe(
        'sid=; Path=/; HttpOnly; Secure; SameSite=Lax',
      );
    });

    it('throws MISCONFIGURED for a name that is not a token', () => {
      for (const name of ['', 'a b', 'a=b', 'a;b', 'a\r\nb', 'é']) {
        expectCode('MISCONFIGURED', () => serializeSetCookie(name, 'v', options, SESSION));
      }
    });

    it('checks prefix rules for a name that differs from options.name', () => {
      const withDomain = resolveCookieOptions({ domain: 'example.com' });
      expectCode('MISCONFIGURED', () => serializeSetCookie('__Host-x', 'v', withDomain, SESSION));
      const insecure = resolveCookieOptions({ secure: false });
      expectCode('MISCONFIGURED', () => serializeSetCookie('__Secure-x', 'v', insecure, SESSION));
      expect(serializeSetCookie('other', 'v', withDomain, SESSION)).toBe(
        'other=v; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax',
      );
    });

    it('re-checks hand-built options (attribute injection)', () => {
      const base = resolveCookieOptions();
      const injected: ResolvedCookieOptions = { ...base, domain: 'a.com\r\nX-Evil: 1' };
      expectCode('MISCONFIGURED', () => serializeSetCookie('sid', 'v', injected, SESSION));
    });

    it('throws MISCONFIGURED for an unknown lifetime kind', () => {
      expectCode('MISCONFIGURED', () =>
        serializeSetCookie('sid', 'v', options, { kind: 'forever' } as unknown as CookieLifetime),
      );
      expectCode('MISCONFIGURED', () =>
        serializeSetCookie('sid', 'v', options, null as unknown as CookieLifetime),
      );
    });

    it('never returns more than one cookie', () => {
      const header = serializeSetCookie('sid', 'v', options, persistent(60), NOW);
      // The only comma is the one inside the IMF-fixdate weekday.
      expect(header.split(',')).toHaveLength(2);
      expect(header).toMatch(/Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} /);
    });
  });
});
