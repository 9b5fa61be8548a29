import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../../src/crypto/base64url.js';
import { createSealedSessionManager } from '../../src/index.js';
import {
  cookieHeader,
  createSealedHarness,
  flipByte,
  KEY,
  NEW_KEY,
  splitSealed,
} from './sealed-harness.js';

/** IV is 12 bytes, the tag the last 16. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

async function sealedCookie() {
  const h = createSealedHarness();
  const browser = h.client();
  await browser.request(async (s) => {
    await s.set('role', 'user');
    await s.set('n', 1);
  });
  return { h, browser, good: browser.cookie() as string };
}

describe('sealed cookies: tampering in any part is no session, never a throw', () => {
  it('the untampered cookie opens (control)', async () => {
    const { h, browser } = await sealedCookie();
    const session = h.open(browser.jar);
    expect(await session.get('role')).toBe('user');
    expect(session.isNew).toBe(false);
  });

  const variants: [string, (good: string) => string, 'malformed' | 'bad-signature'][] = [
    ['another version prefix', (good) => `s2${good.slice(2)}`, 'malformed'],
    ['no version prefix', (good) => good.slice(3), 'malformed'],
    [
      'a changed key ID',
      (good) => {
        const { kid } = splitSealed(good);
        const other = `${kid[0] === 'A' ? 'B' : 'A'}${kid.slice(1)}`;
        return good.replace(`.${kid}.`, `.${other}.`);
      },
      'bad-signature',
    ],
    ['a flipped IV byte', (good) => flipByte(good, 0), 'bad-signature'],
    ['the last IV byte flipped', (good) => flipByte(good, IV_BYTES - 1, 0x80), 'bad-signature'],
    ['a flipped ciphertext byte', (good) => flipByte(good, IV_BYTES + 3), 'bad-signature'],
    ['a flipped tag byte', (good) => flipByte(good, -1), 'bad-signature'],
    ['the first tag byte flipped', (good) => flipByte(good, -TAG_BYTES, 0x40), 'bad-signature'],
    [
      'a truncated value (whole bytes)',
      (good) => {
        const { prefix, kid, data } = splitSealed(good);
        return `${prefix}${kid}.${encodeBase64Url(data.subarray(0, data.length - 3))}`;
      },
      'bad-signature',
    ],
    ['a truncated value (not base64url)', (good) => good.slice(0, -1), 'malformed'],
    [
      'the tag cut off',
      (good) => {
        const { prefix, kid, data } = splitSealed(good);
        return `${prefix}${kid}.${encodeBase64Url(data.subarray(0, data.length - TAG_BYTES))}`;
      },
      'bad-signature',
    ],
    [
      'only the IV and tag left',
      (good) => {
        const { prefix, kid, data } = splitSealed(good);
        return `${prefix}${kid}.${encodeBase64Url(data.subarray(0, IV_BYTES + TAG_BYTES))}`;
      },
      'malformed',
    ],
    ['appended bytes', (good) => `${good}AAAA`, 'bad-signature'],
    ['an appended dot part', (good) => `${good}.AAAA`, 'malformed'],
    ['a padded value', (good) => `${good}=`, 'malformed'],
    [
      'a non-canonical base64url tail',
      (good) => {
        const last = good.at(-1) as string;
        // Changes only the unused low bits of the last character (when there are any).
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const index = alphabet.indexOf(last);
        return `${good.slice(0, -1)}${alphabet[index ^ 1]}`;
      },
      'malformed',
    ],
    ['an empty value', () => '', 'malformed'],
    ['garbage', () => 'not-a-cookie', 'malformed'],
    [
      'a signed-ID token of the server mode',
      () => `${'A'.repeat(43)}.${'B'.repeat(43)}`,
      'malformed',
    ],
    ['an oversized value', (good) => `${good}${'A'.repeat(5000)}`, 'malformed'],
  ];

  for (const [name, tamper, reason] of variants) {
    it(`${name}: no session (token-rejected: ${reason})`, async () => {
      const { h, browser, good } = await sealedCookie();
      const tampered = tamper(good);
      expect(tampered).not.toBe(good);
      h.events.length = 0;
      const session = h.open(browser.jar, cookieHeader(tampered));
      expect(await session.get('role')).toBeUndefined();
      expect(session.isNew).toBe(true);
      expect(session.id).toBeUndefined();
      const rejected = h.events.filter((e) => e.type === 'token-rejected');
      // The non-canonical tail variant is malformed only when the last character had spare bits.
      if (name !== 'a non-canonical base64url tail') {
        expect(rejected).toEqual([{ type: 'token-rejected', reason }]);
      } else {
        expect(rejected).toHaveLength(1);
      }
      // Writing starts a fresh session with a fresh ID: nothing of the tampered one carries over.
      await session.set('n', 5);
      const { headers, outcome } = await session.commit();
      expect(outcome).toBe('created');
      expect(headers).toHaveLength(1);
    });
  }

  it('a cookie sealed under another cookie name does not open (the name is authenticated)', async () => {
    const { h, good } = await sealedCookie();
    const other = createSealedSessionManager({ keys: [KEY], cookie: { name: 'other' } });
    const session = other.session(new Headers(cookieHeader(good, 'other')));
    expect(await session.get('role')).toBeUndefined();
    // And the original manager still opens it under its own name.
    expect(await h.manager.session(new Headers(cookieHeader(good))).get('role')).toBe('user');
  });

  it('a cookie moved to another key ID of the same keyring does not open', async () => {
    const h = createSealedHarness({ keys: [KEY, NEW_KEY] });
    const browser = h.client();
    await browser.request((s) => s.set('role', 'user'));
    const good = browser.cookie() as string;
    const older = createSealedHarness({ keys: [NEW_KEY, KEY] });
    const olderBrowser = older.client();
    await olderBrowser.request((s) => s.set('role', 'admin'));
    const otherKid = splitSealed(olderBrowser.cookie() as string).kid;
    const { kid } = splitSealed(good);
    expect(otherKid).not.toBe(kid);
    const moved = good.replace(`.${kid}.`, `.${otherKid}.`);
    const session = h.open(browser.jar, cookieHeader(moved));
    expect(await session.get('role')).toBeUndefined();
  });

  it('a cookie from another app (other keys) does not open', async () => {
    const { good } = await sealedCookie();
    const other = createSealedSessionManager({ keys: [NEW_KEY] });
    expect(await other.session(new Headers(cookieHeader(good))).get('role')).toBeUndefined();
  });

  it('a flipped byte at every position of a short cookie is rejected', async () => {
    const { h, browser, good } = await sealedCookie();
    const { data } = splitSealed(good);
    for (let i = 0; i < data.length; i++) {
      const session = h.open(browser.jar, cookieHeader(flipByte(good, i)));
      expect(await session.get('role')).toBeUndefined();
    }
  });
});
