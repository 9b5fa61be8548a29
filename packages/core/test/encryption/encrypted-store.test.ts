import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  type EncryptionOptions,
  encryptStore,
  isSessionError,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type UndecryptableReason,
} from '../../src/index.js';
import {
  ENCRYPTED,
  entries,
  keyIdOf,
  NEW_KEY,
  OLD_KEY,
  recordingStore,
  tamper,
} from './support.js';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const A = 'A'.repeat(43);
const B = 'B'.repeat(43);
const C = 'C'.repeat(43);

function record(
  pairs: Parameters<typeof entries>[0],
  meta: SessionMeta = { createdAt: NOW },
): SessionRecord {
  return { entries: entries(pairs), meta, expiresAt: NOW + HOUR };
}

function patch(spec: Partial<SessionPatch> = {}): SessionPatch {
  return { set: new Map(), remove: [], clear: false, expiresAt: NOW + 2 * HOUR, ...spec };
}

/** A memory store on a fixed clock, its encrypted wrapper, and the values it dropped. */
function setup(options: Partial<EncryptionOptions> = {}, inner?: SessionStore) {
  const memory = createMemoryStore({ clock: () => NOW });
  const dropped: [string, UndecryptableReason][] = [];
  const store = encryptStore(inner ?? memory, {
    keys: [OLD_KEY],
    onUndecryptable: (entry, reason) => dropped.push([entry, reason]),
    ...options,
  });
  /** Decrypted values of the record under `key`. */
  const values = async (key: string) =>
    Object.fromEntries([...((await store.load(key))?.entries ?? [])].map(([k, e]) => [k, e.value]));
  return { memory, store, dropped, values };
}

function expectMisconfigured(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isSessionError(thrown, 'MISCONFIGURED'), String(thrown)).toBe(true);
}

