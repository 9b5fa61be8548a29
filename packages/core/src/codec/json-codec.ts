/**
 * The default codec: JSON with tagged `Date`s.
 *
 * ## Value domain
 *
 * `null`, booleans, finite numbers, strings, valid `Date`s, dense arrays and plain objects
 * (prototype `Object.prototype` or `null`) of these, nested at most `maxDepth` levels. Object
 * properties whose value is `undefined` are omitted, as in `JSON.stringify`; `-0` is stored as `0`.
 * Everything else (top-level `undefined`, `undefined` or missing array elements, `NaN`, `±Infinity`,
 * BigInt, functions, symbols, invalid dates, class instances, `Map`, `Set`, typed arrays, boxed
 * primitives, objects with a `toJSON()` method, circular references, strings with lone UTF-16
 * surrogates) fails at `encode` with
 * `SessionError('INVALID_VALUE')` naming the path. An object referenced twice (without a cycle) is
 * stored twice and decodes as two separate objects. Decoded objects always have `Object.prototype`
 * as their prototype, and keys such as `__proto__` or `constructor` are plain own data properties.
 *
 * ## Wire format (for readers and writers in other languages)
 *
 * Each value is one JSON text (RFC 8259; UTF-8 when stored as bytes):
 *
 * - `null`, booleans, numbers, strings and arrays are plain JSON. Numbers are finite doubles printed
 *   as by ECMAScript `JSON.stringify` (`-0` is written as `0`). Strings (and keys) are well-formed
 *   Unicode: a lone UTF-16 surrogate is rejected at `encode`, since UTF-8 stores and `jsonb` cannot
 *   hold it.
 * - A `Date` is an object with exactly one key, `$date`, whose value is the UTC timestamp as printed
 *   by `Date.prototype.toISOString()`: `YYYY-MM-DDTHH:mm:ss.sssZ`, always with three fraction
 *   digits and `Z` (years outside 0000-9999 use the expanded form `+YYYYYY`/`-YYYYYY`). Example:
 *   `{"$date":"2024-05-01T12:00:00.000Z"}`. Decoding accepts only this exact form.
 * - Object keys that start with `$` are escaped by prepending one more `$`: the user key `$date` is
 *   written `$$date`, `$` is written `$$`, `$$x` is written `$$$x`. Other keys are written as is.
 *   Decoding removes one leading `$` from every key that starts with `$$`.
 * - So in stored data a key that starts with exactly one `$` is a type tag. The only tag is
 *   `$date`; an object with any other single-`$` key, or a `$date` key next to other keys or with
 *   a malformed timestamp, fails to decode with `INVALID_VALUE` (tags are reserved for future
 *   types).
 *
 * @module
 */
import { isSessionError, SessionError } from '../errors/session-error.js';
import type { SessionCodec } from './session-codec.js';

/** Options for {@link createJsonCodec}. */
export interface JsonCodecOptions {
  /**
   * How many levels of arrays and objects a value may nest: a top-level array or object is level 1
   * and a `Date` counts as a leaf. Deeper values fail at `encode` with `INVALID_VALUE`. An integer
   * from 1 to 1000. Decoding does not check depth.
   * @defaultValue 32
   */
  maxDepth?: number | undefined;
}

const DEFAULT_MAX_DEPTH = 32;
const MAX_MAX_DEPTH = 1000;
/** `$`, the first character of every tag and escaped key. */
const DOLLAR = 36;
const ISO_DATE = /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_KEY_IN_MESSAGE = 40;

type PathSegment = string | number;

const LONE_SURROGATE_FIX = 'fix the text (String.prototype.toWellFormed()) before storing it';
/** Lone surrogates cannot be stored as UTF-8 (Redis) or `jsonb` (Postgres), so every store rejects them alike. */
const LONE_SURROGATE = `is a string with a lone UTF-16 surrogate; ${LONE_SURROGATE_FIX}`;

/** Mutable state of one validation walk. */
interface Walk {
  readonly maxDepth: number;
  /** Keys and indexes from the root to the value being checked. */
  readonly path: PathSegment[];
  /** The arrays and objects enclosing the value; `ancestors[i]` sits at `path.slice(0, i)`. */
  readonly ancestors: object[];
  /** Set when the value holds a `Date` or a key starting with `$`, so it needs a wire copy. */
  transform: boolean;
  /** Set when an object property was skipped for holding `undefined`. */
  omitted: boolean;
}

/**
 * Creates the JSON codec (see the module doc for the value domain and wire format). Throws
 * `MISCONFIGURED` when `maxDepth` is not an integer from 1 to 1000.
 */
