import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SESSION_ID_FORMAT,
  resolveSessionIdFormat,
} from '../../src/crypto/session-id-format.js';
import { createSigner } from '../../src/crypto/signer.js';
import {
  createMemoryStore,
  createSessionManager,
  generateSessionId,
  isWellFormedCustomSessionId,
  MAX_CUSTOM_SESSION_ID_LENGTH,
  type SessionEvent,
} from '../../src/index.js';
import { countingStore } from '../support/counting-store.js';
import { CookieJar, SECRET } from '../support/harness.js';

const tenant = (name: string) => () => `${name}_${generateSessionId()}`;

const misconfigured = expect.objectContaining({ code: 'MISCONFIGURED' });

describe('generateId: the start-up check', () => {
  it('accepts a prefix or suffix around generateSessionId(), and longer random IDs', () => {
    for (const generateId of [
      tenant('acme'),
      () => `${generateSessionId()}-eu1`,
      () => generateSessionId() + generateSessionId(),
      generateSessionId,
      () => `${'t'.repeat(MAX_CUSTOM_SESSION_ID_LENGTH - 43)}${generateSessionId()}`,
    ]) {
      expect(resolveSessionIdFormat(generateId).generate()).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    }
  });

  it('rejects constants, counters, UUIDs, short or oversized IDs, and foreign characters', () => {
    let counter = 0;
    const fixed = generateSessionId();
    const cases: Record<string, unknown> = {
      constant: () => fixed,
      counter: () => `acme_${String(++counter).padStart(60, '0')}`,
      timestamp: () => `${Date.now()}${'0'.repeat(40)}${generateSessionId().slice(0, 4)}`,
      uuid: () => crypto.randomUUID(),
      'two uuids without hyphens, short of 43 varying': () =>
        `tenant_${crypto.randomUUID().replace(/-/g, '').slice(0, 30)}`,
      short: () => generateSessionId().slice(0, 42),
      'too long': () => `${'x'.repeat(MAX_CUSTOM_SESSION_ID_LENGTH - 42)}${generateSessionId()}`,
      dot: () => `acme.${generateSessionId()}`,
      slash: () => `acme/${generateSessionId()}`,
      space: () => `acme ${generateSessionId()}`,
      'non-ASCII': () => `acmé_${generateSessionId()}`,
      'not a string': () => 42,
      throws: () => {
        throw new Error('no tenant in this context');
      },
      'not a function': 'acme',
    };
    for (const [name, generateId] of Object.entries(cases)) {
      expect(
        () =>
          createSessionManager({
            store: createMemoryStore(),
            secrets: [SECRET],
            generateId: generateId as () => string,
          }),
        name,
      ).toThrowError(misconfigured);
    }
  });

  it('says what to do', () => {
    expect(() => resolveSessionIdFormat(() => 'x')).toThrowError(/generateSessionId\(\)/);
  });

  it('the default format is exactly the default ID', () => {
    const id = generateSessionId();
    expect(DEFAULT_SESSION_ID_FORMAT.isWellFormed(id)).toBe(true);
    expect(DEFAULT_SESSION_ID_FORMAT.isWellFormed(`a_${id}`)).toBe(false);
    expect(isWellFormedCustomSessionId(`a_${id}`)).toBe(true);
    expect(isWellFormedCustomSessionId(`a.${id}`)).toBe(false);
  });
});

describe('generateId: the engine', () => {
  function setup(generateId: () => string = tenant('acme'), transport?: { type: 'header' }) {
    const events: SessionEvent[] = [];
    const store = countingStore(createMemoryStore());
    const manager = createSessionManager({
      store,
      secrets: [SECRET],
      generateId,
      transport,
      onEvent: (event) => events.push(event),
    });
    const jar = new CookieJar();
    const open = (cookie = jar.header()) => manager.session(new Headers({ cookie }));
    return { events, store, manager, jar, open };
  }

  it('mints prefixed IDs, signs them, and reads them back', async () => {
    const h = setup();
    const session = h.open();
    await session.set('n', 1);
    h.jar.apply(await session.commit());
    expect(session.id).toMatch(/^acme_[A-Za-z0-9_-]{43}$/);
    const token = h.jar.cookies.get('sid') as string;
    expect(token).toMatch(/^acme_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(await h.open().get('n')).toBe(1);

    const regenerated = h.open();
    await regenerated.regenerate();
    h.jar.apply(await regenerated.commit());
    expect(regenerated.id).toMatch(/^acme_/);
    expect(regenerated.id).not.toBe(session.id);
    expect(await h.open().get('n')).toBe(1);
  });

  it('works over the header transport', async () => {
    const h = setup(tenant('t1'), { type: 'header' });
    const session = h.manager.session(new Headers());
    await session.set('n', 1);
    const { headers } = await session.commit();
    const token = headers.find(([name]) => name === 'x-session-token')?.[1] as string;
    expect(token).toMatch(/^t1_/);
    const read = h.manager.session(new Headers({ authorization: `Bearer ${token}` }));
    expect(await read.get('n')).toBe(1);
  });

  it('never adopts a presented ID: a validly signed, well-formed unknown ID gets a new one', async () => {
    const h = setup();
    const chosen = `acme_${generateSessionId()}`;
    const signer = createSigner([SECRET], 'sid', resolveSessionIdFormat(tenant('acme')));
    const forged = await signer.sign(chosen);
    const session = h.open(`sid=${forged}`);
    expect(await session.get('n')).toBeUndefined();
    await session.set('n', 1);
    const { headers } = await session.commit();
    expect(session.id).toMatch(/^acme_/);
    expect(session.id).not.toBe(chosen);
    expect(headers[0]?.[1]).not.toContain(chosen);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'session-unknown' }));
  });

  it('keeps accepting tokens of default IDs, so turning it on logs nobody out', async () => {
    const store = createMemoryStore();
    const before = createSessionManager({ store, secrets: [SECRET] });
    const after = createSessionManager({ store, secrets: [SECRET], generateId: tenant('acme') });
    const jar = new CookieJar();
    const first = before.session(new Headers());
    await first.set('n', 1);
    jar.apply(await first.commit());
    expect(await after.session(new Headers({ cookie: jar.header() })).get('n')).toBe(1);
  });

  it('rejects tokens outside the format by shape, before any crypto or store call', async () => {
    const h = setup();
    const session = h.open();
    await session.set('n', 1);
    h.jar.apply(await session.commit());
    const good = h.jar.cookies.get('sid') as string;
    const signature = good.slice(good.lastIndexOf('.'));
    const variants = [
      `${'a'.repeat(MAX_CUSTOM_SESSION_ID_LENGTH + 1)}${signature}`,
      `${'a'.repeat(42)}${signature}`,
      `acme.${good.slice(5)}`,
      good.replace('_', '%'),
      `${good}x`,
    ];
    for (const value of variants) {
      h.store.reset();
      expect(await h.open(`sid=${value}`).get('n'), value).toBeUndefined();
      expect(h.store.calls, value).toEqual([]);
    }
  });

  it('an ID of the wrong shape minted later fails the write with MISCONFIGURED', async () => {
    let calls = 0;
    const h = setup(() => (++calls > 8 ? 'undefined_tenant' : `acme_${generateSessionId()}`));
    const session = h.open();
    await expect(session.set('n', 1)).rejects.toMatchObject({ code: 'MISCONFIGURED' });
    await session.commit();
    expect(h.store.calls).toEqual([]);
  });
});