describe('encryptStore: what reaches the store', () => {
  it('stores only ciphertext, with a fresh IV per write; names, expiry and meta stay readable', async () => {
    const { memory, store, values } = setup();
    const meta = { createdAt: NOW, userId: 'ada' };
    const secret = JSON.stringify('card 4111 1111 1111 1111');
    await store.create(A, {
      entries: entries([
        ['card', secret],
        ['again', secret],
        ['short', { value: '1', expiresAt: NOW + 60_000 }],
      ]),
      meta,
      expiresAt: NOW + HOUR,
    });
    const stored = memory.load(A) as SessionRecord;
    const card = stored.entries.get('card')?.value ?? '';
    expect(card).toMatch(ENCRYPTED);
    expect(card).not.toContain('4111');
    expect(stored.entries.get('again')?.value).not.toBe(card);
    expect(stored.entries.get('short')).toEqual({
      value: expect.stringMatching(ENCRYPTED),
      expiresAt: NOW + 60_000,
    });
    expect(stored.meta).toEqual(meta);
    expect(stored.expiresAt).toBe(NOW + HOUR);
    expect(await values(A)).toEqual({ card: secret, again: secret, short: '1' });
    expect((await store.load(A))?.entries.get('short')?.expiresAt).toBe(NOW + 60_000);
  });

  it('a patch carries only its own keys, each encrypted; remove, clear and meta pass through', async () => {
    const inner = recordingStore(createMemoryStore({ clock: () => NOW }));
    const { store, values } = setup({}, inner);
    await store.create(
      A,
      record([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
    );
    inner.reset();
    const meta = { createdAt: NOW, persistent: true };
    const change = patch({ set: entries([['b', '20']]), remove: ['c'], meta });
    expect(await store.patch(A, change)).toBe('ok');
    expect(inner.ops()).toEqual(['patch']);
    const sent = inner.calls[0]?.patch as SessionPatch;
    expect([...sent.set.keys()]).toEqual(['b']);
    expect(sent.set.get('b')?.value).toMatch(ENCRYPTED);
    expect(sent).toMatchObject({ remove: ['c'], clear: false, meta, expiresAt: change.expiresAt });
    expect(await values(A)).toEqual({ a: '1', b: '20' });
    expect(await store.patch(B, change)).toBe('missing');
  });

  it('touch, destroy, capabilities and the optional methods pass through', async () => {
    const { memory, store } = setup();
    expect(store.name).toBe('memory');
    expect(store.capabilities).toEqual({ ...memory.capabilities, recordLimits: false });
    await store.create(A, record([['a', '1']], { createdAt: NOW, userId: 'ada' }));
    expect(await store.touch(A, NOW + 3 * HOUR)).toBe('ok');
    expect(memory.load(A)?.expiresAt).toBe(NOW + 3 * HOUR);
    expect(await store.listUserSessions?.('ada')).toEqual([
      { key: A, meta: { createdAt: NOW, userId: 'ada' }, expiresAt: NOW + 3 * HOUR },
    ]);
    expect(await store.deleteExpired?.()).toBe(0);
    expect(await store.destroyUserSessions?.('ada')).toEqual([A]);
    await store.create(B, record([['a', '1']]));
    await store.destroy(B);
    expect(memory.load(B)).toBeUndefined();

    const { deleteExpired: _d, listUserSessions: _l, destroyUserSessions: _u, ...bare } = memory;
    const wrapped = encryptStore(bare, { keys: [OLD_KEY] });
    expect(wrapped.deleteExpired).toBeUndefined();
    expect(wrapped.listUserSessions).toBeUndefined();
    expect(wrapped.destroyUserSessions).toBeUndefined();
  });
});

describe('encryptStore: values that must not decrypt are dropped, not returned', () => {
  it('a ciphertext copied to another session or another key is dropped', async () => {
    const { memory, store, dropped, values } = setup();
    await store.create(
      A,
      record([
        ['role', '"admin"'],
        ['name', '"ada"'],
      ]),
    );
    await store.create(B, record([['role', '"guest"']]));
    const adminRole = memory.load(A)?.entries.get('role')?.value as string;
    memory.patch(B, patch({ set: entries([['role', adminRole]]) }));
    memory.patch(A, patch({ set: entries([['name', adminRole]]) }));
    expect(await values(B)).toEqual({});
    expect(await values(A)).toEqual({ role: '"admin"' });
    expect(dropped).toEqual([
      ['role', 'invalid'],
      ['name', 'invalid'],
    ]);
  });

  it('a whole record copied to another store key decrypts to nothing', async () => {
    const { memory, store, values } = setup();
    await store.create(
      A,
      record([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    memory.create(C, memory.load(A) as SessionRecord);
    expect(await values(C)).toEqual({});
  });

  it('a tampered byte, a truncated value or a later per-key expiry is dropped', async () => {
    const { memory, store, dropped, values } = setup();
    await store.create(
      A,
      record([
        ['a', 'x'.repeat(100)],
        ['b', '2'],
        ['c', '3'],
        ['ttl', { value: '4', expiresAt: NOW + 60_000 }],
        ['keep', '5'],
      ]),
    );
    const held = memory.load(A) as SessionRecord;
    const value = (name: string) => held.entries.get(name)?.value as string;
    memory.patch(
      A,
      patch({
        set: entries([
          ['a', tamper(value('a'), 30)],
          ['b', tamper(value('b'), 1)],
          ['c', value('c').slice(0, -4)],
          ['ttl', { value: value('ttl'), expiresAt: NOW + HOUR }],
        ]),
      }),
    );
    expect(await values(A)).toEqual({ keep: '5' });
    expect(dropped.map(([name, reason]) => `${name}:${reason}`).sort()).toEqual([
      'a:invalid',
      'b:invalid',
      'c:invalid',
      'ttl:invalid',
    ]);
  });

  it('malformed values never throw', async () => {
    const { memory, store, values } = setup();
    await store.create(A, record([['ok', '1']]));
    const id = keyIdOf(memory.load(A)?.entries.get('ok')?.value) as string;
    const odd = [
      'e1.',
      'e1.abcd',
      `e1.${id}.`,
      `e1.${id}.AAAA`,
      `e1.${id}.${'A'.repeat(37)}`,
      `e1.${id}.!!!!`,
      `e1.${id}x${'A'.repeat(40)}`,
    ];
    memory.patch(A, patch({ set: entries(odd.map((value, i) => [`odd${i}`, value] as const)) }));
    expect(await values(A)).toEqual({ ok: '1' });
  });

  it('a value that failed to decrypt is not an error for the rest of the record', async () => {
    const { memory, store, values } = setup();
    await store.create(A, record([['a', '1']]));
    memory.patch(A, patch({ set: entries([['b', 'plain']]) }));
    expect(await values(A)).toEqual({ a: '1' });
    expect(await store.patch(A, patch({ set: entries([['b', '2']]) }))).toBe('ok');
    expect(await values(A)).toEqual({ a: '1', b: '2' });
  });
});

describe('encryptStore: plaintext written before encryption', () => {
  it('is dropped by default', async () => {
    const { memory, dropped, values } = setup();
    memory.create(A, record([['a', '"old"']]));
    expect(await values(A)).toEqual({});
    expect(dropped).toEqual([['a', 'plaintext']]);
  });

  it('is returned with acceptPlaintext, and encrypted when written', async () => {
    const { memory, store, values } = setup({ acceptPlaintext: true });
    memory.create(
      A,
      record([
        ['a', '"old"'],
        ['b', '2'],
        ['fake', 'e1.zzzz.AAAA'],
      ]),
    );
    expect(await values(A)).toEqual({ a: '"old"', b: '2' });
    await store.patch(A, patch({ set: entries([['b', '3']]) }));
    expect(memory.load(A)?.entries.get('a')?.value).toBe('"old"');
    expect(memory.load(A)?.entries.get('b')?.value).toMatch(ENCRYPTED);
    expect(await values(A)).toEqual({ a: '"old"', b: '3' });
  });
});

describe('encryptStore: key rotation', () => {
  it('the first key encrypts, every key decrypts; a key no longer listed drops its values', async () => {
    const memory = createMemoryStore({ clock: () => NOW });
    const before = encryptStore(memory, { keys: [OLD_KEY] });
    await before.create(
      A,
      record([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    const oldId = keyIdOf(memory.load(A)?.entries.get('a')?.value);

    const rotated = encryptStore(memory, { keys: [NEW_KEY, OLD_KEY] });
    await rotated.patch(A, patch({ set: entries([['b', '20']]) }));
    const newId = keyIdOf(memory.load(A)?.entries.get('b')?.value);
    expect(newId).not.toBe(oldId);
    expect(keyIdOf(memory.load(A)?.entries.get('a')?.value)).toBe(oldId);
    expect([...((await rotated.load(A))?.entries ?? [])]).toEqual([
      ['a', { value: '1' }],
      ['b', { value: '20' }],
    ]);

    const dropped: [string, UndecryptableReason][] = [];
    const retired = encryptStore(memory, {
      keys: [NEW_KEY],
      onUndecryptable: (entry, reason) => dropped.push([entry, reason]),
    });
    expect([...((await retired.load(A))?.entries.keys() ?? [])]).toEqual(['b']);
    expect(dropped).toEqual([['a', 'unknown-key']]);
  });

  it('string and byte keys: same bytes, same key', async () => {
    const memory = createMemoryStore({ clock: () => NOW });
    await encryptStore(memory, { keys: [OLD_KEY] }).create(A, record([['a', '1']]));
    const bytes = encryptStore(memory, { keys: [new TextEncoder().encode(OLD_KEY)] });
    expect((await bytes.load(A))?.entries.get('a')?.value).toBe('1');
  });

  it('a missing or short key fails at construction with MISCONFIGURED', () => {
    const memory = createMemoryStore();
    const bad: unknown[] = [
      [],
      ['x'.repeat(31)],
      [OLD_KEY, 'short'],
      [new Uint8Array(31)],
      [42],
      'x'.repeat(64),
      undefined,
    ];
    for (const keys of bad) {
      expectMisconfigured(() => encryptStore(memory, { keys } as EncryptionOptions));
    }
    expectMisconfigured(() => encryptStore(memory, undefined as unknown as EncryptionOptions));
    // 32 bytes is enough, counted in UTF-8 bytes (16 × "é").
    expect(() => encryptStore(memory, { keys: ['é'.repeat(16)] })).not.toThrow();
    expect(() => encryptStore(memory, { keys: [new Uint8Array(32)] })).not.toThrow();
  });

  it('a throwing onUndecryptable never breaks a load', async () => {
    const { memory, store, values } = setup({
      onUndecryptable: () => {
        throw new Error('listener bug');
      },
    });
    memory.create(A, record([['a', 'plain']]));
    expect(await values(A)).toEqual({});
    expect(await store.load(A)).toBeDefined();
  });
});

describe('encryptStore: rotate', () => {
  it('with clear: one rotate call, every value encrypted for the new key', async () => {
    const inner = recordingStore(createMemoryStore({ clock: () => NOW }));
    const { store, values } = setup({}, inner);
    await store.create(
      A,
      record([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    inner.reset();
    const change = patch({
      clear: true,
      set: entries([
        ['b', '2'],
        ['c', '3'],
      ]),
    });
    expect(await store.rotate(A, B, change)).toBe('ok');
    expect(inner.ops()).toEqual(['rotate']);
    expect(await values(B)).toEqual({ b: '2', c: '3' });
    expect(await store.load(A)).toBeUndefined();
  });

  it('without clear: values that moved are re-encrypted for the new key in one patch', async () => {
    const inner = recordingStore(createMemoryStore({ clock: () => NOW }));
    const { store, values, dropped } = setup({}, inner);
    const meta = { createdAt: NOW, userId: 'ada' };
    await store.create(
      A,
      record(
        [
          ['a', '1'],
          ['b', '2'],
          ['ttl', { value: '3', expiresAt: NOW + 9 }],
        ],
        meta,
      ),
    );
    inner.reset();
    expect(await store.rotate(A, B, patch({ set: entries([['b', '20']]), remove: ['a'] }))).toBe(
      'ok',
    );
    expect(inner.ops()).toEqual(['rotate', 'load', 'patch']);
    const reseal = inner.calls[2]?.patch as SessionPatch;
    expect([...reseal.set.keys()]).toEqual(['ttl']);
    expect(reseal.set.get('ttl')?.expiresAt).toBe(NOW + 9);
    expect(reseal.meta).toEqual(meta);
    expect(await values(B)).toEqual({ b: '20', ttl: '3' });
    expect(dropped).toEqual([]);
  });

  it('re-encrypts under the newest key, migrates accepted plaintext and removes what cannot be read', async () => {
    const memory = createMemoryStore({ clock: () => NOW });
    await encryptStore(memory, { keys: [OLD_KEY] }).create(A, record([['old', '1']]));
    memory.patch(
      A,
      patch({
        set: entries([
          ['plain', '"p"'],
          ['junk', 'e1.zzzz.AAAA'],
        ]),
      }),
    );
    const store = encryptStore(memory, { keys: [NEW_KEY, OLD_KEY], acceptPlaintext: true });
    expect(await store.rotate(A, B, patch())).toBe('ok');
    const moved = memory.load(B) as SessionRecord;
    expect([...moved.entries.keys()].sort()).toEqual(['old', 'plain']);
    const ids = new Set([...moved.entries.values()].map((entry) => keyIdOf(entry.value)));
    expect(ids.size).toBe(1);
    expect(moved.entries.get('plain')?.value).toMatch(ENCRYPTED);
    const newOnly = encryptStore(memory, { keys: [NEW_KEY] });
    expect(Object.fromEntries([...((await newOnly.load(B))?.entries ?? [])])).toEqual({
      old: { value: '1' },
      plain: { value: '"p"' },
    });
  });

  it('a patch to the old key that lands just before the rotation is kept', async () => {
    const memory = createMemoryStore({ clock: () => NOW });
    let racing: (() => unknown) | undefined;
    const inner: SessionStore = {
      ...memory,
      async rotate(fromKey, toKey, change) {
        await racing?.();
        return memory.rotate(fromKey, toKey, change);
      },
    };
    const { store, values } = setup({}, inner);
    await store.create(A, record([['a', '1']]));
    racing = () => store.patch(A, patch({ set: entries([['late', 'yes']]) }));
    expect(await store.rotate(A, B, patch({ set: entries([['mine', 'y']]) }))).toBe('ok');
    expect(await values(B)).toEqual({ a: '1', late: 'yes', mine: 'y' });
  });

  it('missing and conflict write nothing more', async () => {
    const inner = recordingStore(createMemoryStore({ clock: () => NOW }));
    const { store, values } = setup({}, inner);
    await store.create(A, record([['a', '1']]));
    await store.create(B, record([['b', '2']]));
    inner.reset();
    expect(await store.rotate(C, A, patch())).toBe('missing');
    expect(await store.rotate(A, B, patch())).toBe('conflict');
    expect(await store.rotate(A, A, patch())).toBe('conflict');
    expect(inner.ops()).toEqual(['rotate', 'rotate', 'rotate']);
    expect(await values(A)).toEqual({ a: '1' });
    expect(await values(B)).toEqual({ b: '2' });
  });
});

describe('encryptStore: record limits', () => {
  it('passes limits on, translated to a ciphertext bound that still stops parallel growth', async () => {
    const { ciphertextLimits } = await import('../../src/encryption/encrypted-store.js');
    expect(ciphertextLimits({ maxBytes: 300, maxKeys: 2 })).toEqual({
      maxBytes: 400 + 94,
      maxKeys: 2,
    });
  });
});
