import { isSessionError, type SessionPatch } from '@sessions/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisClient } from '../src/index.js';

// A client that never connects: every check here fails before a command is sent.
const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
afterAll(() => client.disconnect());

const KEY = 'a'.repeat(43);

function expectCode(run: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isSessionError(thrown, code as never), String(thrown)).toBe(true);
}

async function expectRejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isSessionError(error, code as never), String(error)).toBe(true);
}

describe('createRedisStore options', () => {
  it('defaults to prefix sess: and a 1000 ms deadline, and declares its capabilities', () => {
    const store = createRedisStore(client);
    expect(store.name).toBe('redis');
    expect(store.prefix).toBe('sess:');
    expect(store.timeoutMs).toBe(1_000);
    expect(store.capabilities).toEqual({
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: 'exact',
      binaryValues: true,
    });
    expect(typeof store.patchIf).toBe('function');
    expect(typeof store.listUserSessions).toBe('function');
    expect(typeof store.destroyUserSessions).toBe('function');
    expect(typeof store.deleteExpired).toBe('function');
    expect(typeof store.countSessions).toBe('function');
  });

  it('accepts a custom prefix (also empty) and deadline', () => {
    expect(createRedisStore(client, { prefix: 'app:sess:', timeoutMs: 250 }).prefix).toBe(
      'app:sess:',
    );
    expect(createRedisStore(client, { prefix: '' }).prefix).toBe('');
    expect(createRedisStore(client, { prefix: 'café:😀:' }).prefix).toBe('café:😀:');
  });

  it.each([
    ['a brace', 'sess{x}:'],
    ['an opening brace', 'sess{'],
    ['a closing brace', '}'],
    ['NUL', 'sess\u0000'],
    ['a newline', 'sess\n'],
    ['a tab', 'sess\t'],
    ['DEL', 'sess\u007f'],
    ['a C1 control', 'sess\u0085'],
    ['a zero-width space', 'sess\u200b'],
    ['a bidi override', 'sess\u202e'],
    ['a lone surrogate', 'sess\ud800'],
    ['more than 256 characters', 'p'.repeat(257)],
  ])('rejects a prefix with %s (MISCONFIGURED)', (_label, prefix) => {
    expectCode(() => createRedisStore(client, { prefix }), 'MISCONFIGURED');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
    'rejects timeoutMs %s (MISCONFIGURED)',
    (timeoutMs) => {
      expectCode(() => createRedisStore(client, { timeoutMs }), 'MISCONFIGURED');
    },
  );

  it('rejects a non-string prefix, non-number deadline and non-object options', () => {
    expectCode(() => createRedisStore(client, { prefix: 42 as never }), 'MISCONFIGURED');
    expectCode(() => createRedisStore(client, { timeoutMs: '5' as never }), 'MISCONFIGURED');
    expectCode(() => createRedisStore(client, 'sess:' as never), 'MISCONFIGURED');
  });

  it('rejects something that is not an ioredis client (MISCONFIGURED)', () => {
    expectCode(() => createRedisStore({ client } as unknown as RedisClient), 'MISCONFIGURED');
    expectCode(() => createRedisStore(undefined as unknown as RedisClient), 'MISCONFIGURED');
  });
});

describe('input validation before any command', () => {
  const store = createRedisStore(client);
  const patch = (over: Partial<SessionPatch> = {}): SessionPatch => ({
    set: new Map(),
    remove: [],
    clear: false,
    expiresAt: Date.now() + 60_000,
    ...over,
  });

  it.each([
    ['', 'empty'],
    ['a}b', 'a brace'],
    ['a{b}', 'a hash tag'],
    ['key with spaces', 'spaces'],
    ['*', 'a glob'],
    ['x'.repeat(129), 'too long'],
  ])('refuses store key %j (%s) with INVALID_KEY', async (key) => {
    await expectRejectsWith(store.load(key), 'INVALID_KEY');
    await expectRejectsWith(store.destroy(key), 'INVALID_KEY');
    await expectRejectsWith(store.rotate(KEY, key, patch()), 'INVALID_KEY');
  });

  it('refuses entry keys containing U+0000, which would reach internal fields', async () => {
    const record = {
      entries: new Map([['\u0000m', { value: '{}' }]]),
      meta: { createdAt: 1 },
      expiresAt: Date.now() + 60_000,
    };
    await expectRejectsWith(store.create(KEY, record), 'INVALID_KEY');
    await expectRejectsWith(store.patch(KEY, patch({ remove: ['a\u0000b'] })), 'INVALID_KEY');
    await expectRejectsWith(
      store.patch(KEY, patch({ set: new Map([['x\u0000', { value: '1' }]]) })),
      'INVALID_KEY',
    );
  });

  it('refuses user IDs it cannot index (empty, not a string, lone surrogates) with INVALID_VALUE', async () => {
    for (const bad of ['', 'a\uD800b', '\uDC00', 42 as unknown as string]) {
      await expectRejectsWith(store.listUserSessions(bad), 'INVALID_VALUE');
      await expectRejectsWith(store.destroyUserSessions(bad), 'INVALID_VALUE');
      const meta = { createdAt: 1, userId: bad };
      await expectRejectsWith(
        store.create(KEY, { entries: new Map(), meta, expiresAt: Date.now() + 60_000 }),
        'INVALID_VALUE',
      );
      await expectRejectsWith(store.patch(KEY, patch({ meta })), 'INVALID_VALUE');
      await expectRejectsWith(store.rotate(KEY, 'b'.repeat(43), patch({ meta })), 'INVALID_VALUE');
    }
  });

  it('refuses values that are neither text nor bytes, and text starting with U+0000, with INVALID_VALUE', async () => {
    // A leading U+0000 is what marks bytes in a hash field; codec text never contains U+0000.
    for (const bad of ['\u0000', '\u0000abc', 42, null, [1], new ArrayBuffer(1)] as unknown[]) {
      const value = bad as string;
      await expectRejectsWith(
        store.create(KEY, {
          entries: new Map([['k', { value }]]),
          meta: { createdAt: 1 },
          expiresAt: Date.now() + 60_000,
        }),
        'INVALID_VALUE',
      );
      await expectRejectsWith(
        store.patch(KEY, patch({ set: new Map([['k', { value }]]) })),
        'INVALID_VALUE',
      );
      await expectRejectsWith(
        store.rotate(KEY, 'b'.repeat(43), patch({ set: new Map([['k', { value }]]) })),
        'INVALID_VALUE',
      );
      await expectRejectsWith(store.patchIf(KEY, { key: 'k', value }, patch({})), 'INVALID_VALUE');
    }
  });

  it('refuses a malformed key in destroyUserSessions `only` with INVALID_KEY', async () => {
    await expectRejectsWith(
      store.destroyUserSessions('ada', { only: [KEY, 'a{b}'] }),
      'INVALID_KEY',
    );
  });

  it('refuses non-finite instants with INVALID_VALUE', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      await expectRejectsWith(store.touch(KEY, bad), 'INVALID_VALUE');
      await expectRejectsWith(store.patch(KEY, patch({ expiresAt: bad })), 'INVALID_VALUE');
      await expectRejectsWith(
        store.create(KEY, { entries: new Map(), meta: { createdAt: 1 }, expiresAt: bad }),
        'INVALID_VALUE',
      );
      await expectRejectsWith(
        store.patch(KEY, patch({ set: new Map([['k', { value: 'v', expiresAt: bad }]]) })),
        'INVALID_VALUE',
      );
    }
  });
});
