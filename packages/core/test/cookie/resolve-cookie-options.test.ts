import { describe, expect, it } from 'vitest';
import type { CookieOptions } from '../../src/cookie/cookie-options.js';
import {
  assertCookieOptions,
  isCookieToken,
  MAX_COOKIE_MAX_AGE_SECONDS,
  type ResolvedCookieOptions,
  resolveCookieOptions,
} from '../../src/cookie/resolve-cookie-options.js';
import { isSessionError } from '../../src/errors/session-error.js';

function expectMisconfigured(options: unknown): void {
  let thrown: unknown;
  try {
    resolveCookieOptions(options as CookieOptions);
  } catch (error) {
    thrown = error;
  }
  expect(isSessionError(thrown, 'MISCONFIGURED')).toBe(true);
}

describe('resolveCookieOptions defaults', () => {
  it('applies the safe defaults', () => {
    const expected: ResolvedCookieOptions = {
      name: 'sid',
      path: '/',
      domain: undefined,
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      partitioned: false,
      priority: undefined,
    };
    expect(resolveCookieOptions()).toEqual(expected);
    expect(resolveCookieOptions({})).toEqual(expected);
    expect(resolveCookieOptions({ name: undefined, secure: undefined })).toEqual(expected);
  });

  it('keeps given values', () => {
    expect(
      resolveCookieOptions({
        name: '__Secure-app',
        path: '/app',
        domain: '.example.com',
        secure: true,
        httpOnly: false,
        sameSite: 'none',
        partitioned: true,
        priority: 'high',
      }),
    ).toEqual({
      name: '__Secure-app',
      path: '/app',
      domain: '.example.com',
      secure: true,
      httpOnly: false,
      sameSite: 'none',
      partitioned: true,
      priority: 'high',
    });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(resolveCookieOptions())).toBe(true);
  });

  it('accepts a valid __Host- cookie', () => {
    expect(resolveCookieOptions({ name: '__Host-sid' }).name).toBe('__Host-sid');
  });

  it('allows insecure cookies without a prefix (explicit opt-out)', () => {
    expect(resolveCookieOptions({ secure: false }).secure).toBe(false);
  });

  it('keeps a leading dot in the domain', () => {
    expect(resolveCookieOptions({ domain: '.example.com' }).domain).toBe('.example.com');
  });

  it('exports the 400-day Max-Age cap', () => {
    expect(MAX_COOKIE_MAX_AGE_SECONDS).toBe(34_560_000);
  });
});

