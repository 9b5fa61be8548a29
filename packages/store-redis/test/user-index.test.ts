import { createHash } from 'node:crypto';
import type { SessionMeta, SessionPatch, SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord } from '../src/encode-record.js';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { createKeyLayout, FIELD_USER, INDEX_TTL_SLACK_MS } from '../src/key-layout.js';
import { createArgs, createIndexedScript, createScript } from '../src/lua/create-script.js';
import { destroyScript } from '../src/lua/destroy-script.js';
import { indexAddScript } from '../src/lua/index-add.js';
import { LATE_REPLY } from '../src/lua/lua-prelude.js';
import { patchIndexedScript, patchScript } from '../src/lua/patch-script.js';
import { pruneIndexScript } from '../src/lua/prune-index-script.js';
import { revokeCountedScript, revokeScript } from '../src/lua/revoke-script.js';
import { rotateAbortScript } from '../src/lua/rotate-abort-script.js';
import { rotateCommitScript } from '../src/lua/rotate-commit-script.js';
import { rotateCopyScript } from '../src/lua/rotate-copy-script.js';
import { rotateIndexedScript, rotateScript } from '../src/lua/rotate-script.js';
import { touchScript } from '../src/lua/touch-script.js';
import { newOpId } from '../src/op-id.js';
import { storeCommands } from '../src/redis-client.js';
import { type RedisScript, runScript } from '../src/run-script.js';
import { scriptSetFor } from '../src/script-set.js';
import { PRUNE_SKEW_MARGIN_MS } from '../src/user-index.js';
import { recommendedClusterOptions } from './support/client-options.js';
import { eventually } from './support/engine.js';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.js';
import { canStartRedisServers } from './support/require-redis-server.js';
import {
  connectSharedRedis,
  deleteKeysWithPrefix,
  keysWithPrefix,
  REDIS_URL,
  uniquePrefix,
} from './support/shared-redis.js';

/** Every script the store runs, to tell them apart when intercepting a client. */
const SCRIPTS: readonly RedisScript[] = [
  createScript,
  createIndexedScript,
  patchScript,
  patchIndexedScript,
  rotateScript,
  rotateIndexedScript,
  rotateCopyScript,
  rotateCommitScript,
  rotateAbortScript,
  touchScript,
  destroyScript,
  indexAddScript,
  revokeScript,
  pruneIndexScript,
  // What a store on a standalone Redis runs: the same scripts, also keeping the live index.
  ...Object.values(scriptSetFor(false)),
];

