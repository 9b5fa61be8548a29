import { describe, expect, it } from 'vitest';
import {
  type BinarySessionCodec,
  createMemoryStore,
  createSessionManager,
  decodeStoredValue,
  encryptStore,
  isSessionError,
  jsonCodec,
  type SessionStore,
  storedValueByteLength,
  storedValuesEqual,
} from '../../src/index.js';
import { createSealedHarness } from '../sealed/sealed-harness.js';

const SECRET = 'binary-values-test-secret-0123456789abcdef';
const KEY = 'binary-values-encryption-key-0123456789ab';

/** A binary codec for these tests: JSON text as UTF-8 bytes behind a 0x00 marker. */
const bytesCodec: BinarySessionCodec = {
  name: 'test-bytes',
  format: 'binary',
  producesJson: false,
  encode: (value) => {
    const text = new TextEncoder().encode(jsonCodec.encode(value));
    const out = new Uint8Array(text.length + 1);
    out.set(text, 1);
    return out;
  },
  decode: (bytes) => jsonCodec.decode(new TextDecoder().decode(bytes.subarray(1))),
};

/** The memory store with `binaryValues` removed, as a store that cannot hold bytes. */
function textOnlyStore(): SessionStore {
  const memory = createMemoryStore();
  return { ...memory, capabilities: { ...memory.capabilities, binaryValues: false } };
}

async function roundTrip(store: SessionStore) {
  const manager = createSessionManager({ store, secrets: [SECRET], codec: bytesCodec });
  const first = manager.session(new Headers());
  await first.set('user', { id: 7, at: new Date(0) });
  const line = (await first.commit()).headers.find(([n]) => n === 'set-cookie')?.[1] ?? '';
  const second = manager.session(new Headers({ cookie: line.split(';')[0] ?? '' }));
  return second.get('user');
}

describe('binary values', () => {
  it('stored-value helpers compare and measure bytes and text', () => {
    expect(storedValuesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(storedValuesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(storedValuesEqual('ab', new TextEncoder().encode('ab'))).toBe(false);
    expect(storedValuesEqual(undefined, Uint8Array.of())).toBe(false);
    expect(storedValueByteLength(Uint8Array.of(0, 0, 0))).toBe(3);
    expect(storedValueByteLength('é')).toBe(2);
  });

  it('decodeStoredValue refuses a value of the other form with INVALID_VALUE', () => {
    expect(() => decodeStoredValue(jsonCodec, Uint8Array.of(0x31))).toThrow(/holds bytes/);
    expect(() => decodeStoredValue(bytesCodec, '1')).toThrow(/holds text/);
  });

  it('a binary codec on a store without capabilities.binaryValues is MISCONFIGURED', () => {
    let thrown: unknown;
    try {
      createSessionManager({ store: textOnlyStore(), secrets: [SECRET], codec: bytesCodec });
    } catch (error) {
      thrown = error;
    }
    expect(isSessionError(thrown, 'MISCONFIGURED')).toBe(true);
    // A per-request store is checked as well.
    const manager = createSessionManager({ secrets: [SECRET], codec: bytesCodec });
    expect(() => manager.session(new Headers(), { store: textOnlyStore() })).toThrow(
      /binaryValues/,
    );
  });

  it('round-trips through the memory store as bytes', async () => {
    const store = createMemoryStore();
    expect(await roundTrip(store)).toEqual({ id: 7, at: new Date(0) });
  });

  it('round-trips through encryptStore, which keeps bytes as bytes', async () => {
    const memory = createMemoryStore();
    let stored: unknown;
    const spy: SessionStore = {
      ...memory,
      create(key, record) {
        stored = record.entries.get('user')?.value;
        return memory.create(key, record);
      },
    };
    expect(await roundTrip(encryptStore(spy, { keys: [KEY] }))).toEqual({
      id: 7,
      at: new Date(0),
    });
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode((stored as Uint8Array).subarray(0, 3))).toBe('e1.');
  });

  it('round-trips through a sealed cookie', async () => {
    const harness = createSealedHarness({ codec: bytesCodec });
    const browser = harness.client();
    await browser.request(async (session) => session.set('user', { id: 7 }));
    const { value } = await browser.request((session) => session.get('user'));
    expect(value).toEqual({ id: 7 });
  });
});
