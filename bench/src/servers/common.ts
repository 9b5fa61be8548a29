/** Shared by every benchmark server: the port, the secret, the store settings and the ready signal. */
export const PORT = Number(process.env.PORT ?? 3000);
export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
/** Which store the server uses: `memory` (default), `redis` or `layered` (ours only). */
export const STORE = process.env.BENCH_STORE ?? 'memory';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every Redis key the server writes goes under this prefix; the harness removes it afterwards. */
export const REDIS_PREFIX = process.env.BENCH_REDIS_PREFIX ?? `bench:http:${process.pid}:`;
/** Session lifetime used by every variant: one day. */
export const MAX_AGE_MS = 86_400_000;

// The harness talks to us over IPC: when it goes away (even killed), so do we.
process.on('disconnect', () => process.exit(0));

/** Tells the harness (our parent process) that the server is listening. */
export function ready(): void {
  process.send?.('ready');
  console.log(`listening on ${PORT} (store ${STORE})`);
}
