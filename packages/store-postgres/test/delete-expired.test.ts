import type { SessionPatch, SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore, startCleanup } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, sleep, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

const recordUntil = (expiresAt: number): SessionRecord => ({
  entries: new Map([['base', { value: 'kept' }]]),
  meta: { createdAt: Date.now() },
  expiresAt,
});

const patchSetting = (name: string, expiresAt = Date.now() + 3_600_000): SessionPatch => ({
  set: new Map([[name, { value: name }]]),
  remove: [],
  clear: false,
  expiresAt,
});

/** Inserts `count` already-expired rows directly (fast), returning their keys. */
async function insertExpired(sql: Sql, schema: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, () => createTestKey());
  await sql`
    insert into ${sql(schema)}.sessions (key, data, meta, expires_at)
    select k, '{}'::jsonb, '{"createdAt":0}'::jsonb, now() - interval '1 minute'
    from unnest(${sql.array(keys)}::text[]) as k
  `;
  return keys;
}

async function rowCount(sql: Sql, schema: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from ${sql(schema)}.sessions`;
  return row?.n ?? -1;
}

describe.skipIf(!available)('deleteExpired', () => {
  let sql: Sql;
  const schemas: string[] = [];

  /** A store on a schema of its own, so counts are exact. */
  async function freshStore(label: string): Promise<{ store: PostgresStore; schema: string }> {
    const schema = uniqueSchema(label);
    schemas.push(schema);
    const store = createPostgresStore(sql, { schema, timeoutMs: 10_000 });
    await store.migrate();
    return { store, schema };
  }

  beforeAll(() => {
    sql = connect({ max: 10 });
  });

  afterAll(async () => {
    for (const schema of schemas) await dropSchema(sql, schema);
    await sql.end({ timeout: 5 });
  });

  it('deletes in batches of 1,000 and returns the exact count', async () => {
    const { store, schema } = await freshStore('batches');
    const live = createTestKey();
    await store.create(live, recordUntil(Date.now() + 3_600_000));
    await insertExpired(sql, schema, 2_345);
    const statements: string[] = [];
    const counting = connect({ max: 1, debug: (_c, query) => statements.push(query) });
    try {
      const counted = createPostgresStore(counting, { schema });
      expect(await counted.deleteExpired()).toBe(2_345);
      expect(statements.filter((query) => query.includes('skip locked')).length).toBe(3);
      expect(await counted.deleteExpired()).toBe(0);
    } finally {
      await counting.end({ timeout: 5 });
    }
    expect(await rowCount(sql, schema)).toBe(1);
    expect(await store.load(live)).toBeDefined();
  });

  it('racing touches, patches and loads: no resurrection, no deadlock, live rows intact', async () => {
    const { store, schema } = await freshStore('race');
    const liveKeys = Array.from({ length: 30 }, () => createTestKey());
    const dyingKeys = Array.from({ length: 30 }, () => createTestKey());
    const soon = Date.now() + 300;
    for (const key of liveKeys) await store.create(key, recordUntil(Date.now() + 3_600_000));
    for (const key of dyingKeys) await store.create(key, recordUntil(soon));
    const bulk = await insertExpired(sql, schema, 3_000);
    await sleep(soon - Date.now() + 100);

    const writes: Promise<{ key: string; kind: string; result: string }>[] = [];
    const sweeps: Promise<number>[] = [];
    for (let round = 0; round < 10; round++) {
      sweeps.push(store.deleteExpired());
      for (const key of liveKeys) {
        writes.push(
          store
            .patch(key, patchSetting(`r${round}`))
            .then((result) => ({ key, kind: 'live', result })),
          store
            .touch(key, Date.now() + 3_600_000 + round)
            .then((result) => ({ key, kind: 'live', result })),
        );
      }
      for (const key of dyingKeys) {
        writes.push(
          store
            .patch(key, patchSetting(`r${round}`))
            .then((result) => ({ key, kind: 'dead', result })),
          store
            .touch(key, Date.now() + 3_600_000)
            .then((result) => ({ key, kind: 'dead', result })),
          store
            .load(key)
            .then((record) => ({ key, kind: 'dead', result: record ? 'found' : 'missing' })),
        );
      }
    }
    const outcomes = await Promise.all(writes);
    const removed = (await Promise.all(sweeps)).reduce((sum, n) => sum + n, 0);

    for (const outcome of outcomes) {
      expect(outcome.result, `${outcome.kind} ${outcome.key}`).toBe(
        outcome.kind === 'live' ? 'ok' : 'missing',
      );
    }
    // Concurrent sweeps split the expired rows between them (SKIP LOCKED): each removed once.
    expect(removed).toBe(dyingKeys.length + bulk.length);
    expect(await rowCount(sql, schema)).toBe(liveKeys.length);
    for (const key of liveKeys) {
      const record = await store.load(key);
      expect(record?.entries.get('base')?.value).toBe('kept');
      for (let round = 0; round < 10; round++) {
        expect(record?.entries.get(`r${round}`)?.value, `${key} r${round}`).toBe(`r${round}`);
      }
    }
    for (const key of dyingKeys) expect(await store.load(key)).toBeUndefined();
  });

  it('a touch that saves a record just before its expiry keeps it from the sweep', async () => {
    const { store } = await freshStore('rescue');
    const keys = Array.from({ length: 20 }, () => createTestKey());
    const soon = Date.now() + 400;
    for (const key of keys) await store.create(key, recordUntil(soon));
    const touches = await Promise.all(keys.map((key) => store.touch(key, Date.now() + 60_000)));
    expect(touches).toEqual(Array(keys.length).fill('ok'));
    await sleep(soon - Date.now() + 100);
    expect(await store.deleteExpired()).toBe(0);
    for (const key of keys) expect(await store.load(key)).toBeDefined();
  });
});

describe.skipIf(!available)('cleanup job', () => {
  let sql: Sql;
  const schema = uniqueSchema('cleanup');
  let store: PostgresStore;

  beforeAll(async () => {
    sql = connect();
    store = createPostgresStore(sql, { schema });
    await store.migrate();
  });

  afterAll(async () => {
    await dropSchema(sql, schema);
    await sql.end({ timeout: 5 });
  });

  /** Timers keeping the event loop alive (unref'd ones are not listed). */
  const refTimers = () =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

  it('creating a store starts nothing in the background', () => {
    const before = refTimers();
    createPostgresStore(sql, { schema });
    createPostgresStore(sql, { schema, migrate: true });
    expect(refTimers()).toBe(before);
  });

  it('runs periodically with jitter, unref’d, until stopped', async () => {
    const sweeps: number[] = [];
    const startedAt = Date.now();
    const before = refTimers();
    const job = store.startCleanup({
      intervalMs: 100,
      jitter: 0.5,
      onSweep: (n) => sweeps.push(n),
    });
    expect(refTimers(), 'the job’s timer does not keep the process alive').toBe(before);
    await insertExpired(sql, schema, 25);
    const deadline = Date.now() + 5_000;
    while (sweeps.reduce((a, b) => a + b, 0) < 25 && Date.now() < deadline) await sleep(20);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(25);
    expect(Date.now() - startedAt, 'the first run waits one interval').toBeGreaterThanOrEqual(50);
    await job.stop();
    const runs = sweeps.length;
    await sleep(300);
    expect(sweeps.length, 'no run after stop()').toBe(runs);
    await job.stop(); // idempotent
  });

  it('reports failures to onError and keeps running', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const job = startCleanup(
      {
        deleteExpired: async () => {
          calls++;
          if (calls <= 2) throw new Error(`outage ${calls}`);
          return 0;
        },
      },
      { intervalMs: 20, jitter: 0, onError: (error) => errors.push(error) },
    );
    const deadline = Date.now() + 5_000;
    while (calls < 4 && Date.now() < deadline) await sleep(10);
    await job.stop();
    expect(errors.map((error) => (error as Error).message)).toEqual(['outage 1', 'outage 2']);
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('stop() waits for a run in progress', async () => {
    let finished = false;
    const job = startCleanup(
      {
        deleteExpired: async () => {
          await sleep(200);
          finished = true;
          return 0;
        },
      },
      { intervalMs: 10, jitter: 0 },
    );
    await sleep(50);
    await job.stop();
    expect(finished).toBe(true);
  });

  it('rejects bad options with MISCONFIGURED', () => {
    for (const options of [
      { intervalMs: 0 },
      { intervalMs: Number.NaN },
      { jitter: 1.5 },
      { jitter: -0.1 },
    ]) {
      expect(() => store.startCleanup(options)).toThrow(
        expect.objectContaining({ code: 'MISCONFIGURED' }),
      );
    }
  });
});
