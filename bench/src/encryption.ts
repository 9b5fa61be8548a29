/**
 * Encryption at rest: what `encryptStore` costs on the memory store, where the store itself is
 * nearly free, so the figures are the encryption's own overhead. Measures store operations
 * (patch of one key, create, load, rotate) and a whole request through the engine (load, change
 * one key, commit), with and without encryption, plus how much larger each stored value gets.
 * Iteration counts are bounded; prints markdown tables.
 */
import { randomBytes } from 'node:crypto';
import {
  createMemoryStore,
  createSessionManager,
  encryptStore,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredEntry,
} from '@sessions/core';
import { machineFacts } from './machine.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 20_000);
/** In-flight operations (as in `bench:stores`). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const KEY = 'bench-encryption-key-0123456789abcdefghijklmnop';
const DAY = 86_400_000;

function storeKey(): string {
  return randomBytes(32).toString('base64url');
}

/** A ~1 KB session: ten ~100-byte JSON strings plus a counter. */
function sessionEntries(): Map<string, StoredEntry> {
  const entries = new Map<string, StoredEntry>();
  for (let i = 0; i < 10; i++) entries.set(`k${i}`, { value: JSON.stringify('x'.repeat(96)) });
  entries.set('views', { value: '0' });
  return entries;
}

function record(now: number): SessionRecord {
  return {
    entries: sessionEntries(),
    meta: { createdAt: now, absoluteExpiresAt: now + 7 * DAY },
    expiresAt: now + DAY,
  };
}

function onePatch(i: number, now: number): SessionPatch {
  return {
    set: new Map([['views', { value: String(i) }]]),
    remove: [],
    clear: false,
    expiresAt: now + DAY,
  };
}

interface Measure {
  readonly opsPerSec: number;
  /** Time per operation at saturation (1 s / ops per second), in microseconds. */
  readonly usPerOp: number;
}

async function measure(count: number, op: (i: number) => unknown): Promise<Measure> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  const elapsed = performance.now() - started;
  return { opsPerSec: (count / elapsed) * 1000, usPerOp: (elapsed * 1000) / count };
}

type Variant = { readonly name: string; readonly wrap: (store: SessionStore) => SessionStore };

const variants: readonly Variant[] = [
  { name: 'plain', wrap: (store) => store },
  { name: 'encrypted', wrap: (store) => encryptStore(store, { keys: [KEY] }) },
];

async function seeded(store: SessionStore, count: number, now: number): Promise<string[]> {
  const keys = Array.from({ length: count }, storeKey);
  for (const key of keys) await store.create(key, record(now));
  return keys;
}

type Results = Map<string, Map<string, Measure>>;

async function storeOps(variant: Variant, results: Results): Promise<void> {
  const store = variant.wrap(createMemoryStore({ maxEntries: 1_000_000 }));
  const now = Date.now();
  const keys = await seeded(store, 2_000, now);
  const pick = (i: number) => keys[i % keys.length] as string;
  const row = (op: string, measured: Measure) => {
    const byVariant = results.get(op) ?? new Map<string, Measure>();
    byVariant.set(variant.name, measured);
    results.set(op, byVariant);
  };
  // Warm-up (JIT, key derivation).
  await measure(500, (i) => store.patch(pick(i), onePatch(i, now)));
  await measure(500, (i) => store.load(pick(i)));
  row('patch (1 key)', await measure(COUNT, (i) => store.patch(pick(i), onePatch(i, now))));
  row('load (11 keys, ~1 KB)', await measure(COUNT, (i) => store.load(pick(i))));
  const fresh = record(now);
  row('create (11 keys, ~1 KB)', await measure(COUNT, () => store.create(storeKey(), fresh)));
  const sources = await seeded(store, Math.min(COUNT, 5_000), now);
  row(
    'rotate, no clear (11 keys)',
    await measure(sources.length, (i) =>
      store.rotate(sources[i] as string, storeKey(), onePatch(i, now)),
    ),
  );
  const cleared = await seeded(store, Math.min(COUNT, 5_000), now);
  row(
    'rotate, clear (sign-in, 1 key kept)',
    await measure(cleared.length, (i) =>
      store.rotate(cleared[i] as string, storeKey(), { ...onePatch(i, now), clear: true }),
    ),
  );
}

