import { observeStore } from '@sessions/core';
import { createLayeredStore, type LayeredStoreEvent } from '@sessions/store-layered';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { uniqueName } from '../env.js';
import { startRedisServer } from '../redis-server.js';
import type { PhaseRef, Rig } from '../scenario.js';
import { postgresAdmin, postgresClient, redisClient } from './clients.js';

export const layeredHotLossScenario = {
  title: 'Layered store losing its hot layer',
  description:
    '@sessions/store-layered: a throwaway redis-server as hot (@sessions/store-redis, its own ' +
    'prefix) over Postgres as cold (@sessions/store-postgres, a schema of its own). At the fault the ' +
    'hot redis-server is SIGKILLed; at its end it is restarted on the same port. It runs with an ' +
    'append-only file fsynced on every write, so it comes back holding the copies it had when it ' +
    'died, which are stale for every session written meanwhile: the harsher case for the layered ' +
    "store's invalidation. Requests must keep succeeding from cold throughout, and no stale value " +
    'may ever be served.',
};

export interface LayeredOptions {
  /** The layered store's `hotBackoffMs` (its default is 5 s). */
  readonly hotBackoffMs?: number;
}

/** @sessions/store-layered, Redis over Postgres, whose hot Redis is SIGKILLed, then restarted. */
export async function layeredHotLossRig(
  phase: PhaseRef,
  options: LayeredOptions = {},
): Promise<Rig> {
  const server = await startRedisServer({ persistence: 'aof' });
  const { client, errors } = redisClient(server.url);
  const schema = uniqueName('layered');
  const sql = postgresClient(uniqueName('layered_app'));
  const postgresStore = createPostgresStore(sql, { schema });
  await postgresStore.migrate();
  const coldLoads: Record<string, number> = {};
  const cold = observeStore(postgresStore, (operation) => {
    if (operation === 'load') coldLoads[phase.name] = (coldLoads[phase.name] ?? 0) + 1;
  });
  const events: Record<string, number> = {};
  let restarted = false;
  let resumed: () => void = () => {};
  const resumedAfterRestart = new Promise<void>((resolve) => {
    resumed = resolve;
  });
  const store = createLayeredStore({
    hot: createRedisStore(client, { prefix: `${uniqueName('hot')}:` }),
    cold,
    ...(options.hotBackoffMs === undefined ? {} : { hotBackoffMs: options.hotBackoffMs }),
    onEvent: (event: LayeredStoreEvent) => {
      events[event.type] = (events[event.type] ?? 0) + 1;
      if (event.type === 'hot-resumed' && restarted) resumed();
    },
  });
  return {
    store,
    async startFault() {
      await server.kill();
    },
    async endFault() {
      restarted = true;
      await server.restart();
    },
    recovered: () => resumedAfterRestart,
    notes: (phases) => [
      `layered events: ${
        Object.entries(events)
          .map(([type, count]) => `${type} ×${count}`)
          .join(', ') || 'none'
      }`,
      `cold (Postgres) loads per session request: ${phases
        .map((stats) => {
          const sessionRequests = stats.byKind.read + stats.byKind.write;
          const loads = coldLoads[stats.name] ?? 0;
          return `${stats.name} ${loads}/${sessionRequests} (${((100 * loads) / Math.max(1, sessionRequests)).toFixed(0)}%)`;
        })
        .join(', ')}`,
      `ioredis (hot) error events: ${errors()}`,
    ],
    async dispose() {
      client.disconnect();
      await server.stop();
      await sql.end({ timeout: 5 });
      const admin = postgresAdmin();
      await admin`drop schema if exists ${admin(schema)} cascade`;
      await admin.end({ timeout: 5 });
    },
  };
}
