import { SessionError } from '@sessions/core';

/**
 * Walks the MessagePack token stream in `bytes` without building anything and throws
 * `SessionError('INVALID_VALUE')` unless it is exactly one value made only of nil, booleans,
 * integers, floats, strings, arrays and maps, with no trailing bytes.
 *
 * Why: msgpackr's unpacker understands many extension types (structured-clone references that
 * can build cycles, `RegExp`, `Error`, typed arrays, records, bundled strings, timestamps) and has
 * no switch to turn them off. Session values never use them, so bytes holding an extension or
 * `bin` (or the reserved byte 0xc1) are refused before msgpackr sees them: decoding stays plain
 * MessagePack, as any other language's reader sees it. Linear in the input, allocation free.
 */
export function checkMsgpackBytes(bytes: Uint8Array): void {
  const end = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  // Values still to read: the top-level one, plus each container's children as it opens.
  let pending = 1;
  while (pending > 0) {
    if (position >= end) throw malformed('it ends in the middle of a value');
    const token = bytes[position] as number;
    position++;
    pending--;
    if (token <= 0x7f || token >= 0xe0) continue; // positive and negative fixint
    if (token <= 0x8f) {
      pending += (token & 0x0f) * 2; // fixmap
    } else if (token <= 0x9f) {
      pending += token & 0x0f; // fixarray
    } else if (token <= 0xbf) {
      position += token & 0x1f; // fixstr
    } else {
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          break;
        case 0xca: // float32
        case 0xce: // uint32
        case 0xd2: // int32
          position += 4;
          break;
        case 0xcb: // float64
        case 0xcf: // uint64
        case 0xd3: // int64
          position += 8;
          break;
        case 0xcc: // uint8
        case 0xd0: // int8
          position += 1;
          break;
        case 0xcd: // uint16
        case 0xd1: // int16
          position += 2;
          break;
        case 0xd9: // str8
          need(position, 1, end);
          position += 1 + (bytes[position] as number);
          break;
        case 0xda: // str16
          need(position, 2, end);
          position += 2 + view.getUint16(position);
          break;
        case 0xdb: // str32
          need(position, 4, end);
          position += 4 + view.getUint32(position);
          break;
        case 0xdc: // array16
          need(position, 2, end);
          pending += view.getUint16(position);
          position += 2;
          break;
        case 0xdd: // array32
          need(position, 4, end);
          pending += view.getUint32(position);
          position += 4;
          break;
        case 0xde: // map16
          need(position, 2, end);
          pending += view.getUint16(position) * 2;
          position += 2;
          break;
        case 0xdf: // map32
          need(position, 4, end);
          pending += view.getUint32(position) * 2;
          position += 4;
          break;
        default:
          // 0xc1 (never used), bin 8/16/32 (0xc4-0xc6), ext 8/16/32 (0xc7-0xc9), fixext (0xd4-0xd8).
          throw malformed(
            `it holds MessagePack type 0x${token.toString(16)} (binary data or an extension), which session values never use`,
          );
      }
    }
    // Every remaining value takes at least one byte: a count past that is a lie.
    if (position > end || pending > end - position) {
      throw malformed('it ends in the middle of a value');
    }
  }
  if (position !== end) throw malformed('it has bytes after the value');
}

function need(position: number, bytes: number, end: number): void {
  if (position + bytes > end) throw malformed('it ends in the middle of a value');
}

function malformed(problem: string): SessionError {
  return new SessionError(
    'INVALID_VALUE',
    `cannot decode a session value: ${problem}; was it written by another codec?`,
  );
}
