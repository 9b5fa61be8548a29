/**
 * The number of bytes `text` takes as UTF-8, computed without allocating (equal to
 * `new TextEncoder().encode(text).length`). A surrogate pair counts 4 bytes; a lone surrogate counts
 * 3, the size of the U+FFFD replacement character `TextEncoder` writes in its place.
 */
export function utf8ByteLength(text: string): number {
  const length = text.length;
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else {
      // BMP characters from U+0800, and lone surrogates (replaced by the 3-byte U+FFFD).
      bytes += 3;
    }
  }
  return bytes;
}
