import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/base64url.js';
import {
  type CommitResult,
  createMemoryStore,
  createSealedSessionManager,
  type DefaultSessionData,
  type SealedSessionManagerOptions,
  type Session,
  type SessionEvent,
  type SessionManager,
} from '../../src/index.js';
import { type CountingStore, countingStore } from '../support/counting-store.js';
import { CookieJar, TestClock } from '../support/harness.js';

/** A 32-byte sealing key. */
export const KEY = 'sealing-key-0123456789abcdefghijklmnopqrstuvwxyz';
/** A second, newer sealing key for rotation tests. */
export const NEW_KEY = 'newer-sealing-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** One browser: a cookie jar that sends its cookies with each request it runs. */
export interface SealedClient {
  readonly jar: CookieJar;
  /** The current `sid` cookie value, if any. */
  cookie(): string | undefined;
  /** Runs one request: opens the session, runs `handler`, commits, updates the jar. */
  request<T>(
    handler: (session: Session<DefaultSessionData>) => Promise<T>,
    headers?: Record<string, string>,
  ): Promise<{ value: T; result: CommitResult; setCookie: string | undefined }>;
}

/**
 * A sealed manager on a test clock, with events recorded and (optionally) a counting memory store
 * for revocation epochs; `client()` makes browsers.
 */
export function createSealedHarness(
  options: Partial<SealedSessionManagerOptions> & { withRevocation?: boolean } = {},
) {
  const { withRevocation, ...managerOptions } = options;
  const clock = new TestClock();
  const events: SessionEvent[] = [];
  const revocationStore: CountingStore = countingStore(createMemoryStore({ clock: clock.now }));
  const manager: SessionManager<DefaultSessionData> = createSealedSessionManager({
    keys: [KEY],
    clock: clock.now,
    onEvent: (event) => events.push(event),
    ...(withRevocation === true ? { revocation: { store: revocationStore } } : {}),
    ...managerOptions,
  });
  const open = (jar: CookieJar, headers: Record<string, string> = {}) => {
    const all = new Headers(headers);
    const cookie = jar.header();
    if (cookie !== '' && !all.has('cookie')) all.set('cookie', cookie);
    return manager.session(new Request('https://app.test/', { headers: all }));
  };
  const client = (): SealedClient => {
    const jar = new CookieJar();
    return {
      jar,
      cookie: () => jar.cookies.get('sid'),
      async request(handler, headers) {
        const session = open(jar, headers);
        const value = await handler(session);
        const result = await session.commit();
        jar.apply(result);
        const setCookie = result.headers.find(([name]) => name === 'set-cookie')?.[1];
        return { value, result, setCookie };
      },
    };
  };
  return { clock, events, manager, revocationStore, client, open };
}

/** The `sid` cookie a request presenting `value` would carry. */
export function cookieHeader(value: string, name = 'sid'): Record<string, string> {
  return { cookie: `${name}=${value}` };
}

/** Splits a sealed value into its parts: prefix (`s1.`), key ID and decoded bytes. */
export function splitSealed(value: string): { prefix: string; kid: string; data: Uint8Array } {
  const [version, kid, data] = value.split('.');
  const bytes = decodeBase64Url(data as string);
  if (version === undefined || kid === undefined || bytes === undefined) {
    throw new Error(`not a sealed cookie: ${value}`);
  }
  return { prefix: `${version}.`, kid, data: bytes };
}

/** A sealed value with byte `index` of its data XOR-ed with `mask` (negative: from the end). */
export function flipByte(value: string, index: number, mask = 0x01): string {
  const { prefix, kid, data } = splitSealed(value);
  const copy = new Uint8Array(data);
  const at = index < 0 ? copy.length + index : index;
  copy[at] = (copy[at] as number) ^ mask;
  return `${prefix}${kid}.${encodeBase64Url(copy)}`;
}
