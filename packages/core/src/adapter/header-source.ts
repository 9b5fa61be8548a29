/**
 * Where the engine reads request headers from: anything with a case-insensitive `get`, such as a
 * Fetch `Headers`. Adapters for Node frameworks pass {@link nodeHeaderSource} instead of copying
 * every header into a `Headers` object on each request.
 */
export interface HeaderSource {
  /** The header's value, with repeated lines joined (as `Headers.get` does), or `null`. */
  get(name: string): string | null;
}

/** Node's `IncomingMessage.headers` shape (lower-case names; `set-cookie` is an array). */
export type NodeIncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The request headers of which Node keeps only the first line in `IncomingMessage.headers`,
 * silently discarding repeats (Node's documented list). A session token header among them
 * (`authorization`, the header transport's default) must be read from `rawHeaders`, or a request
 * carrying two different tokens would be served as the first one instead of failing closed.
 */
const FIRST_LINE_ONLY: ReadonlySet<string> = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** Every line of header `name` (lower case) in Node's flat `rawHeaders`, joined with `", "`. */
function joinRawLines(rawHeaders: readonly string[], name: string): string | null {
  let joined: string | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const line = rawHeaders[i] as string;
    if (line.length === name.length && line.toLowerCase() === name) {
      const value = rawHeaders[i + 1] as string;
      joined = joined === null ? value : `${joined}, ${value}`;
    }
  }
  return joined;
}

/**
 * Reads a Node `IncomingMessage.headers` object as a {@link HeaderSource}, without copying. Node
 * joins repeated `Cookie` lines with `"; "` and keeps other repeats as arrays; both are handled.
 * Pass the message's `rawHeaders` too: Node discards repeats of some headers (`Authorization`
 * among them), which are then read, every line of them, from the raw list instead.
 */
export function nodeHeaderSource(
  headers: NodeIncomingHeaders,
  rawHeaders?: readonly string[],
): HeaderSource {
  return {
    get(name) {
      const key = name.toLowerCase();
      if (rawHeaders !== undefined && FIRST_LINE_ONLY.has(key)) {
        return joinRawLines(rawHeaders, key);
      }
      const value = headers[key];
      if (value === undefined) return null;
      return typeof value === 'string' ? value : value.join(', ');
    },
  };
}