export function createJsonCodec(options?: JsonCodecOptions): SessionCodec {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_MAX_DEPTH) {
    throw new SessionError(
      'MISCONFIGURED',
      `createJsonCodec: maxDepth must be an integer from 1 to ${MAX_MAX_DEPTH} (got ${String(maxDepth)}).`,
    );
  }
  return {
    name: 'json',
    producesJson: true,
    encode: (value) => encode(value, maxDepth),
    decode,
  };
}

/** The JSON codec with default options (`maxDepth` 32). */
export const jsonCodec: SessionCodec = createJsonCodec();

function encode(value: unknown, maxDepth: number): string {
  // Fast paths for the common top-level primitives.
  switch (typeof value) {
    case 'string':
      if (value.isWellFormed()) return JSON.stringify(value);
      break;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isFinite(value)) return JSON.stringify(value);
      break;
    case 'object':
      if (value === null) return 'null';
      break;
  }
  const walk: Walk = { maxDepth, path: [], ancestors: [], transform: false, omitted: false };
  try {
    check(value, 0, walk);
    return JSON.stringify(walk.transform ? toWire(value) : value);
  } catch (error) {
    if (isSessionError(error)) throw error;
    // A getter or proxy trap threw, or the value changed between the check and the serialization.
    throw new SessionError(
      'INVALID_VALUE',
      `${where(walk.path)} could not be serialized (${errorMessage(error)}); store plain data.`,
      { cause: error },
    );
  }
}

/** Throws `INVALID_VALUE` unless `value` is in the domain; `depth` counts enclosing containers. */
function check(value: unknown, depth: number, walk: Walk): void {
  const type = typeof value;
  if (type === 'boolean') return;
  if (type === 'string') {
    if (!(value as string).isWellFormed()) reject(walk, LONE_SURROGATE);
    return;
  }
  if (type !== 'object') {
    const problem = primitiveProblem(value, walk.path.length === 0);
    if (problem !== undefined) reject(walk, problem);
    return;
  }
  if (value === null) return;
  const object = value as object;
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) {
    checkObject(object as Record<string, unknown>, depth, walk);
  } else if (proto === Array.prototype && Array.isArray(object)) {
    checkArray(object as unknown[], depth, walk);
  } else if (proto === Date.prototype && isDate(object)) {
    if (Number.isNaN((object as Date).getTime())) {
      reject(walk, 'is an invalid Date; store a valid Date or null');
    }
    walk.transform = true;
  } else {
    reject(walk, describeUnsupported(object, proto));
  }
}

/** What is wrong with a non-object value, or `undefined` for a finite number. */
function primitiveProblem(value: unknown, atRoot: boolean): string | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : `is ${String(value)}; only finite numbers can be stored, use null or a string`;
    case 'undefined':
      return atRoot
        ? 'is undefined; to delete a key call session.remove(key) instead of storing undefined'
        : 'is undefined; arrays cannot hold undefined, use null';
    case 'bigint':
      return 'is a BigInt; store it as a string (value.toString())';
    case 'symbol':
      return 'is a symbol; symbols cannot be stored, use a string';
    default:
      return 'is a function; functions cannot be stored, store plain data';
  }
}

function checkObject(object: Record<string, unknown>, depth: number, walk: Walk): void {
  enter(object, depth, walk);
  if (typeof object.toJSON === 'function') {
    reject(
      walk,
      'has a toJSON() method, so it would not decode to the same value; store the plain data instead',
    );
  }
  const { path } = walk;
  for (const key of Object.keys(object)) {
    const child = object[key];
    if (child === undefined) {
      walk.omitted = true;
      continue;
    }
    if (key.charCodeAt(0) === DOLLAR) walk.transform = true;
    path.push(key);
    if (!key.isWellFormed())
      reject(walk, `has a key with a lone UTF-16 surrogate; ${LONE_SURROGATE_FIX}`);
    check(child, depth + 1, walk);
    path.pop();
  }
  walk.ancestors.pop();
}

function checkArray(array: unknown[], depth: number, walk: Walk): void {
  enter(array, depth, walk);
  if (typeof (array as { toJSON?: unknown }).toJSON === 'function') {
    reject(
      walk,
      'has a toJSON() method, so it would not decode to the same value; store a plain array',
    );
  }
  const { path } = walk;
  const length = array.length;
  for (let i = 0; i < length; i++) {
    const child = array[i];
    path.push(i);
    if (child === undefined && !(i in array)) {
      reject(walk, 'is a hole in a sparse array; fill it (for example with null)');
    }
    check(child, depth + 1, walk);
    path.pop();
  }
  walk.ancestors.pop();
}

