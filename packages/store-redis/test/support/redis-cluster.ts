import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from './free-port.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const run = promisify(execFile);

/** A Redis Cluster of local redis-server processes this test owns. */
export interface RedisCluster {
  /** Every node, masters and replicas. */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, for `new Cluster(...)`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Runs one command on the node at `port` over a short-lived connection. */
  command(port: number, ...args: string[]): Promise<unknown>;
  /** Waits until every node reports `cluster_state:ok` and agrees on all 16384 slots. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the working directory. */
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts `masters * (1 + replicasPerMaster)` cluster-enabled nodes on free ports, joins them with
 * `redis-cli --cluster create`, and waits until the cluster is healthy.
 */
export async function startRedisCluster(
  options: { readonly masters?: number; readonly replicasPerMaster?: number } = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'sessions-redis-cluster-'));
  const nodes: RedisServer[] = [];

  async function command(port: number, ...args: string[]): Promise<unknown> {
    const client = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      const [name = '', ...rest] = args;
      return await client.call(name, ...rest);
    } finally {
      client.disconnect();
    }
  }

  async function waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const infos = await Promise.all(
        nodes.map((node) => command(node.port, 'CLUSTER', 'INFO').catch(String)),
      );
      last = infos.map(String).join('\n');
      const healthy = infos.every(
        (info) =>
          typeof info === 'string' &&
          info.includes('cluster_state:ok') &&
          info.includes('cluster_slots_ok:16384') &&
          info.includes(`cluster_known_nodes:${nodes.length}`),
      );
      if (healthy) return;
      await sleep(100);
    }
    throw new Error(`cluster not healthy within ${timeoutMs} ms:\n${last}`);
  }

  async function stop(): Promise<void> {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  }

  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      const port = await findFreePort({ withBusPort: true });
      nodes.push(
        await startRedisServer({
          port,
          dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '3000',
            '--dbfilename',
            `dump-${port}.rdb`,
          ],
        }),
      );
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    await waitUntilHealthy();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    command,
    waitUntilHealthy,
    stop,
  };
}
