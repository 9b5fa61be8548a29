/**
 * The MessagePack codec: the JSON codec's value domain, written as MessagePack bytes.
 *
 * ## Value domain
 *
 * Exactly `jsonCodec`'s, checked by the same code (`toTaggedValue` from `@sessions/core`): `null`,
 * booleans, finite numbers, well-formed strings, valid `Date`s, dense arrays and plain objects of
 * these, at most `maxDepth` levels deep. Everything else fails at `encode` with
 * `SessionError('INVALID_VALUE')` naming the path; `-0` is stored as `0` and object properties
 * holding `undefined` are left out. Decoded objects have `Object.prototype` as their prototype and
 * keys such as `__proto__` or `constructor` are plain own data properties.
 *
 * ## Wire format (for readers and writers in other languages)
 *
 * Each value is one plain MessagePack object (no extension types, no `bin`), holding the same data
 * model as the JSON codec's wire format:
 *
 * - `nil`, booleans, strings (UTF-8), arrays and maps with string keys. Numbers that are integers
 *   in the 32-bit ranges are written as MessagePack integers, all others as float64 (so every
 *   decoded number is an exact double).
 * - A `Date` is a map with exactly one key, `$date`, holding the UTC timestamp as printed by
 *   `Date.prototype.toISOString()` (e.g. `"2024-05-01T12:00:00.000Z"`), not the timestamp
 *   extension: readers need no extension support.
 * - Map keys that start with `$` are escaped by prepending one more `$` (`$date` is written
 *   `$$date`); a key with exactly one leading `$` is a type tag, and the only tag is a lone
 *   `$date`. Anything else fails to decode with `INVALID_VALUE`.
 * - Decoding refuses extension types, `bin`, non-string map keys, non-finite floats, strings that
 *   are not well-formed Unicode and trailing bytes, with `INVALID_VALUE`.
 *
 * @module
 */
import {
  type BinarySessionCodec,
  isSessionError,
  reviveTaggedObject,
  SessionError,
  toTaggedValue,
} from '@sessions/core';
import { Packr, Unpackr } from 'msgpackr';
import { checkMsgpackBytes } from './check-msgpack-bytes.js';

/** Options for {@link createMsgpackCodec}. */
export interface MsgpackCodecOptions {
  /**
   * How many levels of arrays and objects a value may nest: a top-level array or object is level 1
   * and a `Date` counts as a leaf. Deeper values fail at `encode` with `INVALID_VALUE`. An integer
   * from 1 to 1000, as for the JSON codec.
   * @defaultValue 32
   */
  maxDepth?: number | undefined;
}

const DEFAULT_MAX_DEPTH = 32;
const MAX_MAX_DEPTH = 1000;
/** `$`, the first character of every tag and escaped key. */
const DOLLAR = 36;

/**
 * Plain MessagePack out: no records (msgpackr's own extension), no extra types, no structured
 * clone, and map headers as small as the map.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  variableMapSize: true,
});

/**
 * Maps decode to `Map`s (never to objects built by assignment, where a `__proto__` key would hit
 * the setter or, in msgpackr, be renamed); the codec builds the objects itself. 64-bit integers
 * decode as numbers, never BigInt. Extension types are refused earlier, by `checkMsgpackBytes`.
 */
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: false,
  structuredClone: false,
  int64AsType: 'number',
});

/**
 * Creates the MessagePack codec (see the module doc for the value domain and wire format). Throws
 * `MISCONFIGURED` when `maxDepth` is not an integer from 1 to 1000. Its values are bytes, so the
 * manager needs a store with `capabilities.binaryValues`.
 */
export function createMsgpackCodec(options?: MsgpackCodecOptions): BinarySessionCodec {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_MAX_DEPTH) {
    throw new SessionError(
      'MISCONFIGURED',
      `createMsgpackCodec: maxDepth must be an integer from 1 to ${MAX_MAX_DEPTH} (got ${String(maxDepth)}).`,
    );
  }
  const taggedOptions = { maxDepth };
  return {
    name: 'msgpack',
    format: 'binary',
    producesJson: false,
    encode: (value) => encode(toTaggedValue(value, taggedOptions)),
    decode,
  };
}

/** The MessagePack codec with default options (`maxDepth` 32). */
export const msgpackCodec: BinarySessionCodec = createMsgpackCodec();

function encode(tagged: unknown): Uint8Array {
  let packed: Uint8Array;
  try {
    packed = packr.pack(tagged);
  } catch (error) {
    // A getter or proxy trap threw, or the value changed between the check and the packing.
    throw new SessionError(
      'INVALID_VALUE',
      `value could not be serialized (${errorMessage(error)}); store plain data.`,
      { cause: error },
    );
  }
  // A copy as a plain Uint8Array: msgpackr returns a view into a shared buffer (a Node Buffer).
  return new Uint8Array(packed);
}

function decode(encoded: Uint8Array): unknown {
  if (!(encoded instanceof Uint8Array)) {
    throw new SessionError('INVALID_VALUE', 'cannot decode a session value: it is not bytes.');
  }
  checkMsgpackBytes(encoded);
  let tree: unknown;
  try {
    tree = unpackr.unpack(encoded);
  } catch (error) {
    throw new SessionError(
      'INVALID_VALUE',
      `cannot decode a session value: the stored bytes are not valid MessagePack or are nested too deeply (${errorMessage(error)}); was it written by another codec?`,
      { cause: error },
    );
  }
  try {
    return fromTree(tree);
  } catch (error) {
    if (isSessionError(error)) throw error;
    // Only a stack overflow on absurdly deep data gets here.
    throw outsideDomain(`it is nested too deeply (${errorMessage(error)})`);
  }
}

/**
 * Turns msgpackr's output (maps as `Map`) into a value of the domain: maps become plain objects
 * (own data properties, tags revived as `jsonCodec` does), and anything the codec never writes
 * is refused.
 */
function fromTree(node: unknown): unknown {
  switch (typeof node) {
    case 'boolean':
      return node;
    case 'number':
      if (!Number.isFinite(node)) throw outsideDomain('it holds a NaN or infinite number');
      return node;
    case 'string':
      if (!node.isWellFormed()) throw outsideDomain('it holds a string that is not well-formed');
      return node;
    case 'object':
      if (node === null) return null;
      if (Array.isArray(node)) {
        const array = new Array<unknown>(node.length);
        for (let i = 0; i < node.length; i++) array[i] = fromTree(node[i]);
        return array;
      }
      if (node instanceof Map) return fromMap(node);
      break;
  }
  throw outsideDomain('it holds a MessagePack type that session values never use');
}

function fromMap(map: Map<unknown, unknown>): unknown {
  const object: Record<string, unknown> = {};
  let tagged = false;
  for (const [key, child] of map) {
    if (typeof key !== 'string' || !key.isWellFormed()) {
      throw outsideDomain('it holds a map key that is not a well-formed string');
    }
    if (key.charCodeAt(0) === DOLLAR) tagged = true;
    const value = fromTree(child);
    if (key === '__proto__') {
      // Assignment would call the `Object.prototype.__proto__` setter: define an own property.
      Object.defineProperty(object, key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      object[key] = value;
    }
  }
  return tagged ? reviveTaggedObject(object) : object;
}

function outsideDomain(problem: string): SessionError {
  return new SessionError(
    'INVALID_VALUE',
    `cannot decode a session value: ${problem}; was it written by another codec?`,
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
