/**
 * Store micro-benchmark (issue 9): ops/s and round trips per operation for load, patch (one changed
 * key), touch and create on the memory, Redis and Postgres stores, plus the cost of patching one key
 * of a 1 KB vs a 100 KB session. Iteration counts are bounded; prints markdown tables.
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379), under a unique prefix removed afterwards.
 * Postgres: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in an own schema dropped
 * afterwards. A store whose server is unreachable is reported as skipped.
 */
import { randomBytes } from 'node:crypto';
import {
  createMemoryStore,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredEntry,
} from '@sessions/core';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { machineFacts } from './machine.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** In-flight operations per store benchmark (a server serving 50 connections keeps several). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const DAY = 86_400_000;

function storeKey(): string {
  return randomBytes(32).toString('base64url').slice(0, 43);
}

function entries(totalBytes: number): Map<string, StoredEntry> {
  // ~100-byte values: a 1 KB session has ~10 keys, a 100 KB one ~1000.
  const map = new Map<string, StoredEntry>();
  const value = JSON.stringify('x'.repeat(96));
  for (let i = 0; map.size * (value.length + 6) < totalBytes; i++) map.set(`k${i}`, { value });
  map.set('views', { value: '0' });
  return map;
}

function record(totalBytes: number, now: number): SessionRecord {
  return {
    entries: entries(totalBytes),
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

interface Counted {
  readonly name: string;
  readonly store: SessionStore;
  /** Round trips so far (Redis commands sent; Postgres queries sent). */
  roundTrips(): number;
  close(): Promise<void>;
}

interface Measure {
  readonly opsPerSec: number;
  readonly roundTripsPerOp: number;
  readonly meanMs: number;
}

async function measure(
  target: Counted,
  count: number,
  op: (i: number) => unknown,
): Promise<Measure> {
  const before = target.roundTrips();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await op(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  const elapsed = performance.now() - started;
  return {
    opsPerSec: (count / elapsed) * 1000,
    roundTripsPerOp: (target.roundTrips() - before) / count,
    meanMs: (elapsed / count) * Math.min(CONCURRENCY, count),
  };
}

async function seed(target: Counted, count: number, bytes: number): Promise<string[]> {
  const now = Date.now();
  const keys = Array.from({ length: count }, storeKey);
  for (let i = 0; i < keys.length; i += 64) {
    await Promise.all(
      keys.slice(i, i + 64).map((key) => target.store.create(key, record(bytes, now))),
    );
  }
  return keys;
}

interface Row {
  readonly store: string;
  readonly op: string;
  readonly result: Measure;
}

async function benchStore(target: Counted, count: number): Promise<Row[]> {
  const keys = await seed(target, Math.min(count, 2_000), 1_024);
  const now = Date.now();
  const pick = (i: number) => keys[i % keys.length] as string;
  const rows: Row[] = [];
  // Warm-up (script cache, prepared statements, JIT).
  await measure(target, 200, (i) => target.store.load(pick(i)));
  rows.push({
    store: target.name,
    op: 'load',
    result: await measure(target, count, (i) => target.store.load(pick(i))),
  });
  rows.push({
    store: target.name,
    op: 'patch (1 key)',
    result: await measure(target, count, (i) => target.store.patch(pick(i), onePatch(i, now))),
  });
  rows.push({
    store: target.name,
    op: 'touch',
    result: await measure(target, count, (i) => target.store.touch(pick(i), now + DAY + i)),
  });
  const fresh = record(1_024, now);
  rows.push({
    store: target.name,
    op: 'create (1 KB)',
    result: await measure(target, count, () => target.store.create(storeKey(), fresh)),
  });
  return rows;
}

async function benchSize(target: Counted, count: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const bytes of [1_024, 102_400]) {
    const keys = await seed(target, 200, bytes);
    const now = Date.now();
    const pick = (i: number) => keys[i % keys.length] as string;
    await measure(target, 100, (i) => target.store.patch(pick(i), onePatch(i, now)));
    rows.push({
      store: target.name,
      op: `patch 1 key of ${bytes === 1_024 ? '1 KB' : '100 KB'}`,
      result: await measure(target, count, (i) => target.store.patch(pick(i), onePatch(i, now))),
    });
  }
  return rows;
}

function memoryTarget(): Counted {
  return {
    name: 'memory',
    store: createMemoryStore({ maxEntries: 1_000_000 }),
    roundTrips: () => 0,
    close: async () => {},
  };
}

async function redisTarget(): Promise<Counted | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    console.error(`redis: skipped (${(error as Error).message})`);
    client.disconnect();
    return undefined;
  }
  let sent = 0;
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    sent++;
    return original(...args);
  }) as Redis['sendCommand'];
  const prefix = `bench:${process.pid}:${Date.now()}:`;
  return {
    name: 'redis',
    store: createRedisStore(client, { prefix }),
    roundTrips: () => sent,
    close: async () => {
      let cursor = '0';
      do {
        const [nextCursor, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = nextCursor;
        if (found.length > 0) await client.unlink(...found);
      } while (cursor !== '0');
      await client.quit();
    },
  };
}

async function postgresTarget(): Promise<Counted | undefined> {
  let queries = 0;
  const sql = postgres(DATABASE_URL, {
    max: CONCURRENCY,
    onnotice: () => {},
    debug: () => {
      queries++;
    },
  });
  const schema = `bench_${process.pid}_${Date.now()}`;
  try {
    const store = createPostgresStore(sql, { schema });
    await store.migrate();
    return {
      name: 'postgres',
      store,
      roundTrips: () => queries,
      close: async () => {
        await sql.unsafe(`drop schema if exists ${schema} cascade`);
        await sql.end();
      },
    };
  } catch (error) {
    console.error(`postgres: skipped (${(error as Error).message})`);
    await sql.end({ timeout: 1 });
    return undefined;
  }
}

function table(rows: Row[]): string {
  const lines = [
    '| Store | Operation | ops/s | round trips/op | mean latency (ms) |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const { store, op, result } of rows) {
    lines.push(
      `| ${store} | ${op} | ${Math.round(result.opsPerSec).toLocaleString('en-US')} | ${
        store === 'memory' ? 'n/a' : result.roundTripsPerOp.toFixed(2)
      } | ${result.meanMs.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

const opsRows: Row[] = [];
const sizeRows: Row[] = [];
const memory = memoryTarget();
opsRows.push(...(await benchStore(memory, 200_000)));
for (const make of [redisTarget, postgresTarget]) {
  const target = await make();
  if (!target) continue;
  try {
    opsRows.push(...(await benchStore(target, 5_000)));
    sizeRows.push(...(await benchSize(target, 2_000)));
  } finally {
    await target.close();
  }
}

console.log(`## Store micro-benchmark\n\n${machineFacts()}, concurrency ${CONCURRENCY}\n`);
console.log(table(opsRows));
console.log('\n### Patch cost by session size (one changed key)\n');
console.log(table(sizeRows));
