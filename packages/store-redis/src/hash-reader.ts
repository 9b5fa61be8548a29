import { type HashPair, hashPairs } from './decode-record.js';
import type { StoreCommands } from './redis-client.js';
import { BINARY_MARK } from './value-form.js';

/** How a store reads whole session hashes (`HGETALL`), as text or as bytes. */
export interface HashReader {
  /** The hash's fields and values; values as strings while only text has been seen, else Buffers. */
  read(key: string): Promise<HashPair[]>;
  /** Records that this store handles binary values: from now on every read is as bytes. */
  sawBinary(): void;
}

/** True when a text reply holds a binary value (its marker byte decoded to U+0000). */
function holdsBinary(pairs: readonly HashPair[]): boolean {
  for (const [field, value] of pairs) {
    if (typeof value === 'string' && value.charCodeAt(0) === BINARY_MARK) {
      // Internal fields (which start with U+0000 themselves) never hold entry values.
      if (field.charCodeAt(0) !== 0) return true;
    }
  }
  return false;
}

/**
 * The store's `HGETALL` reader. Both modes send the same one `HGETALL`; they differ in how ioredis
 * hands the reply over.
 *
 * - **Text** (`hgetall`), the start: exactly the read of a store that never held binary values.
 * - **Bytes** (`hgetallBuffer`), once this store has written a binary value or read one: binary
 *   values must arrive as their bytes (see `value-form.ts`).
 *
 * Why not always bytes: ioredis turns an `hgetall` reply into an object, and with Buffer replies
 * it converts every field name to a property key twice, which made decoding a load about twice as
 * slow as the text reply in our measurements (a 15-field session: ~12 µs more per load on a busy
 * 2-core machine). Apps on the JSON codec never see a binary value, so they keep today's read.
 *
 * Why a text read is safe anyway: codec text never starts with U+0000 and a binary value always
 * starts with the byte 0x00, which UTF-8 decoding turns into U+0000 and nothing else, so a text
 * reply tells exactly whether it held a binary value. If it did (a store that has not written
 * bytes yet, reading what another process wrote: typically the first load after a restart of an
 * app using MessagePack), its bytes were decoded as text and are lost to this reply, so the hash is
 * read again as bytes (one more round trip, once per store) and the store reads bytes from then
 * on. The second read is a fresh read, so the result is as current as a single read.
 */
export function createHashReader(commands: StoreCommands): HashReader {
  let bytes = false;
  return {
    async read(key) {
      if (!bytes) {
        const pairs = hashPairs(await commands.hgetall(key));
        if (!holdsBinary(pairs)) return pairs;
        bytes = true;
      }
      return hashPairs(await commands.hgetallBuffer(key));
    },
    sawBinary() {
      bytes = true;
    },
  };
}
