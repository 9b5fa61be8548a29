// koa-redis 4 ships no types (@types/koa-redis would bring @types/koa-session 6 and @types/redis 2,
// both stale); only what src/servers/koa-peer.ts uses.
declare module 'koa-redis' {
  interface RedisStoreOptions {
    readonly url?: string;
    readonly [option: string]: unknown;
  }
  interface RedisStore {
    get(key: string, maxAge: number, options: unknown): Promise<unknown>;
    set(key: string, session: unknown, maxAge: number, options: unknown): Promise<void>;
    destroy(key: string, options: unknown): Promise<void>;
  }
  export default function redisStore(options?: RedisStoreOptions): RedisStore;
}
