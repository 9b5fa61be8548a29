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
 * Reads a Node `IncomingMessage.headers` object as a {@link HeaderSource}, without copying. Node
 * joins repeated `Cookie` lines with `"; "` and keeps other repeats as arrays; both are handled.
 */
export function nodeHeaderSource(headers: NodeIncomingHeaders): HeaderSource {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return typeof value === 'string' ? value : value.join(', ');
    },
  };
}
