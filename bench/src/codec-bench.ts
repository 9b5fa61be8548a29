/**
 * Codec figures (issue 12): encoded size and encode/decode time per value of the JSON codec and
 * the MessagePack codec, for a few representative session values. Prints a Markdown section for
 * docs/benchmarks.md. Single-threaded and short (about 10 s); `BENCH_MS` sets each measurement's
 * duration (default 400 ms).
 */
import { msgpackCodec } from '@sessions/codec-msgpack';
import {
  type AnySessionCodec,
  decodeStoredValue,
  jsonCodec,
  storedValueByteLength,
} from '@sessions/core';
import { machineFacts } from './machine.js';

const MEASURE_MS = Number(process.env.BENCH_MS ?? 400);

/** Values an app typically keeps in a session, small to large. */
const SAMPLES: readonly [string, unknown][] = [
  ['user id (string)', 'u_01HZX3J8K6Q9T2M4N7P5R8S1V3'],
  ['counter (number)', 1234],
  [
    'login (object with a Date)',
    {
      userId: 'u_01HZX3J8K6Q9T2M4N7P5R8S1V3',
      roles: ['admin', 'editor'],
      signedInAt: new Date('2026-05-01T12:00:00.000Z'),
      mfa: true,
    },
  ],
  [
    'cart (20 line items)',
    {
      currency: 'EUR',
      items: Array.from({ length: 20 }, (_, i) => ({
        sku: `SKU-${1000 + i}`,
        qty: (i % 3) + 1,
        price: 9.99 + i,
        gift: i % 5 === 0,
      })),
    },
  ],
  [
    'preferences (flags and numbers)',
    Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`flag${i}`, i % 2 === 0 ? i : i % 3 === 0]),
    ),
  ],
  ['text (2 KB of prose)', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(36)],
];

/** Nanoseconds per call of `work`, measured over about MEASURE_MS after a warm-up. */
function nsPerCall(work: () => unknown): number {
  for (let i = 0; i < 2_000; i++) work();
  let calls = 0;
  let batch = 100;
  const start = process.hrtime.bigint();
  const budget = BigInt(MEASURE_MS) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) work();
    calls += batch;
    batch = Math.min(batch * 2, 10_000);
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / calls;
}

function row(name: string, codec: AnySessionCodec, value: unknown): string[] {
  const encoded = codec.encode(value);
  const bytes = storedValueByteLength(encoded);
  const encodeNs = nsPerCall(() => codec.encode(value));
  const decodeNs = nsPerCall(() => decodeStoredValue(codec, encoded));
  return [name, codec.name, String(bytes), encodeNs.toFixed(0), decodeNs.toFixed(0)];
}

const lines: string[] = [];
lines.push(`## Codecs\n\n${machineFacts()}. \`pnpm --filter @sessions/bench bench:codec\`.\n`);
lines.push('| value | codec | bytes | encode ns | decode ns |');
lines.push('| --- | --- | ---: | ---: | ---: |');
for (const [name, value] of SAMPLES) {
  const json = row(name, jsonCodec, value);
  const msgpack = row(name, msgpackCodec, value);
  const ratio = ((Number(msgpack[2]) / Number(json[2])) * 100).toFixed(0);
  lines.push(`| ${json.join(' | ')} |`);
  lines.push(
    `| ${msgpack.slice(0, 2).join(' | ')} | ${msgpack[2]} (${ratio}%) | ${msgpack.slice(3).join(' | ')} |`,
  );
}
console.log(lines.join('\n'));
