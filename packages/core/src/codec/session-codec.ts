/**
 * Turns session values into strings for storage and back. Each value is encoded on its own, so a
 * patch carries only the keys that changed.
 *
 * Encoded strings must be well-formed Unicode without U+0000 (the JSON codec escapes NUL as the six
 * characters `\u0000`), so every store can hold them as text: Redis strings, `jsonb`, `text`.
 *
 * A codec must reject, at `encode` time, every value it cannot round-trip (throw a `SessionError`
 * with code `INVALID_VALUE`), so a bad value fails at `session.set()` rather than at the end of
 * the request; `decode(encode(v))` must equal `v` for every accepted value; and `decode` must never
 * produce objects whose prototype was changed by the data (`__proto__`, `constructor` keys).
 */
export interface SessionCodec {
  /** A short name, e.g. `"json"`. */
  readonly name: string;
  /** `'text'` (or absent): `encode` returns strings. See {@link BinarySessionCodec} for bytes. */
  readonly format?: 'text' | undefined;
  /**
   * True when every encoded string is a JSON text, so a store may embed it as JSON (for example
   * in a Postgres `jsonb` column) instead of as an opaque string.
   */
  readonly producesJson: boolean;
  /** Encodes one value; throws `SessionError('INVALID_VALUE')` for values outside the domain. */
  encode(value: unknown): string;
  /** Decodes one value produced by `encode`; throws on malformed input. */
  decode(encoded: string): unknown;
}

/**
 * A codec whose encodings are bytes (for example MessagePack, `@sessions/codec-msgpack`). Same
 * contract as {@link SessionCodec} otherwise: reject at `encode` what cannot round-trip, and never
 * let data change a decoded object's prototype. Binary values are stored as bytes, so a manager
 * accepts a binary codec only with a store that declares `capabilities.binaryValues` (else it
 * throws `MISCONFIGURED` at construction).
 */
export interface BinarySessionCodec {
  /** A short name, e.g. `"msgpack"`. */
  readonly name: string;
  /** Always `'binary'`: `encode` returns bytes. */
  readonly format: 'binary';
  /** Always false: bytes are never embedded as JSON. */
  readonly producesJson: false;
  /** Encodes one value; throws `SessionError('INVALID_VALUE')` for values outside the domain. */
  encode(value: unknown): Uint8Array;
  /** Decodes one value produced by `encode`; throws `SessionError('INVALID_VALUE')` on malformed input. */
  decode(encoded: Uint8Array): unknown;
}

/** Any codec the manager accepts: text ({@link SessionCodec}) or binary ({@link BinarySessionCodec}). */
export type AnySessionCodec = SessionCodec | BinarySessionCodec;
