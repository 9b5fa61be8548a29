import type { Buffer } from 'node:buffer';
import { SessionError } from '@sessions/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * The client the store runs on: an ioredis `Redis` (standalone, or through Sentinel) or `Cluster`,
 * from ioredis 5 or 6. The store sends commands on it and never reconfigures, closes or extends it,
 * so one client can serve several stores and the rest of the app.
 */
export type RedisClient = Redis | Cluster;

/**
 * The few client methods the store calls (both ioredis client classes have them). Script
 * arguments are strings, or Buffers for binary values (ioredis sends both as they are). Session
 * hashes are read as text or as Buffers (see `hash-reader.ts`); binary values arrive intact only as
 * Buffers (see `value-form.ts`).
 */
export interface StoreCommands {
  /** True for a `Cluster` client: keys of different sessions may then live on different nodes. */
  readonly isCluster: boolean;
  hgetall(key: string): Promise<Record<string, string>>;
  hgetallBuffer(key: string): Promise<Record<string, Buffer>>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  zrange(key: string, start: string, stop: string): Promise<string[]>;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | Buffer)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | Buffer)[]): Promise<unknown>;
  /** Any command with its reply read as Buffers (scripts answering with binary values). */
  callBuffer(command: string, ...args: (string | Buffer | number)[]): Promise<unknown>;
}

function isCommandClient(client: unknown): boolean {
  if (typeof client !== 'object' || client === null) return false;
  const candidate = client as Partial<Record<keyof StoreCommands, unknown>>;
  return (
    typeof candidate.hgetall === 'function' &&
    typeof candidate.hgetallBuffer === 'function' &&
    typeof candidate.callBuffer === 'function' &&
    typeof candidate.evalsha === 'function' &&
    typeof candidate.eval === 'function'
  );
}

/**
 * Checks that `client` is an ioredis client and returns its command surface. Throws
 * `SessionError('MISCONFIGURED')` otherwise (for example for `createRedisStore({ client })`).
 */
export function storeCommands(client: RedisClient): StoreCommands {
  if (!isCommandClient(client)) {
    throw new SessionError(
      'MISCONFIGURED',
      'redis store: createRedisStore(client, options) needs an ioredis Redis or Cluster client as its first argument',
    );
  }
  const commands: StoreCommands = client;
  return commands;
}
