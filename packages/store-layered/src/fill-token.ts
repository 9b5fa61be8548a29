/** Makes the tokens that name fills (see `hot-copy.ts`). */
export interface FillTokens {
  /** A token no other fill, in this process or any other sharing the hot store, ever uses. */
  next(): string;
}

/**
 * Tokens are a random 64-bit prefix per store instance followed by a counter. Why not a random
 * token per fill: uniqueness is all the protocol needs, and a counter costs no entropy on the hot
 * path. The prefix has a fixed length, so no prefix-and-counter pair can equal another's. The
 * alphabet (hex, base 36) never contains `:`, the fill key's separator.
 */
export function createFillTokens(): FillTokens {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let prefix = '';
  for (const byte of bytes) prefix += byte.toString(16).padStart(2, '0');
  let counter = 0;
  return {
    next: () => `${prefix}${(counter++).toString(36)}`,
  };
}