/** Checks cycles and depth for a container about to be walked, then records it as an ancestor. */
function enter(container: object, depth: number, walk: Walk): void {
  const { ancestors } = walk;
  const index = ancestors.indexOf(container);
  if (index !== -1) {
    const target = index === 0 ? 'the value itself' : where(walk.path.slice(0, index));
    reject(
      walk,
      `is a circular reference (to ${target}); remove the cycle, for example store an ID instead`,
    );
  }
  if (depth + 1 > walk.maxDepth) {
    reject(
      walk,
      `is nested more than ${walk.maxDepth} levels deep; flatten it or raise the codec's maxDepth`,
    );
  }
  ancestors.push(container);
}

/**
 * Checks `value` against the JSON codec's value domain (throwing `SessionError('INVALID_VALUE')`
 * naming the path, exactly as `jsonCodec.encode` does) and returns its tagged form, the data
 * model the JSON wire format describes: `Date`s as `{ $date: iso }`, keys starting with `$`
 * escaped with one more `$`, properties holding `undefined` left out. Made for codecs that share
 * the JSON codec's domain over another wire format (`@sessions/codec-msgpack`). The result is
 * `value` itself when nothing needed changing (serialize it at once, before the app can mutate
 * it), else a copy made of null-prototype objects and arrays. `-0` is left for the serializer.
 */
export function toTaggedValue(value: unknown, options?: JsonCodecOptions): unknown {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  const walk: Walk = { maxDepth, path: [], ancestors: [], transform: false, omitted: false };
  try {
    check(value, 0, walk);
    return walk.transform || walk.omitted ? toWire(value) : value;
  } catch (error) {
    if (isSessionError(error)) throw error;
    throw new SessionError(
      'INVALID_VALUE',
      `${where(walk.path)} could not be serialized (${errorMessage(error)}); store plain data.`,
      { cause: error },
    );
  }
}

/**
 * The decoding half of {@link toTaggedValue}, for one decoded object whose children are already
 * revived (call it bottom-up): a lone `$date` tag becomes a `Date`, `$$` keys lose one `$`, and
 * any other key starting with a single `$` throws `SessionError('INVALID_VALUE')`, exactly as
 * `jsonCodec.decode` does. Returns `object` itself when it has no `$` key; a rebuilt object keeps
 * `__proto__` and `constructor` keys as own data properties.
 */
export function reviveTaggedObject(object: Readonly<Record<string, unknown>>): unknown {
  return revive('', object);
}

/** True for a genuine `Date` (the `getTime` brand check), false for other objects. */
function isDate(object: object): boolean {
  try {
    Date.prototype.getTime.call(object);
    return true;
  } catch {
    return false;
  }
}

const HINTS: Readonly<Record<string, string>> = {
  Map: 'convert it with Object.fromEntries(map) or [...map]',
  Set: 'convert it to an array with [...set]',
  WeakMap: 'it cannot be stored; store plain data',
  WeakSet: 'it cannot be stored; store plain data',
  RegExp: 'store its source and flags as strings',
  Error: 'store the fields you need (for example its message) as strings',
  Promise: 'await it and store the result',
  Number: 'store the primitive value (value.valueOf())',
  String: 'store the primitive value (value.valueOf())',
  Boolean: 'store the primitive value (value.valueOf())',
  Date: 'store a plain Date (new Date(value.getTime()))',
  Array: 'store a plain array (Array.from(value))',
  ArrayBuffer: 'encode the bytes as a base64 or hex string',
  DataView: 'encode the bytes as a base64 or hex string',
};

/** Describes a non-plain object and what to store instead, e.g. `is a Map; convert it...`. */
function describeUnsupported(object: object, proto: unknown): string {
  const tag = Object.prototype.toString.call(object).slice(8, -1);
  const ctor =
    typeof proto === 'object' && proto !== null
      ? (proto as { constructor?: unknown }).constructor
      : undefined;
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : tag;
  if (tag === 'Object') {
    const what = name === 'Object' ? 'an object with a custom prototype' : `an instance of ${name}`;
    return `is ${what}; store a plain object (for example { ...value }) and rebuild it when reading`;
  }
  const hint = hintFor(tag);
  // A subclass of a built-in, e.g. `class MyDate extends Date`.
  if (name !== tag && hint !== undefined) return `is an instance of ${name}; ${hint}`;
  const fallback = tag.endsWith('Array')
    ? 'encode the bytes as a base64 or hex string, or store a plain array'
    : 'store a plain object, array or string instead';
  return `is ${/^[AEIOaeio]/.test(tag) ? 'an' : 'a'} ${tag}; ${hint ?? fallback}`;
}