/** What an interception hook sees of one script call. */
interface ScriptCall {
  readonly script: RedisScript | undefined;
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

/**
 * `client` with every script call passed to `hook` first: the hook may wait, do other work, or
 * throw (the call then never reaches Redis, as when a command is lost). With `after`, the hook
 * runs after Redis has executed the call instead (throwing then loses only the reply).
 */
function intercepted<T extends Redis | Cluster>(
  client: T,
  hook: (call: ScriptCall) => unknown,
  after = false,
): T {
  /** Runs `send` (the real script call) with the hook before or after it. */
  const around = async (
    first: string,
    numKeys: number,
    rest: readonly unknown[],
    send: () => Promise<unknown>,
  ): Promise<unknown> => {
    const call: ScriptCall = {
      script: SCRIPTS.find((script) => script.sha === first || script.source === first),
      keys: rest.slice(0, numKeys).map(String),
      // The deadline comes first; the hook sees the script's own arguments.
      args: rest.slice(numKeys + 1).map(String),
    };
    if (!after) await hook(call);
    const reply = await send();
    if (after) await hook(call);
    return reply;
  };
  return new Proxy(client, {
    get(target, property) {
      const send = Reflect.get(target, property, target) as (...args: unknown[]) => unknown;
      if (property === 'evalsha' || property === 'eval') {
        return (first: string, numKeys: number, ...rest: unknown[]) =>
          around(first, numKeys, rest, async () => send.call(target, first, numKeys, ...rest));
      }
      // Scripts whose replies are read as bytes (the Cluster rotation's commit) use `callBuffer`.
      if (property === 'callBuffer') {
        return (command: string, ...args: unknown[]) => {
          if (!['evalsha', 'eval'].includes(command.toLowerCase())) {
            return send.call(target, command, ...args);
          }
          const [first, numKeys, ...rest] = args as [string, number, ...unknown[]];
          return around(first, numKeys, rest, async () => send.call(target, command, ...args));
        };
      }
      return typeof send === 'function' ? send.bind(target) : send;
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function userMeta(userId: string | undefined, info: Record<string, string> = {}): SessionMeta {
  const now = Date.now();
  return userId === undefined
    ? { createdAt: now - 100 }
    : { createdAt: now - 100, userId, userInfo: info, lastActiveAt: now - 10 };
}

function record(userId: string | undefined, expiresAt = Date.now() + 600_000): SessionRecord {
  return {
    entries: new Map([['n', { value: '1' }]]),
    meta: userMeta(userId),
    expiresAt,
  };
}

function patch(over: Partial<SessionPatch> = {}): SessionPatch {
  return { set: new Map(), remove: [], clear: false, expiresAt: Date.now() + 600_000, ...over };
}

function indexKey(prefix: string, userId: string): string {
  return `${prefix}user:{${createHash('sha256').update(userId, 'utf8').digest('base64url')}}`;
}

/** A unique user ID for one check. */
function user(label = 'user'): string {
  return `${label}-${createTestKey().slice(0, 12)}`;
}

/** What the shared checks need: a raw client, a prefix, and stores over (possibly wrapped) clients. */
interface Env {
  readonly client: Redis | Cluster;
  readonly prefix: string;
  readonly cluster: boolean;
  /** A store on `client` (or on `via`, a wrapped `client`). */
  store(options?: { timeoutMs?: number; via?: Redis | Cluster }): RedisStore;
}

/** Checks that hold on a standalone Redis and on a Cluster alike. */
function sharedChecks(env: () => Env): void {
  const members = async (prefix: string, userId: string) =>
    (await env().client.zrange(indexKey(prefix, userId), '0', '-1')).sort();

  it('names the index by a hash of the user ID: no raw ID reaches a key name or hash tag', async () => {
    const { client, prefix, store } = env();
    const ids = [`*${user()}`, `{tag}${user()}`, `?[]\\${user()}`, `ü 😀 ${user()}`];
    for (const id of ids) {
      const key = createTestKey();
      expect(await store().create(key, record(id))).toBe('created');
      const index = indexKey(prefix, id);
      expect(index).toMatch(/^.*user:\{[A-Za-z0-9_-]{43}\}$/);
      expect(index.includes(id)).toBe(false);
      expect(await client.type(index)).toBe('zset');
      expect(await client.zrange(index, '0', '-1')).toEqual([key]);
      expect(await store().listUserSessions(id)).toHaveLength(1);
    }
    if (env().cluster) {
      // The hash tag (the hash) puts each index in a slot of its own choosing, not the prefix's.
      const index = indexKey(prefix, ids[0] ?? '');
      const tag = index.slice(index.indexOf('{') + 1, -1);
      expect(await client.call('CLUSTER', 'KEYSLOT', index)).toBe(
        await client.call('CLUSTER', 'KEYSLOT', tag),
      );
    }
  });

  it('gives the index a TTL that follows the latest expiry written to it, never earlier', async () => {
    const { client, prefix, store } = env();
    const id = user();
    const index = indexKey(prefix, id);
    const first = createTestKey();
    const second = createTestKey();
    const t1 = Date.now() + 600_000;
    const t2 = Date.now() + 1_200_000;
    await store().create(first, record(id, t1));
    const expiry1 = Number(await client.pexpiretime(index));
    expect(expiry1).toBeGreaterThanOrEqual(t1);
    expect(expiry1).toBeLessThanOrEqual(t1 + INDEX_TTL_SLACK_MS);
    await store().create(second, record(id, t2));
    const expiry2 = Number(await client.pexpiretime(index));
    expect(expiry2).toBeGreaterThanOrEqual(t2);
    // A write with an earlier expiry (say an absolute deadline closing in) never shortens it.
    const earlier = Date.now() + 300_000;
    expect(await store().patch(first, patch({ meta: userMeta(id), expiresAt: earlier }))).toBe(
      'ok',
    );
    expect(Number(await client.pexpiretime(index))).toBe(expiry2);
    // A member's score is the deadline of the latest write that indexed it.
    const before = Date.now();
    await store({ timeoutMs: 5_000 }).patch(second, patch({ meta: userMeta(id) }));
    const score = Number(await client.zscore(index, second));
    expect(score).toBeGreaterThanOrEqual(before + 5_000);
    expect(score).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('keeps the bound user beside the meta and moves it with every write that replaces the meta', async () => {
    const { client, prefix, store } = env();
    const layout = createKeyLayout(prefix);
    const field = async (key: string) => client.hget(layout.keysFor(key).record, FIELD_USER);
    const ada = user('ada');
    const bob = user('bob');
    const key = createTestKey();
    await store().create(key, record(undefined));
    expect(await field(key)).toBeNull();
    await store().patch(key, patch({ meta: userMeta(ada) }));
    expect(await field(key)).toBe(ada);
    await store().patch(key, patch({ set: new Map([['x', { value: '1' }]]) }));
    await store().touch(key, Date.now() + 900_000);
    expect(await field(key)).toBe(ada);
    await store().patch(key, patch({ meta: userMeta(bob), clear: true }));
    expect(await field(key)).toBe(bob);
    const moved = createTestKey();
    expect(await store().rotate(key, moved, patch({ meta: userMeta(bob) }))).toBe('ok');
    expect(await field(moved)).toBe(bob);
    const signedIn = createTestKey();
    expect(await store().rotate(moved, signedIn, patch({ meta: userMeta(ada) }))).toBe('ok');
    expect(await field(signedIn)).toBe(ada);
    expect(await store().patch(signedIn, patch({ meta: userMeta(undefined) }))).toBe('ok');
    expect(await field(signedIn)).toBeNull();
    expect((await store().load(signedIn))?.meta.userId).toBeUndefined();
    expect(await store().listUserSessions(ada)).toEqual([]);
    expect(await store().listUserSessions(bob)).toEqual([]);
  });

  it('removes stale entries (destroyed, expired, moved, re-bound) when a listing finds them', async () => {
    const { prefix } = env();
    const timeoutMs = 1_000;
    const store = env().store({ timeoutMs });
    const ada = user('ada');
    const bob = user('bob');
    const [destroyed, expiring, rotated, rebound, live] = Array.from({ length: 5 }, () =>
      createTestKey(),
    ) as [string, string, string, string, string];
    for (const key of [destroyed, rotated, rebound, live]) {
      expect(await store.create(key, record(ada))).toBe('created');
    }
    expect(await store.create(expiring, record(ada, Date.now() + 200))).toBe('created');
    await store.destroy(destroyed);
    const moved = createTestKey();
    expect(await store.rotate(rotated, moved, patch({ meta: userMeta(ada) }))).toBe('ok');
    expect(await store.patch(rebound, patch({ meta: userMeta(bob) }))).toBe('ok');
    await eventually(async () => {
      if ((await store.load(expiring)) !== undefined) throw new Error('not expired yet');
    }, 5_000);
    // The index still holds every key: nothing told it about destroy, expiry or the old key.
    expect(await members(prefix, ada)).toEqual(
      [destroyed, expiring, rotated, rebound, live, moved].sort(),
    );
    const listed = async () => (await store.listUserSessions(ada)).map((r) => r.key).sort();
    expect(await listed()).toEqual([live, moved].sort());
    if (env().cluster) {
      // In Cluster a stale entry is pruned once the writes that indexed it can no longer land:
      // past their deadline, plus a margin for clock skew.
      await sleep(timeoutMs + PRUNE_SKEW_MARGIN_MS + 100);
      expect(await listed()).toEqual([live, moved].sort());
    }
    expect(await members(prefix, ada)).toEqual([live, moved].sort());
    expect(await members(prefix, bob)).toEqual([rebound]);
  });

  it('revocation is effective at once, and a revoked key can never be written again', async () => {
    const { client, prefix, store } = env();
    const layout = createKeyLayout(prefix);
    const ada = user('ada');
    const key = createTestKey();
    const encoded = encodeRecord(record(ada));
    const args = createArgs(newOpId(), encoded);
    const keys = layout.keysFor(key);
    // The create, as a request would send it (and as ioredis re-sends it after a reconnect).
    const send = () =>
      runScript(
        storeCommands(client),
        createScript,
        [keys.record, keys.revoked],
        args,
        Date.now() + 5_000,
      );
    expect(await store().create(key, record(ada))).toBe('created');
    expect(await store().destroyUserSessions(ada)).toEqual([key]);
    expect(await members(prefix, ada)).toEqual([]);
    expect(await store().load(key)).toBeUndefined();
    expect(await store().patch(key, patch({ meta: userMeta(ada) }))).toBe('missing');
    expect(await store().touch(key, Date.now() + 60_000)).toBe('missing');
    // The marker keeps a late copy of any create of that key out, for at least a minute.
    const ttl = await client.pttl(keys.revoked);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await send()).toBe('conflict');
    expect(await store().create(key, record(ada))).toBe('conflict');
    expect(await store().load(key)).toBeUndefined();
    // (In Cluster the refused create still added a stale entry first, which listing skips.)
    expect(await store().listUserSessions(ada)).toEqual([]);
  });

  it('revocation chases a session that a rotation moved to a new key meanwhile', async () => {
    const { client, store } = env();
    const ada = user('ada');
    const from = createTestKey();
    const to = createTestKey();
    await store().create(from, record(ada));
    let rotated = false;
    const racing = store({
      via: intercepted(client, async ({ script, keys }) => {
        const revoking = script === revokeScript || script === revokeCountedScript;
        if (revoking && !rotated && keys[0]?.includes(from)) {
          rotated = true;
          // A regenerate of the same session lands just before its revocation does.
          expect(await store().rotate(from, to, patch({ meta: userMeta(ada) }))).toBe('ok');
        }
      }),
    });
    expect(await racing.destroyUserSessions(ada)).toEqual([to]);
    expect(rotated).toBe(true);
    expect(await store().load(from)).toBeUndefined();
    expect(await store().load(to)).toBeUndefined();
    expect(await store().listUserSessions(ada)).toEqual([]);
  });

  it('compares user IDs byte for byte, whatever the meta JSON holds', async () => {
    const { store } = env();
    const ada = user('ada');
    const lookalikes = [`${ada} `, ada.toUpperCase(), `${ada}\u0301`, `"${ada}"`];
    const tricky = {
      userAgent: `{"userId":"${ada}"} \\" \u0007 \uD800 😀 \u2028`,
      [`"userId":"${ada}"`]: ada,
    };
    const mine = createTestKey();
    await store().create(mine, { ...record(ada), meta: userMeta(ada, tricky) });
    const others = new Map<string, string>();
    for (const id of lookalikes) {
      const key = createTestKey();
      await store().create(key, { ...record(id), meta: userMeta(id, { note: ada }) });
      others.set(id, key);
    }
    const listed = await store().listUserSessions(ada);
    expect(listed.map((r) => r.key)).toEqual([mine]);
    expect(listed[0]?.meta.userInfo).toEqual(tricky);
    expect(await store().destroyUserSessions(ada)).toEqual([mine]);
    for (const [id, key] of others) {
      expect((await store().load(key))?.meta.userId, JSON.stringify(id)).toBe(id);
      expect((await store().listUserSessions(id)).map((r) => r.key)).toEqual([key]);
      expect(await store().destroyUserSessions(id)).toEqual([key]);
    }
  });

  it('the new scripts change nothing once their deadline has passed', async () => {
    const { client, prefix, store } = env();
    const layout = createKeyLayout(prefix);
    const commands = storeCommands(client);
    const ada = user('ada');
    const key = createTestKey();
    await store().create(key, record(ada));
    const index = indexKey(prefix, ada);
    const keys = layout.keysFor(key);
    const past = Date.now() - 1;
    const late = (promise: Promise<unknown>) =>
      expect(promise).rejects.toThrow(LATE_REPLY.split(' ')[0]);
    await late(runScript(commands, indexAddScript, [index], [createTestKey(), '1'], past));
    await late(runScript(commands, revokeScript, [keys.record, keys.revoked], [ada, '1000'], past));
    await late(runScript(commands, pruneIndexScript, [index], [ada, '0', '1', key], past));
    expect(await members(prefix, ada)).toEqual([key]);
    expect(await store().load(key)).toBeDefined();
    expect(await client.exists(keys.revoked)).toBe(0);
  });
}

const shared = await connectSharedRedis();
const sharedPrefix = uniquePrefix('user-index');

describe.skipIf(shared === undefined)(`user index on a standalone Redis (${REDIS_URL})`, () => {
  if (shared === undefined) return;
  const client = shared;

  afterAll(async () => {
    await deleteKeysWithPrefix(client, sharedPrefix);
    await client.quit();
  });

  sharedChecks(() => ({
    client,
    prefix: sharedPrefix,
    cluster: false,
    store: (options = {}) =>
      createRedisStore(options.via ?? client, {
        prefix: sharedPrefix,
        timeoutMs: options.timeoutMs,
      }),
  }));

  it('writes no key that contains a raw user ID, and gives every key a TTL', async () => {
    const prefix = `${sharedPrefix}names:`;
    const store = createRedisStore(client, { prefix });
    const ids = ['*', '{tag}', 'a?b[c]', 'user name', 'üñí'];
    const keys: string[] = [];
    for (const id of ids) {
      const key = createTestKey();
      keys.push(key);
      await store.create(key, record(id));
      await store.patch(key, patch({ meta: userMeta(id) }));
    }
    await store.rotate(keys[0] ?? '', createTestKey(), patch({ meta: userMeta(ids[0]) }));
    await store.destroyUserSessions(ids[1] ?? '');
    await store.listUserSessions(ids[0] ?? '');
    const written = await keysWithPrefix(client, prefix);
    expect(written.length).toBeGreaterThan(ids.length);
    for (const redisKey of written) {
      const rest = redisKey.slice(prefix.length);
      for (const id of ids) expect(rest.includes(id), `${redisKey} contains ${id}`).toBe(false);
      expect(rest).toMatch(/^((user:)?\{[A-Za-z0-9_-]{43}\}(:moved|:revoked)?|live)$/);
      expect(await client.pttl(redisKey), `${redisKey} has a TTL`).toBeGreaterThan(0);
    }
  });

  it('a signed-in write is one script that updates the record and the index together', async () => {
    const calls: string[] = [];
    // Counted once executed, so a NOSCRIPT answer and its EVAL retry count once.
    const via = intercepted(
      client,
      ({ script }) => {
        calls.push(script?.name ?? 'unknown');
      },
      true,
    );
    const store = createRedisStore(via, { prefix: sharedPrefix });
    const ada = user('ada');
    const key = createTestKey();
    const anonymous = createTestKey();
    await store.create(key, record(ada));
    await store.patch(key, patch({ meta: userMeta(ada) }));
    await store.create(anonymous, record(undefined));
    await store.patch(anonymous, patch({ set: new Map([['x', { value: '1' }]]) }));
    await store.rotate(key, createTestKey(), patch({ meta: userMeta(ada) }));
    expect(calls).toEqual([
      'create+index+live',
      'patch+index+live',
      'create+live',
      'patch+live',
      'rotate+index+live',
    ]);
  });
});

describe.skipIf(!canStartRedisServers())('user index on a Redis Cluster (started here)', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const prefix = 'users:';

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    client = new Cluster([...cluster.startupNodes], recommendedClusterOptions);
    client.on('error', () => {});
    await eventually(() => client.ping(), 10_000);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  const storeOn = (options: { timeoutMs?: number; via?: Redis | Cluster } = {}) =>
    createRedisStore(options.via ?? client, { prefix, timeoutMs: options.timeoutMs });

  sharedChecks(() => ({ client, prefix, cluster: true, store: storeOn }));

  /** A client on which the index update of every write is lost (`after`: applied, reply lost). */
  const losingIndexUpdates = (after: boolean) =>
    intercepted(
      client,
      ({ script }) => {
        if (script === indexAddScript) throw new Error('simulated: index update lost');
      },
      after,
    );

  /**
   * The invariant the write order guarantees: every record bound to `userId` that can be loaded
   * is listed (a stale entry is allowed; a bound record missing from the index is not).
   */
  async function expectEveryBoundRecordListed(userId: string, keys: readonly string[]) {
    const listed = new Set((await storeOn().listUserSessions(userId)).map((r) => r.key));
    for (const key of keys) {
      const loaded = await storeOn().load(key);
      if (loaded?.meta.userId === userId) expect(listed.has(key), `${key} is listed`).toBe(true);
    }
  }

  it.each([
    ['never reaches Redis', false],
    ['is applied but its reply is lost', true],
  ])('a write whose index update %s fails and leaves the record as it was', async (_, after) => {
    const ada = user('ada');
    const lossy = storeOn({ via: losingIndexUpdates(after) });
    const fresh = createTestKey();
    const anonymous = createTestKey();
    const bound = createTestKey();
    const rotatedTo = createTestKey();
    await storeOn().create(anonymous, record(undefined));
    await storeOn().create(bound, record(ada, Date.now() + 600_000));
    const before = await storeOn().load(bound);

    await expect(lossy.create(fresh, record(ada))).rejects.toThrow('simulated');
    await expect(lossy.patch(anonymous, patch({ meta: userMeta(ada) }))).rejects.toThrow(
      'simulated',
    );
    const later = Date.now() + 3_600_000;
    await expect(
      lossy.patch(bound, patch({ meta: userMeta(ada), expiresAt: later })),
    ).rejects.toThrow('simulated');
    await expect(lossy.rotate(bound, rotatedTo, patch({ meta: userMeta(ada) }))).rejects.toThrow(
      'simulated',
    );

    expect(await storeOn().load(fresh)).toBeUndefined();
    expect((await storeOn().load(anonymous))?.meta.userId).toBeUndefined();
    expect(await storeOn().load(bound)).toEqual(before);
    expect(await storeOn().load(rotatedTo)).toBeUndefined();
    expect((await storeOn().listUserSessions(ada)).map((r) => r.key)).toEqual([bound]);
    await expectEveryBoundRecordListed(ada, [fresh, anonymous, bound, rotatedTo]);
    // Revocation still reaches the one bound record.
    expect(await storeOn().destroyUserSessions(ada)).toEqual([bound]);
  });

  it('a write whose record step is lost leaves only a stale entry, pruned once it has settled', async () => {
    const ada = user('ada');
    const timeoutMs = 1_000;
    const key = createTestKey();
    const lossy = storeOn({
      timeoutMs,
      via: intercepted(client, ({ script }) => {
        if (script === createScript) throw new Error('simulated: record write lost');
      }),
    });
    await expect(lossy.create(key, record(ada))).rejects.toThrow('simulated');
    expect(await client.zscore(indexKey(prefix, ada), key)).not.toBeNull();
    expect(await storeOn().load(key)).toBeUndefined();
    expect(await storeOn().listUserSessions(ada)).toEqual([]);
    await sleep(timeoutMs + PRUNE_SKEW_MARGIN_MS + 100);
    expect(await storeOn().listUserSessions(ada)).toEqual([]);
    expect(await client.zscore(indexKey(prefix, ada), key)).toBeNull();
  });

  it('never prunes the entry of a write still on its way (index updated, record not yet written)', async () => {
    const ada = user('ada');
    const key = createTestKey();
    const layout = createKeyLayout(prefix);
    const commands = storeCommands(client);
    const encoded = encodeRecord(record(ada));
    const deadline = Date.now() + 10_000;
    // Step 1 of a sign-in's create, as the store sends it.
    await runScript(
      commands,
      indexAddScript,
      [indexKey(prefix, ada)],
      [key, encoded.expireAt],
      deadline,
    );
    // A listing in between sees an entry without a record and must keep it.
    expect(await storeOn().listUserSessions(ada)).toEqual([]);
    expect(await client.zscore(indexKey(prefix, ada), key)).not.toBeNull();
    // Step 2 lands.
    const keys = layout.keysFor(key);
    const created = await runScript(
      commands,
      createScript,
      [keys.record, keys.revoked],
      createArgs(newOpId(), encoded),
      deadline,
    );
    expect(created).toBe('created');
    expect((await storeOn().listUserSessions(ada)).map((r) => r.key)).toEqual([key]);
    expect(await storeOn().destroyUserSessions(ada)).toEqual([key]);
  });

  it('a revocation between the two steps of a sign-in keeps its record from ever appearing', async () => {
    const ada = user('ada');
    const key = createTestKey();
    const layout = createKeyLayout(prefix);
    const commands = storeCommands(client);
    const encoded = encodeRecord(record(ada));
    const deadline = Date.now() + 10_000;
    await runScript(
      commands,
      indexAddScript,
      [indexKey(prefix, ada)],
      [key, encoded.expireAt],
      deadline,
    );
    expect(await storeOn().destroyUserSessions(ada)).toEqual([]);
    const keys = layout.keysFor(key);
    const created = await runScript(
      commands,
      createScript,
      [keys.record, keys.revoked],
      createArgs(newOpId(), encoded),
      deadline,
    );
    expect(created).toBe('conflict');
    expect(await storeOn().load(key)).toBeUndefined();
    expect(await storeOn().listUserSessions(ada)).toEqual([]);
  });

  it('a revocation during a sign-in rotation kills the copy; the rotation cannot write it back', async () => {
    const ada = user('ada');
    const from = createTestKey();
    const to = createTestKey();
    await storeOn().create(from, record(undefined));
    let revoked: string[] = [];
    let commits = 0;
    const racing = storeOn({
      via: intercepted(client, async ({ script }) => {
        if (script !== rotateCommitScript) return;
        commits++;
        if (commits === 1) {
          // Between copy and commit: a request patches the old key (so the commit must copy
          // again) and an admin revokes the user, whose index already lists the new key.
          expect(
            await storeOn().patch(from, patch({ set: new Map([['x', { value: '2' }]]) })),
          ).toBe('ok');
          revoked = await storeOn().destroyUserSessions(ada);
        }
      }),
    });
    expect(await racing.rotate(from, to, patch({ meta: userMeta(ada) }))).toBe('conflict');
    expect(revoked).toEqual([to]);
    expect(await storeOn().load(to)).toBeUndefined();
    expect(await storeOn().listUserSessions(ada)).toEqual([]);
    // The pre-sign-in session is untouched (the engine retries the sign-in under a fresh key).
    expect((await storeOn().load(from))?.entries.get('x')?.value).toBe('2');
  });

  it('a signed-in write costs one more round trip (the index first); an anonymous one does not', async () => {
    const calls: string[] = [];
    // Counted once executed, so a NOSCRIPT answer and its EVAL retry count once.
    const via = intercepted(
      client,
      ({ script }) => {
        calls.push(script?.name ?? 'unknown');
      },
      true,
    );
    const store = storeOn({ via });
    const ada = user('ada');
    const key = createTestKey();
    const anonymous = createTestKey();
    await store.create(anonymous, record(undefined));
    await store.patch(anonymous, patch({ set: new Map([['x', { value: '1' }]]) }));
    expect(calls.splice(0)).toEqual(['create', 'patch']);
    await store.create(key, record(ada));
    await store.patch(key, patch({ meta: userMeta(ada) }));
    expect(calls.splice(0)).toEqual(['index-add', 'create', 'index-add', 'patch']);
    await store.rotate(key, createTestKey(), patch({ meta: userMeta(ada) }));
    expect(calls.splice(0)).toEqual(['index-add', 'rotate-copy', 'rotate-commit']);
  });
});
