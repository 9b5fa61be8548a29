import { OutgoingMessage, type ServerResponse } from 'node:http';
import type { ResponseHeader } from '@sessions/core';

/** What {@link holdResponse} asks when the response starts and reports when it cannot go on. */
export interface HoldHooks {
  /**
   * Called once, when the app first calls `writeHead`, `write`, `end` or `flushHeaders`, with the
   * status the response is being written with. Returns the headers to add, once known (the
   * response is held until then), or `undefined` to let the response through untouched.
   */
  start(status: number): Promise<readonly ResponseHeader[]> | undefined;
  /**
   * The headers could not be had (the promise rejected), or replaying the held calls threw. The
   * held calls are dropped; when nothing was sent yet, the error can still get its own response.
   */
  fail(error: unknown): void;
}

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type Call = { readonly method: Method; readonly args: unknown[] };
// biome-ignore lint/suspicious/noExplicitAny: Node's overloaded methods, called with the app's own arguments.
type AnyMethod = (this: ServerResponse, ...args: any[]) => unknown;

const OPEN = 0;
const HOLDING = 1;
const PASSING = 2;

/** `OutgoingMessage#headersSent`, read through while a response is not held. */
const headersSentOf = Object.getOwnPropertyDescriptor(OutgoingMessage.prototype, 'headersSent')
  ?.get as (this: ServerResponse) => boolean;

/**
 * Makes `res` wait for asynchronous headers before any byte of it is written. Express has no hook
 * between the handler and the response, and `writeHead` is synchronous while a session commit is
 * a store write, so the four calls that can start a response (`writeHead`, `write`, `end`,
 * `flushHeaders`) are wrapped: the first one asks {@link HoldHooks.start}; if it returns headers
 * to wait for, that call and every later one are queued (in order, arguments and callbacks kept),
 * and once the headers arrive they are appended and the queue is replayed through the methods that
 * were there before. Everything that writes a response goes through these calls: `res.send`,
 * `res.json`, `res.redirect`, `res.sendFile` and streams piped into `res` (`write` answers `false`
 * while held, and `'drain'` follows the replay, so a pipe pauses instead of buffering a file).
 *
 * While held, `res.headersSent` reads `true`, as it would have without the wait, so error
 * handlers (Express's `finalhandler` among them) do not write a second response over a held one.
 * This is the work express-session splits between `on-headers` (a synchronous cookie) and a
 * wrapped `res.end` (a save after the headers are gone, so its failures cannot change the
 * response); here the store write finishes first, and its failure still can.
 */
export function holdResponse(res: ServerResponse, hooks: HoldHooks): void {
  const original = {
    writeHead: res.writeHead as AnyMethod,
    write: res.write as AnyMethod,
    end: res.end as AnyMethod,
    flushHeaders: res.flushHeaders as AnyMethod,
  };
  let state = OPEN;
  let held: Call[] = [];
  // A held write answered `false`: whoever waits for 'drain' gets it after the replay.
  let owesDrain = false;

  const replay = (headers: readonly ResponseHeader[]) => {
    state = PASSING;
    const calls = held;
    held = [];
    try {
      for (const [name, value] of headers) res.appendHeader(name, value);
      for (const { method, args } of calls) {
        const callArgs = method === 'writeHead' ? mergeHeadArgs(res, args, headers) : args;
        original[method].apply(res, callArgs);
      }
    } catch (error) {
      hooks.fail(error);
      return;
    }
    if (owesDrain && !res.writableNeedDrain && !res.destroyed) res.emit('drain');
  };

  const drop = (error: unknown) => {
    state = PASSING;
    held = [];
    hooks.fail(error);
  };

  /** True when the call was queued; false when it must go through now. */
  const hold = (method: Method, args: unknown[], status: number): boolean => {
    if (state === PASSING) return false;
    if (state === OPEN) {
      const pending = hooks.start(status);
      if (pending === undefined) {
        state = PASSING;
        return false;
      }
      state = HOLDING;
      Object.defineProperty(res, 'headersSent', {
        configurable: true,
        get: () => state === HOLDING || headersSentOf.call(res),
      });
      pending.then(replay, drop);
    }
    held.push({ method, args });
    return true;
  };

  res.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
    if (hold('writeHead', args, status)) return res;
    return original.writeHead.apply(res, args);
  } as ServerResponse['writeHead'];
  res.write = function write(this: ServerResponse, ...args: unknown[]) {
    if (!hold('write', args, res.statusCode)) return original.write.apply(res, args);
    owesDrain = true;
    return false;
  } as ServerResponse['write'];
  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    if (hold('end', args, res.statusCode)) return res;
    return original.end.apply(res, args);
  } as ServerResponse['end'];
  res.flushHeaders = function flushHeaders(this: ServerResponse) {
    if (!hold('flushHeaders', [], res.statusCode)) original.flushHeaders.apply(res, []);
  };
}

/**
 * The arguments of a held `writeHead(status, [message], [headers])` to replay. Node applies a
 * `headers` argument with `setHeader`, which would replace the `Set-Cookie` appended before it:
 * the lines of the names in `added` are appended instead, and the rest goes to Node as given.
 */
function mergeHeadArgs(
  res: ServerResponse,
  args: unknown[],
  added: readonly ResponseHeader[],
): unknown[] {
  const at = typeof args[1] === 'string' ? 2 : 1;
  const given = args[at];
  if (added.length === 0 || typeof given !== 'object' || given === null) return args;
  const names = new Set(added.map(([name]) => name.toLowerCase()));
  const keep = (name: unknown, value: unknown): boolean => {
    if (typeof name !== 'string' || !names.has(name.toLowerCase())) return true;
    res.appendHeader(name, value as string | readonly string[]);
    return false;
  };
  let rest: unknown;
  if (Array.isArray(given)) {
    // Either [[name, value], ...] or Node's flat [name, value, name, value, ...].
    if (given.every((entry) => Array.isArray(entry))) {
      rest = given.filter(([name, value]: unknown[]) => keep(name, value));
    } else {
      const flat: unknown[] = [];
      for (let i = 0; i + 1 < given.length; i += 2) {
        if (keep(given[i], given[i + 1])) flat.push(given[i], given[i + 1]);
      }
      rest = flat;
    }
  } else {
    const copy: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(given)) if (keep(name, value)) copy[name] = value;
    rest = copy;
  }
  const merged = args.slice(0, at);
  merged.push(rest);
  return merged;
}
