import {
  type CommitResult,
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type Session,
  type SessionManagerOptions,
  type ValidSessionData,
} from '../../src/index.js';
import { type CountingStore, countingStore } from './counting-store.js';

/** A 32-byte test secret. */
export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
/** A second, newer 32-byte secret for rotation tests. */
export const NEW_SECRET = 'newer-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** A controllable clock starting at a fixed instant. */
export class TestClock {
  time = Date.UTC(2026, 0, 1);
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A minimal cookie jar: keeps the value of the last Set-Cookie per name, honouring deletion. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  apply(result: CommitResult): void {
    for (const [name, value] of result.headers) {
      if (name !== 'set-cookie') continue;
      const [pair = ''] = value.split(';');
      const eq = pair.indexOf('=');
      const cookieName = pair.slice(0, eq);
      if (/Max-Age=0(;|$)/.test(value)) this.cookies.delete(cookieName);
      else this.cookies.set(cookieName, pair.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

/** A manager over a counting memory store, a test clock, and a browser-like client. */
export function createHarness<Data extends ValidSessionData<Data> = DefaultSessionData>(
  options: Partial<SessionManagerOptions> = {},
) {
  const clock = new TestClock();
  const memory = createMemoryStore({ clock: clock.now });
  const store: CountingStore = countingStore(options.store ?? memory);
  const manager = createSessionManager<Data>({
    secrets: [SECRET],
    clock: clock.now,
    ...options,
    store,
  });
  const jar = new CookieJar();
  /** Opens the session for a request carrying the jar's cookies (plus any extra headers). */
  const open = (headers: Record<string, string> = {}) => {
    const cookie = jar.header();
    const all = new Headers(headers);
    if (cookie !== '' && !all.has('cookie')) all.set('cookie', cookie);
    return manager.session(new Request('https://app.test/', { headers: all }));
  };
  return {
    clock,
    store,
    memory,
    manager,
    jar,
    open,
    /** Runs one request: opens, runs `handler`, commits, updates the jar. */
    async request<T>(
      handler: (session: Session<Data>) => Promise<T>,
      headers: Record<string, string> = {},
    ): Promise<{ value: T; result: CommitResult; calls: string[] }> {
      store.reset();
      const session = open(headers);
      const value = await handler(session);
      const result = await session.commit();
      jar.apply(result);
      return { value, result, calls: [...store.calls] };
    },
  };
}
