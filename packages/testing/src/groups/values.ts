import { expect } from 'vitest';
import type { ConformanceGroup } from '../conformance-group.js';
import type { ConformanceHarness } from '../harness.js';
import { applied, expectStored, makePatch, makeRecord, seed } from '../records.js';

/**
 * Entry keys that break naive stores: prototype names (plain-object storage), Redis glob and
 * hash-tag characters, SQL and LIKE metacharacters, quotes, escapes, Unicode (emoji, RTL, NFC vs
 * NFD), case and trailing-space twins (case-insensitive or PAD SPACE collations), numeric-looking
 * keys and a 1,000-character key. The contract allows any non-empty key without control
 * characters, so none is included here.
 */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  '\u0001flash:notice',
  '\u001f\t\n',
  '😀 emoji 👩‍👩‍👧‍👦',
  'שלום עולם',
  'مرحبا',
  'caf\u00e9',
  'cafe\u0301',
  'Key',
  'key',
  'key ',
  ' key',
  'k'.repeat(1_000),
  '*?[]{}',
  '{hash-tag}',
  "it's",
  'say "hi"',
  'back\\slash',
  '100%_',
  '-- comment',
  'a; DROP TABLE sessions;',
  '\'"\\%--;*?[]{}',
  '$where',
  'a.b.c',
  'a:b:c',
  '0',
  '1e3',
  '-1',
  'null',
  'undefined',
];

/** 256 KiB of text (ASCII, so the same size in UTF-8 bytes). */
const LARGE_VALUE_CHARS = 256 * 1024;

/**
 * Values that break naive stores: empty, whitespace, Unicode, quotes, backslashes and escape-like
 * text, control characters other than NUL, JSON-looking text (must not be parsed), SQL/format
 * metacharacters and a 256 KiB string.
 */
export const HOSTILE_VALUES: readonly string[] = [
  '',
  ' ',
  'héllo wörld — ünïcödé',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'שלום مرحبا',
  '\uFEFFbom',
  '"double"',
  "'single'",
  'back\\slash\\\\ and \\u0000 as text',
  'line1\nline2\r\n\ttab',
  'ctrl \u0001\u0002\u001f\u007f',
  '{"json":[1,2,{"a":null}]}',
  'null',
  'true',
  '0',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the test value.
  '%s %d %% $1 ${x}',
  "-- ; DROP TABLE sessions; '",
  '__proto__',
  'x'.repeat(LARGE_VALUE_CHARS),
];

/** Own property names of the core prototypes, to prove nothing was added to them. */
function prototypeSnapshot(): string[] {
  return [Object.prototype, Array.prototype, Map.prototype, Function.prototype].flatMap((proto) =>
    Reflect.ownKeys(proto).map(String),
  );
}

/** Asserts no prototype gained properties and a fresh object has none inherited from data. */
function expectPrototypesClean(before: readonly string[]): void {
  expect(prototypeSnapshot(), 'prototype properties').toEqual(before);
  const probe: Record<string, unknown> = {};
  for (const name of ['polluted', 'value', 'expiresAt', 'x']) {
    expect(probe[name], `Object.prototype.${name}`).toBeUndefined();
  }
  expect(Object.getPrototypeOf(probe), 'prototype of {}').toBe(Object.prototype);
}

/**
 * Hostile entry keys round-trip exactly and stay distinct, through create and patch (set and
 * remove), and no prototype is polluted.
 */
export async function checkHostileKeys(h: ConformanceHarness): Promise<void> {
  const before = prototypeSnapshot();
  const key = h.key();
  const record = await seed(
    h,
    key,
    makeRecord(h, { entries: HOSTILE_KEYS.map((name, i) => [name, `value-${i}`] as const) }),
  );
  await expectStored(h, key, record, 'record with hostile keys');
  const loaded = await h.store.load(key);
  expect(loaded?.entries.get('__proto__')?.value, "entries.get('__proto__')").toBe('value-0');
  const patch = makePatch(h, {
    set: [
      ['constructor', 'patched'],
      ['toString', '{"__proto__":{"polluted":true}}'],
      ['polluted', 'data'],
    ],
    remove: ['__proto__', 'key '],
  });
  expect(await h.store.patch(key, patch), 'patch of hostile keys').toBe('ok');
  await expectStored(h, key, applied(record, patch), 'record after patching hostile keys');
  expectPrototypesClean(before);
}

/** Hostile values round-trip exactly (byte for byte), through create, patch and rotate. */
export async function checkHostileValues(h: ConformanceHarness): Promise<void> {
  const before = prototypeSnapshot();
  const key = h.key();
  const entries = HOSTILE_VALUES.map((value, i) => [`v${i}`, value] as const);
  const record = await seed(h, key, makeRecord(h, { entries }));
  await expectStored(h, key, record, 'record with hostile values');
  const patch = makePatch(h, {
    clear: true,
    set: HOSTILE_VALUES.map((value, i) => [`p${i}`, { value, expiresAt: h.later(60_000 + i) }]),
  });
  expect(await h.store.patch(key, patch), 'patch with hostile values').toBe('ok');
  const patched = applied(record, patch);
  await expectStored(h, key, patched, 'record after patching hostile values');
  const to = h.key();
  const move = makePatch(h, { set: entries });
  expect(await h.store.rotate(key, to, move), 'rotate with hostile values').toBe('ok');
  await expectStored(h, to, applied(patched, move), 'record after rotating hostile values');
  expectPrototypesClean(before);
}

/** The values and hostile keys group. */
export const valuesGroup: ConformanceGroup = {
  name: 'values and hostile keys',
  checks: [
    { name: 'hostile entry keys round-trip and stay distinct', run: checkHostileKeys },
    { name: 'hostile values round-trip exactly', run: checkHostileValues },
  ],
};
