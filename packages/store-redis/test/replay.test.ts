import type { SessionPatch, SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePatch, encodeRecord } from '../src/encode-record.js';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { createKeyLayout } from '../src/key-layout.js';
import { patchArgs } from '../src/lua/apply-patch.js';
import { createArgs, createScript } from '../src/lua/create-script.js';
import { conditionArgs, patchIfScript } from '../src/lua/patch-if-script.js';
import { patchScript } from '../src/lua/patch-script.js';
import { rotateCommitScript } from '../src/lua/rotate-commit-script.js';
import { rotateCopyScript } from '../src/lua/rotate-copy-script.js';
import { rotateScript } from '../src/lua/rotate-script.js';
import { touchScript } from '../src/lua/touch-script.js';
import { newOpId } from '../src/op-id.js';
import { storeCommands } from '../src/redis-client.js';
import { rotateAcrossSlots } from '../src/rotate-across-slots.js';
import { runScript } from '../src/run-script.js';
import { scriptSetFor } from '../src/script-set.js';
import { recommendedRedisOptions } from './support/client-options.js';
import { cookieFrom, managerFor } from './support/engine.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { canStartRedisServers } from './support/require-redis-server.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const PREFIX = 'replay:';
/** A deadline comfortably ahead, for scripts run directly. */
const soon = () => Date.now() + 5_000;
const layout = createKeyLayout(PREFIX);
/** The scripts a store on a standalone Redis sends (they also keep the live index). */
const standalone = scriptSetFor(false);

function record(entries: [string, string][]): SessionRecord {
  return {
    entries: new Map(entries.map(([key, value]) => [key, { value }])),
    meta: { createdAt: 1 },
    expiresAt: Date.now() + 600_000,
  };
}

function patch(set: [string, string][], over: Partial<SessionPatch> = {}): SessionPatch {
  return {
    set: new Map(set.map(([key, value]) => [key, { value }])),
    remove: [],
    clear: false,
    expiresAt: Date.now() + 600_000,
    ...over,
  };
}

