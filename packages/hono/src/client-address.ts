import type { Context } from 'hono';

/** The parts of `c.env` each runtime's server puts there that name the client's address. */
interface ConnectionBindings {
  /** `@hono/node-server`: Node's `IncomingMessage`. */
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string | undefined } };
  /** `Deno.serve`: the handler's `ServeHandlerInfo`. */
  readonly remoteAddr?: { readonly hostname?: string | undefined };
  /** `Bun.serve`: the `Server`. */
  readonly requestIP?: (request: Request) => { readonly address?: string | undefined } | null;
}

/**
 * The client's IP address as the runtime's server saw the connection (the TCP peer: behind a
 * proxy, the proxy's address): the socket on `@hono/node-server`, `remoteAddr` on `Deno.serve`,
 * `server.requestIP()` on `Bun.serve`. `undefined` elsewhere (Cloudflare Workers, `app.request`):
 * pass the `clientAddress` option of `sessions()` there, e.g. `(c) => c.req.header('cf-connecting-ip')`.
 */
export function connectionAddress(c: Context): string | undefined {
  const env = c.env as ConnectionBindings | undefined;
  if (typeof env !== 'object' || env === null) return undefined;
  const socketAddress = env.incoming?.socket?.remoteAddress;
  if (typeof socketAddress === 'string') return socketAddress;
  const denoAddress = env.remoteAddr?.hostname;
  if (typeof denoAddress === 'string') return denoAddress;
  if (typeof env.requestIP === 'function') {
    const address = env.requestIP(c.req.raw)?.address;
    if (typeof address === 'string') return address;
  }
  return undefined;
}
