import { createPostgresStore } from '@sessions/store-postgres';
import { describe, expect, it } from 'vitest';
import { postgresAvailable, sleep, uniqueName } from '../src/env.js';
import { CAPPED_BACKOFF, postgresAdmin, postgresClient } from '../src/scenarios/clients.js';

/**
 * Regression test for a postgres.js 3.4.9 defect the Postgres fault scenario found (README,
 * "Defects found"): when a backend is terminated while the pool keeps handing its connection
 * statements, the statements handed over between the socket's `error` and `close` events survive
 * into the reconnected connection, which then waits forever for replies its new backend never
 * owed. That connection never serves again, so a pool of one (serverless, or `max: 1`) stays
 * unavailable for good although Postgres is up: every store operation fails at its deadline.
 */
describe.skipIf(!(await postgresAvailable()))('regression: a terminated backend under load', () => {
  it('a pool of one serves the store again after its backend is terminated mid-load', async () => {
    const schema = uniqueName('wedge');
    const applicationName = uniqueName('wedge_app');
    const admin = postgresAdmin();
    const sql = postgresClient(applicationName, { max: 1, backoff: CAPPED_BACKOFF });
    const store = createPostgresStore(sql, { schema, timeoutMs: 1_000 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await store.migrate();
      const key = 'w'.repeat(43); // no such session: a load is one SELECT
      // The race is timing-dependent: a few rounds make hitting it (if it exists) near certain.
      for (let round = 0; round < 6; round++) {
        let stop = false;
        const loops = Array.from({ length: 16 }, async () => {
          while (!stop) await store.load(key).catch(() => {});
        });
        await sleep(150);
        await admin`
          select pg_terminate_backend(pid, 5000) from pg_stat_activity
          where application_name = ${applicationName}
        `;
        await sleep(200);
        stop = true;
        await Promise.all(loops);
        // Postgres is up: within a few attempts (1 s deadline each) the store must serve again.
        const outcomes: string[] = [];
        for (let attempt = 0; attempt < 5 && outcomes.at(-1) !== 'ok'; attempt++) {
          outcomes.push(
            await store.load(key).then(
              () => 'ok',
              (error: Error) => String(error.cause ?? error),
            ),
          );
        }
        expect(outcomes.at(-1), `round ${round}: ${outcomes.join(' | ')}`).toBe('ok');
      }
      await sleep(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql.end({ timeout: 1 });
      await admin`drop schema if exists ${admin(schema)} cascade`;
      await admin.end({ timeout: 5 });
    }
  });
});