describe.skipIf(!canStartRedisServers())('writes re-sent after a reconnect apply once', () => {
  let server: RedisServer;
  let proxy: TcpProxy;
  /** Talks to Redis through the proxy (and so sees dropped replies and reconnects). */
  let flaky: Redis;
  let flakyStore: RedisStore;
  /** Talks to Redis directly. */
  let direct: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer();
    proxy = await startTcpProxy(server.port);
    flaky = new Redis(proxy.port, '127.0.0.1', {
      ...recommendedRedisOptions,
      retryStrategy: () => 20,
    });
    flaky.on('error', () => {});
    direct = new Redis(server.url, recommendedRedisOptions);
    flakyStore = createRedisStore(flaky, { prefix: PREFIX, timeoutMs: 5_000 });
    store = createRedisStore(direct, { prefix: PREFIX });
    // Load every script, so the first EVALSHA of each test runs (no NOSCRIPT round).
    for (const script of [
      createScript,
      patchScript,
      patchIfScript,
      touchScript,
      rotateScript,
      rotateCopyScript,
      rotateCommitScript,
      // What the stores here (standalone) run: the same scripts, also keeping the live index.
      ...Object.values(scriptSetFor(false)),
    ]) {
      await direct.script('LOAD', script.source);
    }
  });

  afterAll(async () => {
    flaky.disconnect();
    direct.disconnect();
    await proxy.close();
    await server.stop();
  });

  /** The raw hash, internal fields included. */
  async function raw(key: string): Promise<Record<string, string>> {
    return direct.hgetall(layout.keysFor(key).record);
  }

  describe('the same command executed twice leaves the state of executing it once', () => {
    const commands = () => storeCommands(direct);

    it('create', async () => {
      const key = createTestKey();
      const encoded = encodeRecord(record([['a', '1']]));
      const args = createArgs(newOpId(), encoded);
      const keys = [layout.keysFor(key).record, layout.keysFor(key).revoked];
      expect(await runScript(commands(), createScript, keys, args, soon())).toBe('created');
      const once = await raw(key);
      expect(await runScript(commands(), createScript, keys, args, soon())).toBe('created');
      expect(await raw(key)).toEqual(once);
      // A different create of the same key is still a conflict.
      const other = [newOpId(), ...args.slice(1)];
      expect(await runScript(commands(), createScript, keys, other, soon())).toBe('conflict');
    });

    it('patch, also after a later write to the same entry', async () => {
      const key = createTestKey();
      await store.create(key, record([['x', '0']]));
      const { record: hash, tombstone } = layout.keysFor(key);
      const a = patchArgs(newOpId(), encodePatch(patch([['x', 'A']], { remove: ['gone'] })));
      expect(await runScript(commands(), patchScript, [hash, tombstone], a, soon())).toBe('ok');
      const once = await raw(key);
      expect(await runScript(commands(), patchScript, [hash, tombstone], a, soon())).toBe('ok');
      expect(await raw(key)).toEqual(once);
      expect(await store.patch(key, patch([['x', 'B']]))).toBe('ok');
      expect(await runScript(commands(), patchScript, [hash, tombstone], a, soon())).toBe('ok');
      expect((await store.load(key))?.entries.get('x')?.value).toBe('B');
    });

    it('patchIf: the replay answers ok (not conflict) and undoes no later write', async () => {
      const key = createTestKey();
      await store.create(key, record([['n', '1']]));
      const { record: hash, tombstone } = layout.keysFor(key);
      const keys = [hash, tombstone];
      const encoded = encodePatch(patch([['n', '2']]));
      const args = [...patchArgs(newOpId(), encoded), ...conditionArgs({ key: 'n', value: '1' })];
      expect(await runScript(commands(), patchIfScript, keys, args, soon())).toBe('ok');
      const once = await raw(key);
      // The first copy changed the entry, so the condition no longer holds: only the write id
      // tells the re-sent copy that it already applied.
      expect(await runScript(commands(), patchIfScript, keys, args, soon())).toBe('ok');
      expect(await raw(key)).toEqual(once);
      const fresh = [...patchArgs(newOpId(), encoded), ...conditionArgs({ key: 'n', value: '1' })];
      expect(await runScript(commands(), patchIfScript, keys, fresh, soon()), 'a new write').toBe(
        'conflict',
      );
      // Another request updates the entry; the replay still answers ok and changes nothing.
      expect(await store.patchIf(key, { key: 'n', value: '2' }, patch([['n', '3']]))).toBe('ok');
      expect(await runScript(commands(), patchIfScript, keys, args, soon())).toBe('ok');
      expect((await store.load(key))?.entries.get('n')?.value).toBe('3');
      // After a rotation moved the session, the replay is recognised through the tombstone.
      expect(await store.rotate(key, createTestKey(), patch([]))).toBe('ok');
      expect(await runScript(commands(), patchIfScript, keys, args, soon())).toBe('ok');
      expect(await store.patchIf(key, { key: 'n', value: '3' }, patch([]))).toBe('missing');
    });

    it('touch, also after a later write moved the expiry', async () => {
      const key = createTestKey();
      await store.create(key, record([['x', '0']]));
      const { record: hash, tombstone } = layout.keysFor(key);
      const early = Date.now() + 100_000;
      const args = [newOpId(), String(early - 1), String(early)];
      expect(await runScript(commands(), touchScript, [hash, tombstone], args, soon())).toBe('ok');
      const later = Date.now() + 900_000;
      expect(await store.touch(key, later)).toBe('ok');
      expect(await runScript(commands(), touchScript, [hash, tombstone], args, soon())).toBe('ok');
      expect((await store.load(key))?.expiresAt).toBe(later);
    });

    it('rotate (standalone script): the replay answers ok, not missing', async () => {
      const from = createTestKey();
      const to = createTestKey();
      await store.create(from, record([['x', '0']]));
      const keys = [
        layout.keysFor(from).record,
        layout.keysFor(from).tombstone,
        layout.keysFor(to).record,
      ];
      const args = patchArgs(newOpId(), encodePatch(patch([['y', '1']])));
      expect(await runScript(commands(), rotateScript, keys, args, soon())).toBe('ok');
      const once = await raw(to);
      expect(await runScript(commands(), rotateScript, keys, args, soon())).toBe('ok');
      expect(await raw(to)).toEqual(once);
      expect(await store.load(from)).toBeUndefined();
      // A patch applied before the rotation and re-sent after it is recognised through the
      // tombstone; an unrelated late patch of the old key is still missing.
      expect(await store.patch(from, patch([['late', '1']]))).toBe('missing');
    });
  });

  describe('through a connection that drops the reply (ioredis re-sends the command)', () => {
    it('create answers created, not conflict', async () => {
      const key = createTestKey();
      const sentBefore = proxy.sent(standalone.create.sha);
      proxy.dropReplyTo(standalone.create.sha);
      expect(await flakyStore.create(key, record([['a', '1']]))).toBe('created');
      expect(proxy.sent(standalone.create.sha) - sentBefore).toBe(2);
      expect((await store.load(key))?.entries.get('a')?.value).toBe('1');
    });

    it('rotate answers ok and the session is under the new key once', async () => {
      const from = createTestKey();
      const to = createTestKey();
      await store.create(from, record([['x', '0']]));
      const sentBefore = proxy.sent(standalone.rotate.sha);
      proxy.dropReplyTo(standalone.rotate.sha);
      expect(await flakyStore.rotate(from, to, patch([['y', '1']]))).toBe('ok');
      expect(proxy.sent(standalone.rotate.sha) - sentBefore).toBe(2);
      expect(await store.load(from)).toBeUndefined();
      const moved = await store.load(to);
      expect(moved?.entries.get('x')?.value).toBe('0');
      expect(moved?.entries.get('y')?.value).toBe('1');
    });

    it('patchIf answers ok, not conflict, and applies once', async () => {
      const key = createTestKey();
      await store.create(key, record([['n', '1']]));
      const sentBefore = proxy.sent(standalone.patchIf.sha);
      proxy.dropReplyTo(standalone.patchIf.sha);
      expect(await flakyStore.patchIf(key, { key: 'n', value: '1' }, patch([['n', '2']]))).toBe(
        'ok',
      );
      expect(proxy.sent(standalone.patchIf.sha) - sentBefore).toBe(2);
      expect((await store.load(key))?.entries.get('n')?.value).toBe('2');
    });

    it('update() through the engine counts an increment whose reply was lost once', async () => {
      const manager = managerFor(flakyStore);
      const first = manager.session(new Headers());
      await first.set('n', 0);
      const cookie = cookieFrom(await first.commit());
      const sentBefore = proxy.sent(standalone.patchIf.sha);
      proxy.dropReplyTo(standalone.patchIf.sha);
      const session = manager.session(new Headers({ cookie }));
      expect(await session.update('n', (n) => (n ?? 0) + 1, { retries: 0 })).toBe(1);
      await session.commit();
      expect(proxy.sent(standalone.patchIf.sha) - sentBefore).toBe(2);
      expect(await manager.session(new Headers({ cookie })).get('n')).toBe(1);
    });

    it.each(['patch', 'touch'] as const)(
      'a re-sent %s does not undo a write that landed before the re-send',
      async (kind) => {
        const key = createTestKey();
        await store.create(key, record([['x', '0']]));
        const script = kind === 'patch' ? standalone.patch : standalone.touch;
        const sentBefore = proxy.sent(script.sha);
        const dropsBefore = proxy.drops;
        proxy.dropReplyTo(script.sha);
        proxy.hold();
        const early = Date.now() + 100_000;
        const first =
          kind === 'patch'
            ? flakyStore.patch(key, patch([['x', 'A']], { expiresAt: early }))
            : flakyStore.touch(key, early);
        while (proxy.drops === dropsBefore) await new Promise((resolve) => setTimeout(resolve, 10));
        // The first write ran; its reply was lost. Another request writes meanwhile.
        const later = Date.now() + 900_000;
        expect(await store.patch(key, patch([['x', 'B']], { expiresAt: later }))).toBe('ok');
        proxy.release();
        expect(await first).toBe('ok');
        expect(proxy.sent(script.sha) - sentBefore).toBe(2);
        const loaded = await store.load(key);
        expect(loaded?.entries.get('x')?.value).toBe('B');
        expect(loaded?.expiresAt).toBe(later);
      },
    );

    it.each([
      ['copy', rotateCopyScript],
      ['commit', rotateCommitScript],
    ] as const)(
      'the multi-step (Cluster) rotation survives a re-sent %s step',
      async (_step, script) => {
        const from = createTestKey();
        const to = createTestKey();
        await store.create(from, record([['x', '0']]));
        const sentBefore = proxy.sent(script.sha);
        proxy.dropReplyTo(script.sha);
        const result = await rotateAcrossSlots(
          storeCommands(flaky),
          layout.keysFor(from),
          layout.keysFor(to),
          encodePatch(patch([['y', '1']])),
          soon(),
          new AbortController().signal,
        );
        expect(result).toBe('ok');
        expect(proxy.sent(script.sha) - sentBefore).toBe(2);
        expect(await store.load(from)).toBeUndefined();
        const moved = await store.load(to);
        expect(moved?.entries.get('x')?.value).toBe('0');
        expect(moved?.entries.get('y')?.value).toBe('1');
      },
    );
  });
});
