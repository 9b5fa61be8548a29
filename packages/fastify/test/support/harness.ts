import {
  type CommitPolicyOptions,
  createMemoryStore,
  type SessionEvent,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { sessions } from '../../src/index.js';

export const SECRET = 'fastify-adapter-tests-secret-0123456789';

/** A memory store that records its calls and fails the operations listed in `failing`. */
export function controlledStore() {
  const memory = createMemoryStore();
  const calls: StoreOperation[] = [];
  const failing = new Set<StoreOperation>();
  const run = <T>(operation: StoreOperation, call: () => T): T => {
    calls.push(operation);
    if (failing.has(operation)) throw new Error(`store ${operation} is down`);
    return call();
  };
  const store: SessionStore = {
    name: 'controlled',
    capabilities: memory.capabilities,
    load: (key) => run('load', () => memory.load(key)),
    create: (key, record) => run('create', () => memory.create(key, record)),
    patch: (key, patch) => run('patch', () => memory.patch(key, patch)),
    touch: (key, at) => run('touch', () => memory.touch(key, at)),
    rotate: (from, to, patch) => run('rotate', () => memory.rotate(from, to, patch)),
    destroy: (key) => run('destroy', () => memory.destroy(key)),
  };
  return { store, calls, failing };
}

/** An app with the plugin registered on a controlled store; add routes, then `inject`. */
export function createTestApp(
  options: CommitPolicyOptions & {
    fastify?: FastifyServerOptions;
    onEvent?: (event: SessionEvent) => void;
    before?: (app: FastifyInstance) => void;
  } = {},
) {
  const { store, calls, failing } = controlledStore();
  const app = Fastify(options.fastify);
  options.before?.(app);
  app.register(sessions, {
    store,
    secrets: [SECRET],
    ...(options.commitOnError === undefined ? {} : { commitOnError: options.commitOnError }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  return { app, calls, failing };
}

/** The `Set-Cookie` lines of an inject response. */
export function setCookies(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The `name=value` pair of the session cookie among `lines` (which must hold at most one). */
export function sessionPair(lines: readonly string[]): string | undefined {
  const matching = lines.filter((line) => line.startsWith('sid='));
  if (matching.length > 1) throw new Error(`several session cookies: ${matching.join(' | ')}`);
  return matching[0]?.split(';', 1)[0];
}
