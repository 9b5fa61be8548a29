import { decodeStoredValue, type StoredEntry, storedValueByteLength } from '@sessions/core';
import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { applied, expectStored, makePatch, makeRecord, seed } from '../records.js';
import { PARITY_VALUES } from './engine.js';
import { HOSTILE_VALUES } from './values.js';

/** 64 KiB of every byte value in turn. */
const LARGE_BYTES = 64 * 1024;

/**
 * Byte strings that break naive binary handling: empty, NUL (alone, leading, trailing), 0xff,
 * invalid UTF-8 (lone continuation bytes, a truncated sequence, an encoded surrogate, overlong
 * forms), bytes that look like the text form of another value (`"e1."`, JSON, base64 padding) and
 * 64 KiB of every byte value.
 */
export const HOSTILE_BYTES: readonly Uint8Array[] = [
  new Uint8Array(0),
  Uint8Array.of(0),
  Uint8Array.of(0, 0, 0),
  Uint8Array.of(0, 0x61),
  Uint8Array.of(0x61, 0),
  Uint8Array.of(0xff),
  Uint8Array.of(0x80, 0xbf),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0xef, 0xbb, 0xbf),
  new TextEncoder().encode('e1.not-encrypted'),
  new TextEncoder().encode('{"json":true}'),
  new TextEncoder().encode('AA=='),
  Uint8Array.from({ length: LARGE_BYTES }, (_, i) => i % 256),
];

/**
 * Binary values (`Uint8Array`) round-trip byte for byte beside text values, each in its own form,
 * through create, patch (set, replace text by bytes and back, remove) and rotate.
 */
export async function checkBinaryValuesRoundTrip(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const entries = [
    ...HOSTILE_BYTES.map((value, i) => [`b${i}`, value] as const),
    ['text', 'plain text'] as const,
    ['text-like', new TextEncoder().encode('plain text')] as const,
  ];
  const record = await seed(h, key, makeRecord(h, { entries }));
  await expectStored(h, key, record, 'record with binary values');
  const patch = makePatch(h, {
    set: [
      ['b0', 'now text'],
      ['text', Uint8Array.of(1, 2, 3)],
      ['new', { value: Uint8Array.of(0, 255), expiresAt: h.later(60_000) }],
    ],
    remove: ['b1'],
  });
  expect(await h.store.patch(key, patch), 'patch with binary values').toBe('ok');
  const patched = applied(record, patch);
  await expectStored(h, key, patched, 'record after patching binary values');
  const to = h.key();
  const move = makePatch(h, { set: [['moved', Uint8Array.of(9)]] });
  expect(await h.store.rotate(key, to, move), 'rotate with binary values').toBe('ok');
  await expectStored(h, to, applied(patched, move), 'record after rotating binary values');
}

/** A binary value loaded, mutated by the caller, and loaded again is unchanged (and vice versa). */
export async function checkBinaryValuesIsolated(h: ConformanceHarness): Promise<void> {
  const key = h.key();
  const bytes = Uint8Array.of(1, 2, 3);
  const record = makeRecord(h, { entries: [['k', bytes]] });
  await seed(h, key, record);
  bytes[0] = 99;
  const loaded = await h.store.load(key);
  const value = loaded?.entries.get('k')?.value;
  expect(value instanceof Uint8Array ? [...value] : value, 'value after mutating input').toEqual([
    1, 2, 3,
  ]);
  if (value instanceof Uint8Array) value[1] = 99;
  const again = (await h.store.load(key))?.entries.get('k')?.value;
  expect(again instanceof Uint8Array ? [...again] : again, 'value after mutating output').toEqual([
    1, 2, 3,
  ]);
}

/**
 * `patchIf` compares binary values byte for byte: the same bytes match, other bytes and the text
 * with the same UTF-8 bytes do not.
 */
