// The engine alone, no HTTP: what one request costs @sessions/core with the memory store and a
// Node header object, for the four HTTP scenarios. `pnpm --filter @sessions/bench bench:engine`.
import { createMemoryStore, createSessionManager, nodeHeaderSource } from '@sessions/core';

type Data = { views: number };
const manager = createSessionManager<Data>({
  store: createMemoryStore(),
  secrets: ['bench-secret-bench-secret-bench-secret-0123456789'],
});
const url = () => 'http://127.0.0.1:3000/';

async function issuedCookie(): Promise<string> {
  const first = manager.session(nodeHeaderSource({}, []), { url });
  await first.set('views', 1);
  const setCookie = (await first.commit()).headers[0]?.[1] ?? '';
  return setCookie.split(';')[0] ?? '';
}

const cookie = await issuedCookie();
const returning = { host: '127.0.0.1:3000', cookie };
const returningRaw = ['Host', '127.0.0.1:3000', 'Cookie', cookie];
const fresh = { host: '127.0.0.1:3000' };
const freshRaw = ['Host', '127.0.0.1:3000'];

const scenarios: [string, () => Promise<unknown>][] = [
  [
    'returning visitor changes a key',
    async () => {
      const session = manager.session(nodeHeaderSource(returning, returningRaw), { url });
      await session.set('views', ((await session.get('views')) ?? 0) + 1);
      return session.commit();
    },
  ],
  [
    'returning visitor reads only',
    async () => {
      const session = manager.session(nodeHeaderSource(returning, returningRaw), { url });
      await session.get('views');
      return session.commit();
    },
  ],
  [
    'new visitor on every request',
    async () => {
      const session = manager.session(nodeHeaderSource(fresh, freshRaw), { url });
      await session.set('views', ((await session.get('views')) ?? 0) + 1);
      return session.commit();
    },
  ],
  [
    'never touches the session',
    async () => manager.session(nodeHeaderSource(returning, returningRaw), { url }).commit(),
  ],
];

const ROUNDS = 5;
const PER_ROUND = Number(process.env.BENCH_ENGINE_REQUESTS ?? 100_000);
console.log('| Scenario | µs per request (median of 5) | min |');
console.log('| --- | ---: | ---: |');
for (const [name, run] of scenarios) {
  for (let i = 0; i < PER_ROUND / 2; i++) await run();
  const results: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < PER_ROUND; i++) await run();
    results.push(((performance.now() - start) * 1000) / PER_ROUND);
  }
  results.sort((a, b) => a - b);
  console.log(`| ${name} | ${results[2]?.toFixed(2)} | ${results[0]?.toFixed(2)} |`);
}
