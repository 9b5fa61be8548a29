import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.js';
import { isWellFormedSessionId } from '../crypto/session-id.js';
import type {
  SessionMeta,
  SessionRecord,
  StoredEntry,
  StoredValue,
} from '../store/session-record.js';

/**
 * What a sealed cookie carries, before encryption: the session's random ID (so `session.id`,
 * audit tags and sign-in work as with a store), its record, and the instant it was sealed.
 *
 * Wire form (JSON, short names to save cookie bytes):
 * `{"i":id,"s":sealedAt,"x":expiresAt,"m":meta,"e":[[key,value],[key,value,expiresAt],...]}`.
 * A text value is a JSON string; a binary value (from a binary codec) is a one-element array
 * holding its base64url text, `["AAEC"]`, so both forms survive the round trip.
 */
export interface SealedPayload {
  /** The session ID (43 base64url characters), never shown to the client in clear. */
  readonly id: string;
  /** The session record; `expiresAt` and `meta.absoluteExpiresAt` are enforced on every load. */
  readonly record: SessionRecord;
  /**
   * Epoch ms the revocation epoch is compared with: a cookie sealed at or before a user's epoch
   * is revoked. For a re-sealed session it is the instant its revocation check was made, not the
   * instant of sealing, so a request in flight while a revocation lands cannot outlive it.
   */
  readonly sealedAt: number;
}

/** A text value as is; bytes as `[base64url]`. */
type WireValue = string | [base64url: string];

type WireEntry =
  | [key: string, value: WireValue]
  | [key: string, value: WireValue, expiresAt: number];

function toWireValue(value: StoredValue): WireValue {
  return typeof value === 'string' ? value : [encodeBase64Url(value)];
}

/** The stored value a wire value holds; `undefined` when it is neither form. */
function fromWireValue(value: unknown): StoredValue | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length !== 1 || typeof value[0] !== 'string') return undefined;
  return decodeBase64Url(value[0]);
}

interface WirePayload {
  i: string;
  s: number;
  x: number;
  m: SessionMeta;
  e: WireEntry[];
}

/** Serializes a payload, dropping entries whose per-key TTL has passed at `now`. */
export function encodeSealedPayload(payload: SealedPayload, now: number): string {
  const entries: WireEntry[] = [];
  for (const [key, entry] of payload.record.entries) {
    if (entry.expiresAt === undefined) entries.push([key, toWireValue(entry.value)]);
    else if (entry.expiresAt > now) {
      entries.push([key, toWireValue(entry.value), entry.expiresAt]);
    }
  }
  const wire: WirePayload = {
    i: payload.id,
    s: payload.sealedAt,
    x: payload.record.expiresAt,
    m: payload.record.meta,
    e: entries,
  };
  return JSON.stringify(wire);
}

const isInstant = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

const optional = (value: unknown, check: (value: unknown) => boolean): boolean =>
  value === undefined || check(value);

function isStringRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === 'string');
}

function isMeta(value: unknown): value is SessionMeta {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const meta = value as Record<string, unknown>;
  return (
    isInstant(meta.createdAt) &&
    optional(meta.absoluteExpiresAt, isInstant) &&
    optional(meta.idleTimeoutMs, (v) => isInstant(v) && v > 0) &&
    optional(meta.persistent, (v) => typeof v === 'boolean') &&
    optional(meta.userId, (v) => typeof v === 'string' && v.length > 0) &&
    optional(meta.userInfo, isStringRecord) &&
    optional(meta.lastActiveAt, isInstant) &&
    optional(meta.clientBinding, (v) => typeof v === 'string')
  );
}

function toEntries(value: unknown): Map<string, StoredEntry> | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = new Map<string, StoredEntry>();
  for (const item of value as unknown[]) {
    if (!Array.isArray(item) || (item.length !== 2 && item.length !== 3)) return undefined;
    const [key, wireValue, expiresAt] = item as unknown[];
    const entryValue = fromWireValue(wireValue);
    if (typeof key !== 'string' || key.length === 0 || entryValue === undefined) {
      return undefined;
    }
    if (item.length === 3 && !isInstant(expiresAt)) return undefined;
    entries.set(
      key,
      expiresAt === undefined
        ? { value: entryValue }
        : { value: entryValue, expiresAt: expiresAt as number },
    );
  }
  return entries;
}

/**
 * Parses an authenticated plaintext back into a payload. Returns `undefined` for anything that is
 * not exactly the shape {@link encodeSealedPayload} writes (never throws): the plaintext was
 * authenticated, so this only guards against a bug or a format change between versions.
 */
export function decodeSealedPayload(text: string): SealedPayload | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const wire = parsed as Partial<Record<keyof WirePayload, unknown>>;
  if (typeof wire.i !== 'string' || !isWellFormedSessionId(wire.i)) return undefined;
  if (!isInstant(wire.s) || !isInstant(wire.x) || !isMeta(wire.m)) return undefined;
  const entries = toEntries(wire.e);
  if (entries === undefined) return undefined;
  return { id: wire.i, sealedAt: wire.s, record: { entries, meta: wire.m, expiresAt: wire.x } };
}
