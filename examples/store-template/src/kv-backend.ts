/**
 * The backend this template stores sessions in: an asynchronous key-value service with versioned
 * reads and atomic, conditional multi-key commits. Deno KV (`atomic().check()`), FoundationDB,
 * etcd transactions, Consul's check-and-set and DynamoDB's `TransactWriteItems` all offer this
 * shape, so the store over it ports to any of them by rewriting one small adapter.
 *
 * This is the part of the template to replace: implement `KvBackend` over your service, or change
 * `kv-store.ts` to call your client directly.
 */
export interface KvBackend {
  /** The live value under `key` and its version, or `undefined` when absent or expired. */
  get(key: string): Promise<KvEntry | undefined>;
  /**
   * Atomically: if every check holds, applies every mutation and resolves `true`; otherwise
   * applies nothing and resolves `false`. Rejects when the backend fails (the session engine turns
   * that into `STORE_UNAVAILABLE`, never into an empty session). A commit that reaches the backend
   * at or after `deadline` (epoch ms) applies nothing: the store has already reported a timeout,
   * and the contract forbids a write that applies after it rejected.
   */
  commit(
    checks: readonly KvCheck[],
    mutations: readonly KvMutation[],
    deadline: number,
  ): Promise<boolean>;
}

/** A value read from the backend with the version it had. */
export interface KvEntry {
  /** The stored string. */
  readonly value: string;
  /** Changes on every write of this key; compared by {@link KvCheck}. */
  readonly version: string;
}

/** A commit condition: `key` still has `version`, or is absent (or expired) when `undefined`. */
export interface KvCheck {
  /** The key to check. */
  readonly key: string;
  /** The version it must have, or `undefined` for "absent". */
  readonly version: string | undefined;
}

/** One write of a commit. */
export type KvMutation =
  | {
      /** Writes `value`, live until the absolute instant `expiresAt` (epoch ms). */
      readonly type: 'set';
      readonly key: string;
      readonly value: string;
      readonly expiresAt: number;
    }
  | {
      /** Removes the key (absent keys are fine). */
      readonly type: 'delete';
      readonly key: string;
    };
