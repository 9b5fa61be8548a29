import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSessionManager, withSession } from '../../src/index.js';
import { SECRET } from '../support/harness.js';

describe('withSession', () => {
  const manager = createSessionManager<{ n: number }>({
    store: createMemoryStore(),
    secrets: [SECRET],
  });

  it('adds the cookie even to responses with immutable headers (Response.redirect)', async () => {
    const handler = withSession(manager, async (_request, session) => {
      await session.set('n', 1);
      return Response.redirect('https://app.test/next', 303);
    });
    const response = await handler(new Request('https://app.test/login', { method: 'POST' }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://app.test/next');
    expect(response.headers.getSetCookie()).toHaveLength(1);
  });

  it('leaves untouched responses alone and adds no cookie', async () => {
    const original = new Response('ok');
    const response = await withSession(
      manager,
      async () => original,
    )(new Request('https://app.test/'));
    expect(response).toBe(original);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('does not commit when the handler throws', async () => {
    const store = createMemoryStore();
    const failing = withSession(
      createSessionManager({ store, secrets: [SECRET] }),
      async (_request, session) => {
        await session.set('n', 1);
        throw new Error('handler failed');
      },
    );
    await expect(failing(new Request('https://app.test/'))).rejects.toThrow('handler failed');
    expect(store.size).toBe(0);
  });
});
