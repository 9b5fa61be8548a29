/**
 * Memory figure (issue 9): RSS of the memory store holding 100,000 small sessions created through
 * the engine, and RSS staying bounded at `maxEntries` under a stream of new visitors.
 * Run with `node --expose-gc` (the `bench:memory` script does) so each sample follows a full GC.
 */
import { createMemoryStore, createSessionManager, type MemoryStore } from '@sessions/core';
import { machineFacts } from './machine.js';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const HOLD = Number(process.env.BENCH_HOLD ?? 100_000);
const MAX_ENTRIES = Number(process.env.BENCH_MAX_ENTRIES ?? 10_000);
const STREAM = Number(process.env.BENCH_STREAM ?? 200_000);
const BATCH = 256;

const gc = (globalThis as { gc?: () => void }).gc;

function rssMiB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().rss / 1_048_576;
}

function heapMiB(): number {
  return process.memoryUsage().heapUsed / 1_048_576;
}

async function createSessions(store: MemoryStore, count: number, onBatch?: (done: number) => void) {
  const manager = createSessionManager<{ views: number; user: string }>({
    store,
    secrets: [SECRET],
  });
  const empty = new Headers();
  for (let done = 0; done < count; done += BATCH) {
    const batch = Math.min(BATCH, count - done);
    await Promise.all(
      Array.from({ length: batch }, async (_, i) => {
        const session = manager.session(empty);
        await session.set('views', done + i);
        await session.set('user', 'ada');
        await session.commit();
      }),
    );
    onBatch?.(done + batch);
  }
}

if (!gc) console.error('note: run with --expose-gc for stable RSS samples');

const lines: string[] = [];
lines.push(`## Memory store\n\n${machineFacts()}\n`);

// 1. Holding HOLD small sessions.
const baseline = rssMiB();
const baselineHeap = heapMiB();
const big = createMemoryStore({ maxEntries: HOLD });
let started = performance.now();
await createSessions(big, HOLD);
const createSeconds = (performance.now() - started) / 1000;
const holding = rssMiB();
const holdingHeap = heapMiB();
lines.push(
  '| Scenario | Sessions held | RSS (MiB) | RSS growth (MiB) | heap growth (MiB) | bytes/session (RSS) | creates/s |',
);
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
lines.push(
  `| ${HOLD.toLocaleString('en-US')} small sessions (2 keys) | ${big.size.toLocaleString('en-US')} | ${holding.toFixed(1)} | ${(holding - baseline).toFixed(1)} | ${(holdingHeap - baselineHeap).toFixed(1)} | ${Math.round(((holding - baseline) * 1_048_576) / big.size)} | ${Math.round(HOLD / createSeconds).toLocaleString('en-US')} |`,
);
big.close();

// 2. A stream of new visitors against maxEntries.
const bounded = createMemoryStore({ maxEntries: MAX_ENTRIES });
const samples: { done: number; size: number; rss: number }[] = [];
const step = STREAM / 10;
started = performance.now();
const streamBaseline = rssMiB();
await createSessions(bounded, STREAM, (done) => {
  if (done % step < BATCH && done >= step) {
    samples.push({ done, size: bounded.size, rss: rssMiB() });
  }
});
const streamSeconds = (performance.now() - started) / 1000;
lines.push(
  `\n### Stream of new visitors, maxEntries ${MAX_ENTRIES.toLocaleString('en-US')} (${STREAM.toLocaleString('en-US')} creates, ${Math.round(STREAM / streamSeconds).toLocaleString('en-US')} creates/s; RSS before the stream ${streamBaseline.toFixed(1)} MiB)\n`,
);
lines.push('| Creates so far | Entries held | RSS (MiB) |');
lines.push('| ---: | ---: | ---: |');
for (const { done, size, rss } of samples) {
  lines.push(
    `| ${done.toLocaleString('en-US')} | ${size.toLocaleString('en-US')} | ${rss.toFixed(1)} |`,
  );
}
bounded.close();
console.log(lines.join('\n'));
