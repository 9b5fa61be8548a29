import { SessionError } from '../errors/session-error.js';
import type { StoredValue } from '../store/session-record.js';
import type { AnySessionCodec } from './session-codec.js';
import { utf8ByteLength } from './utf8-byte-length.js';

/**
 * True for a binary stored value (bytes from a binary codec), false for a string. Stores use it to
 * keep each value in the form it was written.
 */
export function isBinaryValue(value: StoredValue): value is Uint8Array {
  return typeof value !== 'string';
}

/**
 * A stored value's size in the contract's measure (`RecordLimits`): UTF-8 bytes of a string, the
 * length of bytes.
 */
export function storedValueByteLength(value: StoredValue): number {
  return typeof value === 'string' ? utf8ByteLength(value) : value.byteLength;
}

/**
 * Whether two stored values (or absences) are the same encoding: equal strings, or bytes equal
 * byte for byte. A string never equals bytes, even when the bytes are its UTF-8 form.
 */
export function storedValuesEqual(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined) {
    return a === b;
  }
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decodes a stored value with `codec`, throwing `INVALID_VALUE` when its form does not match the
 * codec's (bytes read by a text codec or a string read by a binary one: another codec wrote it).
 */
export function decodeStoredValue(codec: AnySessionCodec, value: StoredValue): unknown {
  if (codec.format === 'binary') {
    if (typeof value !== 'string') return codec.decode(value);
  } else if (typeof value === 'string') {
    return codec.decode(value);
  }
  throw new SessionError(
    'INVALID_VALUE',
    `cannot decode a session value: the store holds ${typeof value === 'string' ? 'text' : 'bytes'} but the "${codec.name}" codec reads ${codec.format === 'binary' ? 'bytes' : 'text'}; was it written by another codec?`,
  );
}
