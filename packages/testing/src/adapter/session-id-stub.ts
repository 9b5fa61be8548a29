/** Bytes in a session ID as the engine mints it (`crypto.getRandomValues` on 32 bytes). */
const SESSION_ID_BYTES = 32;

/**
 * Control over the engine's session ID generator, in this process: `crypto.getRandomValues` on a
 * 32-byte `Uint8Array` (the engine's ID draw) is recorded, and can be made to repeat earlier
 * bytes to force a collision. Every other call goes to the real generator untouched.
 */
export interface SessionIdStub {
  /** The IDs drawn while installed, in order, as base64url (the ID's text form). */
  readonly minted: readonly string[];
  /** The next `times` ID draws yield the ID `id` again (`Infinity`: every draw from now on). */
  repeat(id: string, times: number): void;
  /** How many forced repeats are still queued. */
  readonly pending: number;
  /** Puts the real generator back. Idempotent. */
  restore(): void;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * Installs a {@link SessionIdStub} on `globalThis.crypto`. Always call `restore()` in a `finally`:
 * the stub is process-wide while installed.
 */
export function stubSessionIds(): SessionIdStub {
  const target = globalThis.crypto;
  const hadOwn = Object.hasOwn(target, 'getRandomValues');
  const original = target.getRandomValues;
  const minted: string[] = [];
  let forced: Uint8Array | undefined;
  let remaining = 0;
  let installed = true;
  const getRandomValues = <T extends ArrayBufferView>(array: T): T => {
    if (!(array instanceof Uint8Array) || array.length !== SESSION_ID_BYTES) {
      return original.call(target, array) as T;
    }
    if (forced !== undefined && remaining > 0) {
      array.set(forced);
      remaining--;
    } else {
      original.call(target, array);
    }
    minted.push(toBase64Url(array));
    return array;
  };
  Object.defineProperty(target, 'getRandomValues', {
    value: getRandomValues,
    configurable: true,
    writable: true,
  });
  return {
    minted,
    repeat(id, times) {
      const bytes = fromBase64Url(id);
      if (bytes.length !== SESSION_ID_BYTES) throw new Error('repeat(): not a session ID');
      forced = bytes;
      remaining = times;
    },
    get pending() {
      return remaining;
    },
    restore() {
      if (!installed) return;
      installed = false;
      if (hadOwn) {
        Object.defineProperty(target, 'getRandomValues', {
          value: original,
          configurable: true,
          writable: true,
        });
      } else {
        delete (target as { getRandomValues?: unknown }).getRandomValues;
      }
    },
  };
}
