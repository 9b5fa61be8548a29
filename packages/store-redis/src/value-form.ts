import { Buffer } from 'node:buffer';
import { SessionError, type StoredValue } from '@sessions/core';

/*
 * How an entry value is held in its hash field (Redis strings are binary-safe).
 *
 * - Text (a text codec's string, e.g. JSON) is its UTF-8 bytes, exactly as before binary values
 *   existed: same field, same bytes, same cost.
 * - Bytes (a binary codec's `Uint8Array`, e.g. MessagePack) are one marker byte 0x00 followed by
 *   the bytes themselves.
 *
 * Why a leading 0x00: codec text is well-formed Unicode without U+0000 (the `SessionCodec`
 * contract), so the UTF-8 form of a text value never starts with 0x00; a field whose first byte is
 * 0x00 is therefore always bytes and any other field always text (the empty field is the empty
 * string). The marker makes each value self-describing, which the alternatives are not:
 *
 * - A store-level tag alone (every value text, or every value bytes) cannot hold the two side by
 *   side, and the contract returns each value in the form it was written.
 * - A flag field per entry (`\0b<key>`) costs every text write an extra field to delete (a text
 *   value may replace bytes), `patchIf` two reads, and readers in other languages a join.
 *
 * A binary value survives only a read as bytes; text reads the same either way. `hash-reader.ts`
 * keeps the text read (today's cost) until a store meets a binary value, which a text reply shows
 * exactly: the marker decodes to U+0000, which no text value starts with. Lua counts a stored
 * value's logical length as its length, less one when it starts with 0x00 (see `record-size.ts`);
 * `patchIf` compares stored forms byte for byte, so text never equals bytes.
 */

/** The first byte of every stored binary value (never the first byte of UTF-8 codec text). */
export const BINARY_MARK = 0x00;

/** A value as the scripts take it: text as a string, bytes as a Buffer behind the marker. */
export type ValueArg = string | Buffer;

/**
 * The stored form of an entry value, copied out of the caller's value now (later changes to its
 * bytes are not seen). Throws `SessionError('INVALID_VALUE')` for anything but a string or a
 * `Uint8Array`, and for text starting with U+0000 (the contract rules U+0000 out of codec text,
 * and here it would read back as bytes).
 */
export function valueArg(value: unknown, what: string): ValueArg {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) === 0) {
      throw new SessionError(
        'INVALID_VALUE',
        `redis store: ${what} is text starting with U+0000, which codec text never contains`,
      );
    }
    return value;
  }
  if (value instanceof Uint8Array) {
    const stored = Buffer.allocUnsafe(value.byteLength + 1);
    stored[0] = BINARY_MARK;
    stored.set(value, 1);
    return stored;
  }
  throw new SessionError('INVALID_VALUE', `redis store: ${what} must be a string or a Uint8Array`);
}

/**
 * The entry value a stored field holds: a fresh plain `Uint8Array` (never a Buffer, never sharing
 * memory with the reply) for bytes, the UTF-8 text otherwise. `raw` is the field as read: a
 * Buffer, or a string when the hash was read as text (`hash-reader.ts` reads as bytes any hash
 * holding a binary value, whose bytes a text read would have decoded away).
 */
export function valueFromField(raw: string | Buffer): StoredValue {
  if (typeof raw === 'string') {
    if (raw.charCodeAt(0) === BINARY_MARK) {
      throw new Error('redis store: a binary value was read as text');
    }
    return raw;
  }
  if (raw.byteLength === 0 || raw[0] !== BINARY_MARK) return raw.toString('utf8');
  const bytes = new Uint8Array(raw.byteLength - 1);
  bytes.set(raw.subarray(1));
  return bytes;
}

/** A stored field's size in the contract's measure: its length, less the marker of bytes. */
export function fieldValueLength(raw: string | Buffer): number {
  if (typeof raw === 'string') return Buffer.byteLength(raw, 'utf8');
  return raw.byteLength > 0 && raw[0] === BINARY_MARK ? raw.byteLength - 1 : raw.byteLength;
}
