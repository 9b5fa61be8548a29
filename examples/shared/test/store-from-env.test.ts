import { createSessionManager } from '@sessions/core';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_STORES, storeFromEnv } from '../src/index.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// The demos' store switch, against the real Redis and Postgres the other store tests use.
describe('SESSION_STORE', () => {
  const admin = postgres(DATABASE_URL, { onnotice: () => {} });
  let hadTable: boolean | undefined;

  afterAll(async () => {
    // The demo migrates public.sessions; drop it again unless it was there before this test.
    if (hadTable === false) {
      await admin`drop table if exists public.sessions, public.sessions_migrations`;
    }
    await admin.end({ timeout: 5 });
  });

  for (const name of DEMO_STORES) {
    it(`${name}: a session written through the demo's store reads back`, async () => {
      if (name === 'postgres' && hadTable === undefined) {
        const [row] = await admin`select to_regclass('public.sessions') is not null as exists`;
        hadTable = row?.exists === true;
      }
      const demo = await storeFromEnv({ ...process.env, SESSION_STORE: name });
      try {
        expect(demo.name).toBe(name);
        const manager = createSessionManager({ store: demo.store, secrets: ['s'.repeat(32)] });
        const first = manager.session(new Headers());
        await first.set('views', 1);
        const [[, cookie] = ['', '']] = (await first.commit()).headers;
        const second = manager.session(new Headers({ cookie: cookie.split(';')[0] ?? '' }));
        expect(await second.get('views')).toBe(1);
        await second.destroy();
        await second.commit();
      } finally {
        await demo.close();
      }
    });
  }

  it('an unknown store name is a clear error', async () => {
    await expect(storeFromEnv({ SESSION_STORE: 'mongo' })).rejects.toThrow(
      /memory, redis, postgres/,
    );
  });
});
