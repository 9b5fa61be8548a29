import { createRedisStore } from '@sessions/store-redis';
import { uniqueName } from '../env.js';
import { startRedisServer } from '../redis-server.js';
import type { Rig } from '../scenario.js';
import { redisClient } from './clients.js';

export const redisRestartScenario = {
  title: 'Redis killed and restarted (no persistence)',
  description:
    'A throwaway redis-server with no persistence behind @sessions/store-redis (default 1 s ' +
    'deadline, the README client options). At the fault it is SIGKILLed; at its end it is ' +
    'restarted on the same port, empty, so every old cookie then reads as no session (each client ' +
    'must see that exactly once) and the next write creates a new one.',
};

export const redisAofRestartScenario = {
  title: 'Redis killed and restarted (append-only file)',
  description:
    'The same, with an append-only file fsynced on every write (`appendfsync always`): the ' +
    'restarted server holds every acknowledged write, so no session may be lost and every value ' +
    'read back must be the last one written (or a later one, when a write that failed with 503 ' +
    'may still have been applied). Commands cut off by the kill are re-sent by ioredis after the ' +
    'restart: the store must apply them at most once, and never after their deadline.',
};

/** @sessions/store-redis over a redis-server that is SIGKILLed, then restarted on the same port. */
export async function redisRestartRig(persistence: 'none' | 'aof' = 'none'): Promise<Rig> {
  const server = await startRedisServer({ persistence });
  const { client, errors } = redisClient(server.url);
  const store = createRedisStore(client, { prefix: `${uniqueName('redis')}:` });
  let restarted = false;
  let downAt = 0;
  let downMs = 0;
  return {
    store,
    // Without persistence, from the restart on a request may reach the empty server.
    sessionsMayBeLost: () => persistence === 'none' && restarted,
    async startFault() {
      downAt = Date.now();
      await server.kill();
    },
    async endFault() {
      restarted = true;
      await server.restart();
      downMs = Date.now() - downAt;
    },
    notes: () => [
      `store deadline (timeoutMs): ${store.timeoutMs} ms`,
      `Redis down for ${downMs} ms (SIGKILL to answering PING again)`,
      `ioredis error events: ${errors()}`,
    ],
    async dispose() {
      client.disconnect();
      await server.stop(); // the keys die with the throwaway server and its directory
    },
  };
}
