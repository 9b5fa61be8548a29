/**
 * Minimal reproduction of the postgres.js 3.4.9 defect the fault suite found, with postgres.js
 * alone (no @sessions code): a pool of one connection kept busy by concurrent queries; its backend
 * is terminated once; afterwards the pool never answers again although Postgres is up.
 *
 *   pnpm --filter @sessions/fault-suite exec tsx src/repro-postgres-wedge.ts
 *
 * What happens (src/connection.js): the terminated backend's socket emits `error` (ECONNRESET),
 * which rejects the running and pipelined queries, and `close` only later. In between, the callers
 * (here: the loops below) issue new queries; the pool hands them to its only connection, still
 * "busy", where they are pushed to `sent` (the rejected `query` was never cleared) and written to
 * the dead socket. `closed(hadError = true)` rejects nothing more, so after the reconnect these
 * queries still sit in `sent`: the connection waits for replies the new backend never owed, never
 * returns to the pool, and every later query waits forever. (A second, rarer path: `closed()`
 * cancels the pending write timer without clearing it, so the next connection's startup message
 * is never flushed.) suites/faults/patches/postgres@3.4.9.patch fixes both.
 */
import postgres from 'postgres';
import { DATABASE_URL, sleep, uniqueName } from './env.js';

const settle = (query: Promise<unknown>, ms: number) =>
  Promise.race([
    query.then(
      () => 'ok',
      (error: Error) => `rejected (${error.message})`,
    ),
    sleep(ms).then(() => `no answer within ${ms} ms`),
  ]);

const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
const tries = Number(process.env.TRIES ?? 5);
let wedged = 0;
for (let attempt = 1; attempt <= tries; attempt++) {
  const applicationName = uniqueName('repro');
  const sql = postgres(DATABASE_URL, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: applicationName },
  });
  await sql`select 1`;
  let stop = false;
  const loops = Array.from({ length: 16 }, async () => {
    while (!stop) await settle(sql`select 1`.execute(), 2_000);
  });
  await sleep(200);
  await admin`
    select pg_terminate_backend(pid, 5000) from pg_stat_activity
    where application_name = ${applicationName}
  `;
  await sleep(300);
  stop = true;
  await Promise.all(loops);
  const outcomes: string[] = [];
  for (let i = 0; i < 3; i++) outcomes.push(await settle(sql`select 'after'`.execute(), 3_000));
  if (outcomes.at(-1) !== 'ok') wedged++;
  console.log(`attempt ${attempt}, three queries after the termination: ${outcomes.join(' | ')}`);
  await sql.end({ timeout: 0.5 }); // end() alone would wait for the stuck queries forever
}
console.log(`${wedged} of ${tries} pools never answered again`);
await admin.end();
