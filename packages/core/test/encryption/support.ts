import type {
  SessionPatch,
  SessionRecord,
  SessionStore,
  StoredEntry,
  StoredValue,
  StoreOperation,
} from '../../src/index.js';

/** Encryption keys for the tests (each at least 32 bytes). */
export const OLD_KEY = 'old-encryption-key-0123456789abcdefghijkl';
export const NEW_KEY = 'new-encryption-key-0123456789abcdefghijkl';

/** The shape of every encrypted value: `e1.<4-char key id>.<base64url>`. */
export const ENCRYPTED = /^e1\.[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]+$/;

/** One call a {@link RecordingStore} saw. */
export interface RecordedCall {
  readonly op: StoreOperation;
  readonly key: string;
  /** The patch of a `patch` or `rotate` call. */
  readonly patch?: SessionPatch | undefined;
  /** The record of a `create` call. */
  readonly record?: SessionRecord | undefined;
}

/** A store that records every call (with its patch or record) before delegating. */
export type RecordingStore = SessionStore & {
  readonly calls: RecordedCall[];
  /** Operation names in call order. */
  ops(): StoreOperation[];
  reset(): void;
};

/** Wraps `inner`, recording calls; optional methods are forwarded when `inner` has them. */
export function recordingStore(inner: SessionStore): RecordingStore {
  const calls: RecordedCall[] = [];
  const store: RecordingStore = {
    name: inner.name,
    capabilities: inner.capabilities,
    calls,
    ops: () => calls.map((call) => call.op),
    reset: () => {
      calls.length = 0;
    },
    load(key) {
      calls.push({ op: 'load', key });
      return inner.load(key);
    },
    create(key, record) {
      calls.push({ op: 'create', key, record });
      return inner.create(key, record);
    },
    patch(key, patch) {
      calls.push({ op: 'patch', key, patch });
      return inner.patch(key, patch);
    },
    touch(key, expiresAt) {
      calls.push({ op: 'touch', key });
      return inner.touch(key, expiresAt);
    },
    rotate(fromKey, toKey, patch) {
      calls.push({ op: 'rotate', key: fromKey, patch });
      return inner.rotate(fromKey, toKey, patch);
    },
    destroy(key) {
      calls.push({ op: 'destroy', key });
      return inner.destroy(key);
    },
  };
  const { listUserSessions, destroyUserSessions } = inner;
  if (listUserSessions !== undefined) {
    store.listUserSessions = (userId) => listUserSessions.call(inner, userId);
  }
  if (destroyUserSessions !== undefined) {
    store.destroyUserSessions = (userId, options) =>
      destroyUserSessions.call(inner, userId, options);
  }
  return store;
}

/** Entries from `[key, value]` pairs. */
export function entries(
  pairs: readonly (readonly [string, string | StoredEntry])[],
): Map<string, StoredEntry> {
  return new Map(
    pairs.map(([key, entry]) => [key, typeof entry === 'string' ? { value: entry } : entry]),
  );
}

/** The key ID of an encrypted value. */
export function keyIdOf(value: StoredValue | undefined): string | undefined {
  const text = typeof value === 'string' ? value : new TextDecoder('latin1').decode(value);
  return text.split('.')[1];
}

/** `value` with one character of its base64url payload changed. */
export function tamper(value: string, fromEnd = 5): string {
  const at = value.length - fromEnd;
  return value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
}
