import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/base64url.js';
import { hashSessionId } from '../../src/crypto/hash-session-id.js';
import {
  generateSessionId,
  isWellFormedSessionId,
  SESSION_ID_LENGTH,
} from '../../src/crypto/session-id.js';

describe('session IDs', () => {
  it('are 43 base64url characters carrying 256 random bits', () => {
    const ids = new Set(Array.from({ length: 2000 }, generateSessionId));
    expect(ids.size).toBe(2000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(decodeBase64Url(id)?.length).toBe(32);
    }
  });

  it('every character position varies (no fixed or predictable part)', () => {
    const ids = Array.from({ length: 500 }, generateSessionId);
    for (let i = 0; i < SESSION_ID_LENGTH - 1; i++) {
      expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(20);
    }
  });

  it('validation accepts only the exact minted shape', () => {
    const id = generateSessionId();
    expect(isWellFormedSessionId(id)).toBe(true);
    for (const bad of [
      '',
      id.slice(1),
      `${id}A`,
      `${id.slice(0, 42)}=`,
      `${id.slice(0, 42)}+`,
      `${id.slice(0, 42)}/`,
      ` ${id.slice(1)}`,
      `${id.slice(0, 42)}é`,
      '../../../../etc/passwd'.padEnd(43, 'a'),
      '*'.repeat(43),
      `{${id.slice(2)}}`,
    ]) {
      expect(isWellFormedSessionId(bad)).toBe(false);
    }
    // Non-canonical: the last character of 32 bytes carries 4 bits, so only 16 values are valid.
    const last = id.slice(0, 42);
    const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter(
      (c) => isWellFormedSessionId(last + c),
    );
    expect(accepted).toHaveLength(16);
  });

  it('store keys are the SHA-256 of the ID, not the ID', async () => {
    const id = generateSessionId();
    const key = await hashSessionId(id);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(id);
    expect(await hashSessionId(id)).toBe(key);
    const expected = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id)),
    );
    expect(key).toBe(encodeBase64Url(expected));
  });
});

describe('base64url', () => {
  it('round-trips every length and rejects non-canonical text', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const text = encodeBase64Url(bytes);
      expect(text).not.toMatch(/[+/=]/);
      expect(decodeBase64Url(text)).toEqual(bytes);
    }
    expect(decodeBase64Url('A')).toBeUndefined();
    expect(decodeBase64Url('AB')).toBeUndefined(); // trailing bits set
    expect(decodeBase64Url('AA')).toEqual(new Uint8Array([0]));
    expect(decodeBase64Url('A+')).toBeUndefined();
  });
});
