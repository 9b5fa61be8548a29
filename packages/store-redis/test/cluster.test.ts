import { msgpackCodec } from '@sessions/codec-msgpack';
import type { SessionRecord } from '@sessions/core';
import { createTestKey, describeStoreConformance } from '@sessions/testing';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { createKeyLayout } from '../src/key-layout.js';
import { recommendedClusterOptions } from './support/client-options.js';
import { cookieFrom, eventually, managerFor } from './support/engine.js';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.js';
import { canStartRedisServers } from './support/require-redis-server.js';

const PREFIX = 'cluster:';

/** One line of `CLUSTER NODES`. */
interface ClusterNode {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  readonly masterId: string;
  readonly slots: readonly (readonly [number, number])[];
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(address.split('@')[0]?.split(':')[1]),
        role: flags.includes('master') ? 'master' : 'replica',
        masterId,
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [low = '', high = low] = range.split('-');
            return [Number(low), Number(high)] as const;
          }),
      };
    });
}

describe.skipIf(!canStartRedisServers())(
  'Redis Cluster (3 masters, 3 replicas, started here)',
  () => {
    let cluster: RedisCluster;
    let client: Cluster;

    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
      client = new Cluster([...cluster.startupNodes], recommendedClusterOptions);
      client.on('error', () => {});
      await eventually(() => client.ping(), 10_000);
    }, 60_000);

    afterAll(async () => {
      client?.disconnect();
      await cluster?.stop();
    });

    // A prefix per test: the count group checks absolute numbers.
    let stores = 0;
    describeStoreConformance({
      name: 'redis cluster',
      createStore: () => ({
        store: createRedisStore(client, { prefix: `${PREFIX}t${++stores}:` }),
        usesClock: false,
      }),
    });

    // Binary values through the Cluster paths too (the rotation copies them across slots).
    describeStoreConformance({
      name: 'redis cluster',
      codec: msgpackCodec,
      createStore: () => ({
        store: createRedisStore(client, { prefix: `${PREFIX}t${++stores}:` }),
        usesClock: false,
      }),
    });

    it('keeps all keys of one session in one slot', async () => {
      const { record, tombstone } = createKeyLayout(PREFIX).keysFor(createTestKey());
      const slot = await client.call('CLUSTER', 'KEYSLOT', record);
      expect(await client.call('CLUSTER', 'KEYSLOT', tombstone)).toBe(slot);
    });

    it('keeps serving a session after a manual failover of the master that holds it', async () => {
      const store = createRedisStore(client, { prefix: PREFIX });
      const key = createTestKey();
      const record: SessionRecord = {
        entries: new Map([['before', { value: '"failover"' }]]),
        meta: { createdAt: Date.now() },
        expiresAt: Date.now() + 600_000,
      };
      expect(await store.create(key, record)).toBe('created');
      const manager = managerFor(store);
      const first = manager.session(new Headers());
      await first.set('n', 1);
      const cookie = cookieFrom(await first.commit());

      const slot = Number(
        await client.call('CLUSTER', 'KEYSLOT', createKeyLayout(PREFIX).keysFor(key).record),
      );
      const port = cluster.startupNodes[0]?.port ?? 0;
      const nodes = parseNodes(String(await cluster.command(port, 'CLUSTER', 'NODES')));
      const owner = nodes.find(
        (node) =>
          node.role === 'master' && node.slots.some(([low, high]) => slot >= low && slot <= high),
      );
      const replica = nodes.find((node) => node.role === 'replica' && node.masterId === owner?.id);
      expect(owner, 'master owning the slot').toBeDefined();
      expect(replica, 'replica of that master').toBeDefined();
      if (replica === undefined) return;

      expect(await cluster.command(replica.port, 'CLUSTER', 'FAILOVER')).toBe('OK');
      await eventually(async () => {
        const role = await cluster.command(replica.port, 'ROLE');
        if (!Array.isArray(role) || role[0] !== 'master') throw new Error('not promoted yet');
      }, 20_000);
      await cluster.waitUntilHealthy(20_000);

      // The client follows the MOVED redirections by itself; a request may need a retry while the
      // cluster settles, but the data is intact and writes land on the new master.
      const loaded = await eventually(() => store.load(key), 15_000);
      expect(loaded?.entries.get('before')?.value).toBe('"failover"');
      const patch = {
        set: new Map([['after', { value: '"written"' }]]),
        remove: [],
        clear: false,
        expiresAt: Date.now() + 600_000,
      };
      expect(await eventually(() => store.patch(key, patch), 15_000)).toBe('ok');
      expect((await store.load(key))?.entries.get('after')?.value).toBe('"written"');
      const to = createTestKey();
      expect(await store.rotate(key, to, { ...patch, set: new Map() })).toBe('ok');
      expect((await store.load(to))?.entries.get('after')?.value).toBe('"written"');

      const session = manager.session(new Headers({ cookie }));
      expect(await eventually(() => session.get('n'), 15_000)).toBe(1);
      await session.set('n', 2);
      await session.commit();
      expect(await manager.session(new Headers({ cookie })).get('n')).toBe(2);
    });
  },
);