export async function checkBinaryPatchIf(h: ConformanceHarness): Promise<void> {
  const { patchIf } = h.store;
  if (h.store.capabilities.conditionalPatch !== true || patchIf === undefined) return;
  const key = h.key();
  await seed(h, key, makeRecord(h, { entries: [['n', new TextEncoder().encode('abc')]] }));
  const write = makePatch(h, { set: [['n', Uint8Array.of(0, 1)]] });
  for (const wrong of ['abc', Uint8Array.of(0x61, 0x62), Uint8Array.of(0x61, 0x62, 0x63, 0)]) {
    expect(
      await patchIf.call(h.store, key, { key: 'n', value: wrong }, write),
      `patchIf expecting ${typeof wrong === 'string' ? 'text' : `${wrong.length} other bytes`}`,
    ).toBe('conflict');
  }
  const right = new TextEncoder().encode('abc');
  expect(await patchIf.call(h.store, key, { key: 'n', value: right }, write)).toBe('ok');
  expect(await patchIf.call(h.store, key, { key: 'n', value: Uint8Array.of(0, 1) }, write)).toBe(
    'ok',
  );
}

/** Record limits count a binary value as its length in bytes, exactly. */
export async function checkBinaryLimits(h: ConformanceHarness): Promise<void> {
  if (h.store.capabilities.recordLimits !== true) return;
  const key = h.key();
  await seed(h, key, makeRecord(h));
  const value = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
  const bytes = 'k'.length + value.length;
  const tooTight = makePatch(h, { set: [['k', value]] });
  expect(
    await h.store.patch(key, { ...tooTight, limits: { maxBytes: bytes - 1, maxKeys: 10 } }),
    'one byte under',
  ).toBe('too-large');
  expect(
    await h.store.patch(key, { ...tooTight, limits: { maxBytes: bytes, maxKeys: 10 } }),
    'exactly at the bound',
  ).toBe('ok');
  const more = makePatch(h, { set: [['m', Uint8Array.of(1)]] });
  expect(
    await h.store.patch(key, { ...more, limits: { maxBytes: bytes + 1, maxKeys: 10 } }),
    'the stored binary value counted exactly',
  ).toBe('too-large');
}

/**
 * Values encoded with the harness's codec (`jsonCodec` unless the suite was given another) are
 * stored, loaded and decoded back to the same values: every engine parity value and every hostile
 * string, as values of their own.
 */
export async function checkCodecValues(h: ConformanceHarness): Promise<void> {
  const { codec } = h;
  const values: [string, unknown][] = [
    ...Object.entries(PARITY_VALUES),
    ...HOSTILE_VALUES.map((text, i) => [`hostile-${i}`, text] as [string, unknown]),
  ];
  const entries: [string, StoredEntry][] = values.map(([name, value]) => [
    name,
    { value: codec.encode(value) },
  ]);
  const key = h.key();
  const record = await seed(h, key, makeRecord(h, { entries: entries.slice(0, 10) }));
  const patch = makePatch(h, { set: entries.slice(10) });
  expect(await h.store.patch(key, patch), 'patch with encoded values').toBe('ok');
  await expectStored(h, key, applied(record, patch), `record of ${codec.name} values`);
  const loaded = await h.store.load(key);
  for (const [name, value] of values) {
    const stored = loaded?.entries.get(name)?.value;
    expect(stored, `${name} is stored`).toBeDefined();
    if (stored === undefined) continue;
    const size = storedValueByteLength(stored);
    expect(size, `${name}: stored size`).toBe(
      storedValueByteLength((entries.find(([n]) => n === name) as [string, StoredEntry])[1].value),
    );
    expect(decodeStoredValue(codec, stored), `${name} decoded`).toEqual(value);
  }
}

/** The binary values group: runs on stores that declare `capabilities.binaryValues`. */
export const binaryValuesGroup: ConformanceGroup = {
  name: 'binary values',
  requires: 'binaryValues',
  checks: [
    { name: 'binary values round-trip beside text values', run: checkBinaryValuesRoundTrip },
    { name: 'binary values are copied in and out', run: checkBinaryValuesIsolated },
    { name: 'patchIf compares binary values byte for byte', run: checkBinaryPatchIf },
    { name: 'record limits count binary values in bytes', run: checkBinaryLimits },
  ],
};

/** The codec values group: the harness's codec through the store (every store, text or binary). */
export const codecValuesGroup: ConformanceGroup = {
  name: 'codec values',
  checks: [{ name: "the codec's values round-trip through the store", run: checkCodecValues }],
};