describe('resolveCookieOptions MISCONFIGURED rules', () => {
  it('rejects an empty name', () => expectMisconfigured({ name: '' }));
  it('rejects a name with a space', () => expectMisconfigured({ name: 'my sid' }));
  it('rejects a name with a control character', () => expectMisconfigured({ name: 'sid\u0001' }));
  it('rejects a name with DEL', () => expectMisconfigured({ name: 'sid\u007f' }));
  it('rejects a name with CR/LF', () => expectMisconfigured({ name: 'sid\r\nX-Evil: 1' }));
  it('rejects a name with "="', () => expectMisconfigured({ name: 'a=b' }));
  it('rejects a name with ";"', () => expectMisconfigured({ name: 'a;b' }));
  it('rejects a name with ","', () => expectMisconfigured({ name: 'a,b' }));
  it('rejects a name with other separators', () => {
    for (const separator of '()<>@:\\"/[]?{}\t') expectMisconfigured({ name: `a${separator}b` });
  });
  it('rejects a non-ASCII name', () => expectMisconfigured({ name: 'séance' }));
  it('rejects a non-string name', () => expectMisconfigured({ name: 42 }));

  it('rejects __Host- without secure', () =>
    expectMisconfigured({ name: '__Host-sid', secure: false }));
  it('rejects __Host- with a domain', () =>
    expectMisconfigured({ name: '__Host-sid', domain: 'example.com' }));
  it('rejects __Host- with a non-root path', () =>
    expectMisconfigured({ name: '__Host-sid', path: '/app' }));
  it('checks the __Host- prefix case-insensitively', () => {
    expectMisconfigured({ name: '__host-sid', domain: 'example.com' });
    expectMisconfigured({ name: '__HOST-sid', path: '/app' });
    expectMisconfigured({ name: '__hOsT-sid', secure: false });
  });

  it('rejects __Secure- without secure', () =>
    expectMisconfigured({ name: '__Secure-sid', secure: false }));
  it('checks the __Secure- prefix case-insensitively', () =>
    expectMisconfigured({ name: '__SECURE-sid', secure: false }));

  it('rejects sameSite "none" without secure', () =>
    expectMisconfigured({ sameSite: 'none', secure: false }));
  it('rejects partitioned without secure', () =>
    expectMisconfigured({ partitioned: true, secure: false }));

  it('rejects a sameSite value outside the union', () => {
    expectMisconfigured({ sameSite: 'Lax' });
    expectMisconfigured({ sameSite: 'bogus' });
    expectMisconfigured({ sameSite: true });
  });
  it('rejects a priority value outside the union', () => {
    expectMisconfigured({ priority: 'High' });
    expectMisconfigured({ priority: 'urgent' });
  });
  it('rejects non-boolean flags', () => {
    expectMisconfigured({ secure: 'yes' });
    expectMisconfigured({ httpOnly: 1 });
    expectMisconfigured({ partitioned: 'false' });
  });

  it('rejects a path that does not start with "/"', () => {
    expectMisconfigured({ path: 'app' });
    expectMisconfigured({ path: '' });
  });
  it('rejects a path containing ";"', () =>
    expectMisconfigured({ path: '/; Domain=evil.example' }));
  it('rejects a path containing CR or LF', () => {
    expectMisconfigured({ path: '/\r\nSet-Cookie: x=y' });
    expectMisconfigured({ path: '/a\nb' });
    expectMisconfigured({ path: '/a\rb' });
  });
  it('rejects a path containing a control character', () => {
    expectMisconfigured({ path: '/a\u0000' });
    expectMisconfigured({ path: '/a\tb' });
    expectMisconfigured({ path: '/a\u007f' });
  });
  it('rejects a non-ASCII path', () => expectMisconfigured({ path: '/café' }));
  it('rejects a path over 1024 characters', () =>
    expectMisconfigured({ path: `/${'a'.repeat(1024)}` }));

  it('rejects a domain containing ";"', () =>
    expectMisconfigured({ domain: 'example.com; SameSite=None' }));
  it('rejects a domain containing CR or LF', () => {
    expectMisconfigured({ domain: 'example.com\r\nX: y' });
    expectMisconfigured({ domain: 'example.com\n' });
  });
  it('rejects a domain containing a control character', () =>
    expectMisconfigured({ domain: 'exa\u0000mple.com' }));
  it('rejects a non-ASCII domain', () => expectMisconfigured({ domain: 'bücher.example' }));
  it('rejects an empty domain', () => expectMisconfigured({ domain: '' }));
  it('rejects a domain over 1024 characters', () =>
    expectMisconfigured({ domain: `${'a'.repeat(1025)}.com` }));

  it('rejects options that are not an object', () => {
    expectMisconfigured(null);
    expectMisconfigured('sid');
  });

  it('says what to do in the message', () => {
    try {
      resolveCookieOptions({ name: '__Host-sid', domain: 'example.com' });
      expect.unreachable();
    } catch (error) {
      expect(isSessionError(error, 'MISCONFIGURED')).toBe(true);
      expect((error as Error).message).toMatch(/remove the domain/);
    }
  });
});

describe('isCookieToken', () => {
  it('accepts token characters', () => {
    expect(isCookieToken("!#$%&'*+-.^_`|~09AZaz")).toBe(true);
  });
  it('rejects empty strings and separators', () => {
    expect(isCookieToken('')).toBe(false);
    expect(isCookieToken('a b')).toBe(false);
    expect(isCookieToken('a\u0080')).toBe(false);
  });
});

describe('assertCookieOptions', () => {
  it('checks hand-built options', () => {
    const options: ResolvedCookieOptions = {
      ...resolveCookieOptions(),
      path: '/x; Domain=evil',
    };
    expect(() => assertCookieOptions(options)).toThrow(/path/);
  });
  it('passes resolved options', () => {
    expect(() => assertCookieOptions(resolveCookieOptions({ name: '__Host-x' }))).not.toThrow();
  });
});