function hintFor(tag: string): string | undefined {
  return Object.hasOwn(HINTS, tag) ? HINTS[tag] : undefined;
}

function reject(walk: Walk, problem: string): never {
  throw new SessionError('INVALID_VALUE', `${where(walk.path)} ${problem}.`);
}

/** `value` for the root, `value at user.tags[2]` below it. */
function where(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'value';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else {
      const shown =
        segment.length > MAX_KEY_IN_MESSAGE
          ? `${segment.slice(0, MAX_KEY_IN_MESSAGE)}...`
          : segment;
      text += `[${JSON.stringify(shown)}]`;
    }
  }
  return `value at ${text}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Builds the wire form of a checked value: Dates become `{"$date": ...}` and keys starting with `$`
 * get one more `$`. Copies are null-prototype objects, so assigning a `__proto__` key creates an
 * own property rather than calling the `Object.prototype.__proto__` setter.
 */
function toWire(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Date) return { $date: value.toISOString() };
  const source = value as Record<string, unknown>;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const child = source[key];
    if (child === undefined) continue;
    copy[key.charCodeAt(0) === DOLLAR ? `$${key}` : key] = toWire(child);
  }
  return copy;
}

function decode(encoded: string): unknown {
  if (typeof encoded !== 'string') {
    throw new SessionError('INVALID_VALUE', 'cannot decode a session value: it is not a string.');
  }
  try {
    // A `$` key is written `"$` (or `"\u0024` by a foreign writer); without one, nothing to revive.
    const value: unknown =
      !encoded.includes('"$') && !encoded.includes('\\u0024')
        ? JSON.parse(encoded)
        : JSON.parse(encoded, revive);
    // Text this codec did not write may still hold what it never writes: a number literal too
    // large for a double (`1e999` parses as Infinity) or an escaped lone surrogate. Either would
    // read fine and then fail to save, so it fails here, like any undecodable value.
    assertDecodedDomain(value, encoded.includes('\\u'));
    return value;
  } catch (error) {
    if (isSessionError(error)) throw error;
    throw new SessionError(
      'INVALID_VALUE',
      `cannot decode a session value: the stored text is not valid JSON or is nested too deeply (${errorMessage(error)}); was it written by another codec?`,
      { cause: error },
    );
  }
}

/**
 * Throws `INVALID_VALUE` for a non-finite number anywhere in a decoded value and, when the text had
 * `\u` escapes (the only way to spell a lone surrogate in well-formed text), for a string or key
 * that is not well-formed.
 */
function assertDecodedDomain(root: unknown, checkStrings: boolean): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new SessionError(
          'INVALID_VALUE',
          'cannot decode a session value: it holds a number too large for a double; was it written by another codec?',
        );
      }
    } else if (typeof value === 'string') {
      if (checkStrings && !value.isWellFormed()) throw lonelySurrogate();
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      for (const [key, item] of Object.entries(value)) {
        if (checkStrings && !key.isWellFormed()) throw lonelySurrogate();
        pending.push(item);
      }
    }
  }
}

function lonelySurrogate(): SessionError {
  return new SessionError(
    'INVALID_VALUE',
    'cannot decode a session value: it holds a lone surrogate (not well-formed Unicode); was it written by another codec?',
  );
}

/**
 * `JSON.parse` reviver: turns `{"$date": ...}` into a `Date` and unescapes `$$` keys. Runs bottom-up,
 * so children are already revived. Rebuilt objects get their keys with `Object.defineProperty`, so a
 * `__proto__` key stays an own data property.
 */
function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let tagged = false;
  for (const key of keys) {
    if (key.charCodeAt(0) === DOLLAR) {
      tagged = true;
      break;
    }
  }
  if (!tagged) return value;
  const source = value as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === '$date') return reviveDate(source.$date);
  const copy = {};
  for (const key of keys) {
    let name = key;
    if (key.charCodeAt(0) === DOLLAR) {
      if (key.charCodeAt(1) !== DOLLAR) {
        throw new SessionError(
          'INVALID_VALUE',
          `cannot decode a session value: the object key ${JSON.stringify(key.slice(0, MAX_KEY_IN_MESSAGE))} starts with a single "$", which marks a type tag, and the only tag is a lone "$date".`,
        );
      }
      name = key.slice(1);
    }
    Object.defineProperty(copy, name, {
      value: source[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return copy;
}

function reviveDate(text: unknown): Date {
  if (typeof text === 'string' && ISO_DATE.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new SessionError(
    'INVALID_VALUE',
    'cannot decode a session value: a "$date" tag must hold a timestamp such as "2024-05-01T12:00:00.000Z".',
  );
}
