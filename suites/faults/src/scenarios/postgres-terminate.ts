import { createPostgresStore } from '@sessions/store-postgres';
import { sleep, uniqueName } from '../env.js';
import type { Rig } from '../scenario.js';
import { CAPPED_BACKOFF, postgresAdmin, postgresClient } from './clients.js';

export const postgresTerminateScenario = {
  title: 'Postgres backends terminated',
  description:
    '@sessions/store-postgres (default 2 s deadline) on a postgres.js pool of 4, in a schema of ' +
    'its own. During the fault every store backend is terminated with pg_terminate_backend every ' +
    '150-450 ms. Recovery means the whole pool serves again: every one of its 4 connections has ' +
    'run a statement since the fault ended. Sessions are durable, so none may be lost.',
};

export interface PostgresRigOptions {
  /** postgres.js `backoff`: its default (3^n / 100 s, up to 20 s) or {@link CAPPED_BACKOFF}. */
  readonly backoff?: 'default' | 'capped';
}

const POOL_SIZE = 4;

/** @sessions/store-postgres whose backends are terminated over and over during the fault. */
export async function postgresTerminateRig(options: PostgresRigOptions = {}): Promise<Rig> {
  const schema = uniqueName('pg');
  const applicationName = uniqueName('pg_app');
  const admin = postgresAdmin();
  const sql = postgresClient(applicationName, {
    max: POOL_SIZE,
    ...(options.backoff === 'capped' ? { backoff: CAPPED_BACKOFF } : {}),
  });
  const timeoutMs = 2_000; // the store's default, spelled out for the report
  const store = createPostgresStore(sql, { schema, timeoutMs });
  await store.migrate();
  let terminating: Promise<void> | undefined;
  let stop = false;
  let rounds = 0;
  let terminated = 0;
  let faultEnded = '';
  let serving = 0;

  async function terminateLoop(): Promise<void> {
    while (!stop) {
      // With a timeout, pg_terminate_backend waits until the backend has exited (Postgres 14+).
      const rows = await admin<{ done: boolean }[]>`
        select pg_terminate_backend(pid, 5000) as done from pg_stat_activity
        where application_name = ${applicationName} and pid <> pg_backend_pid()
      `;
      rounds++;
      terminated += rows.filter((row) => row.done).length;
      await sleep(150 + Math.random() * 300);
    }
  }

  /** The store's backends that have run a statement since the fault ended. */
  async function servingSinceFault(): Promise<number> {
    const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where application_name = ${applicationName} and state_change > ${faultEnded}::timestamptz
    `;
    return row?.n ?? 0;
  }

  return {
    store,
    async startFault() {
      stop = false;
      terminating = terminateLoop();
    },
    async endFault() {
      stop = true;
      await terminating;
      const [row] = await admin<{ t: string }[]>`select clock_timestamp()::text as t`;
      faultEnded = row?.t ?? '';
    },
    // Under load every healthy pool connection keeps running statements, so the pool is whole
    // again once each of them has run one since the fault ended. A connection postgres.js lost
    // track of never does (see the README, "Defects found").
    async recovered() {
      for (;;) {
        serving = await servingSinceFault();
        if (serving >= POOL_SIZE) return;
        await sleep(100);
      }
    },
    notes: () => [
      `store deadline (timeoutMs): ${timeoutMs} ms; postgres.js backoff: ${options.backoff ?? 'default'}`,
      `pg_terminate_backend rounds: ${rounds}, store backends terminated: ${terminated}`,
      `pool connections serving since the fault ended: ${serving} of ${POOL_SIZE}`,
    ],
    async dispose() {
      stop = true;
      await terminating?.catch(() => {});
      await sql.end({ timeout: 5 });
      await admin`drop schema if exists ${admin(schema)} cascade`;
      await admin.end({ timeout: 5 });
    },
  };
}
