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
