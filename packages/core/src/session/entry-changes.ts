import { storedValuesEqual } from '../codec/stored-value.js';
import type {
  RecordLimits,
  SessionMeta,
  SessionPatch,
  StoredEntry,
} from '../store/session-record.js';

/** Prefix of keys the engine uses internally (flash values). User keys cannot contain U+0001. */
export const INTERNAL_KEY_PREFIX = '\u0001';

/** The base of a new session: shared, since the base is only ever replaced, never mutated. */
const NO_ENTRIES: ReadonlyMap<string, StoredEntry> = new Map();

function sameEntry(a: StoredEntry | undefined, b: StoredEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return storedValuesEqual(a.value, b.value) && a.expiresAt === b.expiresAt;
}

function isLive(entry: StoredEntry | undefined, now: number): entry is StoredEntry {
  return entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now);
}

/**
 * Dirty tracking for one session: the entries as stored (`base`) plus the changes made during the
 * request. A change back to the stored value is no change, so an unchanged session is not written.
 */
export class EntryChanges {
  #base: ReadonlyMap<string, StoredEntry>;
  #changes = new Map<string, StoredEntry | null>();
  #cleared = false;

  constructor(base: ReadonlyMap<string, StoredEntry> = NO_ENTRIES) {
    this.#base = base;
  }

  /** True when something differs from the stored entries. */
  get hasChanges(): boolean {
    return this.#cleared || this.#changes.size > 0;
  }

  /** The live entry for `key` at `now`, or undefined (absent, removed, or past its TTL). */
  get(key: string, now: number): StoredEntry | undefined {
    const changed = this.#changes.get(key);
    const entry =
      changed !== undefined
        ? (changed ?? undefined)
        : this.#cleared
          ? undefined
          : this.#base.get(key);
    return isLive(entry, now) ? entry : undefined;
  }

  /** Records a new entry for `key`. */
  set(key: string, entry: StoredEntry): void {
    if (!this.#cleared && sameEntry(this.#base.get(key), entry)) this.#changes.delete(key);
    else this.#changes.set(key, entry);
  }

  /** Records the removal of `key`. */
  remove(key: string): void {
    if (!this.#cleared && !this.#base.has(key)) this.#changes.delete(key);
    else this.#changes.set(key, null);
  }

  /** Drops every entry. */
  clear(): void {
    this.#cleared = true;
    this.#changes.clear();
  }

  /** Live keys at `now`, in insertion order, including internal ones. */
  *keys(now: number): IterableIterator<string> {
    if (!this.#cleared) {
      for (const [key, entry] of this.#base) {
        if (!this.#changes.has(key) && isLive(entry, now)) yield key;
      }
    }
    for (const [key, entry] of this.#changes) if (entry !== null && isLive(entry, now)) yield key;
  }

  /** Every live entry at `now` (for creating a record). */
  snapshot(now: number): Map<string, StoredEntry> {
    const entries = new Map<string, StoredEntry>();
    for (const key of this.keys(now)) entries.set(key, this.get(key, now) as StoredEntry);
    return entries;
  }

  /**
   * The patch carrying only what changed, bounded by `limits`. Stored entries whose TTL has passed
   * are removed in the same write, since a write is happening anyway.
   */
  toPatch(
    now: number,
    expiresAt: number,
    meta: SessionMeta | undefined,
    limits: RecordLimits,
  ): SessionPatch {
    const set = new Map<string, StoredEntry>();
    const remove: string[] = [];
    for (const [key, entry] of this.#changes) {
      if (entry === null) remove.push(key);
      else set.set(key, entry);
    }
    if (!this.#cleared) {
      for (const [key, entry] of this.#base) {
        if (!this.#changes.has(key) && !isLive(entry, now)) remove.push(key);
      }
    }
    return meta === undefined
      ? { set, remove, clear: this.#cleared, expiresAt, limits }
      : { set, remove, clear: this.#cleared, meta, expiresAt, limits };
  }

  /** True when `key` has a change of its own, or everything was cleared, in this request. */
  isChanged(key: string): boolean {
    return this.#cleared || this.#changes.has(key);
  }

  /** Records that the store now holds `entry` for `key` (a write made outside the commit). */
  acceptStored(key: string, entry: StoredEntry): void {
    const base = new Map(this.#base);
    base.set(key, entry);
    this.#base = base;
    this.#changes.delete(key);
  }

  /** Accepts the current state as stored (after a successful write). */
  markStored(now: number): void {
    this.#base = this.snapshot(now);
    this.#changes.clear();
    this.#cleared = false;
  }
}