/** A returning visitor's request through the engine: load, change one key of ~1 KB, commit. */
async function engineRequest(variant: Variant, results: Results): Promise<void> {
  const manager = createSessionManager<Record<string, string | number>>({
    store: createMemoryStore({ maxEntries: 1_000_000 }),
    secrets: [SECRET],
    ...(variant.name === 'encrypted' ? { encryption: { keys: [KEY] } } : {}),
  });
  const cookies: string[] = [];
  for (let i = 0; i < 1_000; i++) {
    const session = manager.session(new Headers());
    for (let k = 0; k < 10; k++) await session.set(`k${k}`, 'x'.repeat(96));
    await session.set('views', 0);
    const line = (await session.commit()).headers.find(([name]) => name === 'set-cookie')?.[1];
    cookies.push((line ?? '').split(';')[0] ?? '');
  }
  const request = async (i: number) => {
    const session = manager.session(new Headers({ cookie: cookies[i % cookies.length] as string }));
    const views = ((await session.get('views')) as number) + 1;
    await session.set('views', views);
    await session.commit();
  };
  await measure(500, request);
  const measured = await measure(COUNT, request);
  const op = 'engine request: load + set 1 key + commit';
  const byVariant = results.get(op) ?? new Map<string, Measure>();
  byVariant.set(variant.name, measured);
  results.set(op, byVariant);
}

/** Stored size of one value, plain vs encrypted, in bytes (all encrypted values are ASCII). */
async function sizes(): Promise<string[]> {
  const memory = createMemoryStore();
  const store = encryptStore(memory, { keys: [KEY] });
  const samples: [string, string][] = [
    ['number `1`', '1'],
    ['`true`', 'true'],
    ['user ID (36-char UUID string)', JSON.stringify('6f1c2a7e-9d3b-4c5e-8a1f-0b2c3d4e5f60')],
    ['100-byte string', JSON.stringify('x'.repeat(98))],
    ['1 KB object', JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => `item-${i}`) })],
    ['10 KB string', JSON.stringify('x'.repeat(10_238))],
  ];
  const key = storeKey();
  const now = Date.now();
  await store.create(key, {
    entries: new Map(samples.map(([name, value]) => [name, { value }])),
    meta: { createdAt: now },
    expiresAt: now + DAY,
  });
  const stored = memory.load(key) as SessionRecord;
  const lines = [
    '| Value | Plain (bytes) | Encrypted (bytes) | Growth |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const [name, value] of samples) {
    const plain = Buffer.byteLength(value);
    const sealed = Buffer.byteLength(stored.entries.get(name)?.value ?? '');
    lines.push(
      `| ${name} | ${plain} | ${sealed} | +${sealed - plain} (×${(sealed / plain).toFixed(2)}) |`,
    );
  }
  const session = sessionEntries();
  const sessionPlain = [...session.values()].reduce((n, e) => n + Buffer.byteLength(e.value), 0);
  const sessionKey = storeKey();
  await store.create(sessionKey, {
    entries: session,
    meta: { createdAt: now },
    expiresAt: now + DAY,
  });
  const sessionSealed = [...(memory.load(sessionKey)?.entries.values() ?? [])].reduce(
    (n, e) => n + Buffer.byteLength(e.value),
    0,
  );
  lines.push(
    `| the ~1 KB bench session (11 values) | ${sessionPlain} | ${sessionSealed} | +${sessionSealed - sessionPlain} (×${(sessionSealed / sessionPlain).toFixed(2)}) |`,
  );
  return lines;
}

const results: Results = new Map();
for (const variant of variants) {
  await storeOps(variant, results);
  await engineRequest(variant, results);
}

const lines: string[] = [];
lines.push(`## Encryption at rest (memory store)\n\n${machineFacts()}\n`);
lines.push(
  `${COUNT.toLocaleString('en-US')} operations per row (rotations: up to 5,000), ${CONCURRENCY} in flight; µs/op is 1 s divided by ops/s (time per operation at saturation). AES-256-GCM through Web Crypto: one \`crypto.subtle\` call per value written or read.\n`,
);
lines.push(
  '| Operation | Plain ops/s | Encrypted ops/s | Plain µs/op | Encrypted µs/op | Added µs/op |',
);
lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
for (const [op, byVariant] of results) {
  const plain = byVariant.get('plain') as Measure;
  const sealed = byVariant.get('encrypted') as Measure;
  lines.push(
    `| ${op} | ${fmt(plain.opsPerSec)} | ${fmt(sealed.opsPerSec)} | ${plain.usPerOp.toFixed(1)} | ${sealed.usPerOp.toFixed(1)} | +${(sealed.usPerOp - plain.usPerOp).toFixed(1)} |`,
  );
}
lines.push('\n### Stored size per value\n');
lines.push(...(await sizes()));
lines.push(
  '\nAn encrypted value is `e1.<4-char key id>.` (8 bytes) plus base64url of 12 bytes of IV, the ciphertext (as long as the plaintext) and a 16-byte tag: 8 + ⌈4(n + 28)/3⌉ bytes for n bytes of plaintext.',
);
console.log(lines.join('\n'));
