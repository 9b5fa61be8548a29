import { type CommitPolicyOptions, shouldCommit } from '../adapter/adapter-options.js';
import type { SessionManager } from '../manager/session-manager.js';
import type { Session } from '../session/session.js';
import type { SessionData } from '../types/session-value.js';
import { appendResponseHeaders } from './append-response-headers.js';

/** A Web-standard handler that receives the request's session. */
export type SessionHandler<Data extends SessionData> = (
  request: Request,
  session: Session<Data>,
) => Response | Promise<Response>;

/** Options of {@link withSession}: the commit policy, and where the client address comes from. */
export interface WithSessionOptions extends CommitPolicyOptions {
  /**
   * The client's IP address, for client binding with `binding.ip` (called only when a binding
   * needs it). A Fetch `Request` does not carry it: take it from your server, e.g.
   * `(request) => server.requestIP(request)?.address` on Bun, or from a header only your own
   * proxy sets.
   */
  clientAddress?: ((request: Request) => string | undefined) | undefined;
}

/**
 * Wraps a `(request, session) => Response` handler into a plain `fetch`-style handler: opens the
 * session, runs the handler, commits, and adds the session headers to the response. For runtimes
 * without a framework (Deno.serve, Bun.serve, Workers). When the handler throws or answers 5xx,
 * nothing is committed (unless `policy.commitOnError`), and a thrown error propagates.
 */
export function withSession<Data extends SessionData>(
  manager: SessionManager<Data>,
  handler: SessionHandler<Data>,
  policy: WithSessionOptions = {},
): (request: Request) => Promise<Response> {
  const clientAddress = policy.clientAddress;
  return async (request) => {
    const session =
      clientAddress === undefined
        ? manager.session(request)
        : manager.session(request, { clientAddress: () => clientAddress(request) });
    let response: Response;
    try {
      response = await handler(request, session);
    } catch (error) {
      if (policy.commitOnError === true) await session.commit();
      throw error;
    }
    if (!shouldCommit({ failed: false, status: response.status }, policy)) return response;
    const { headers } = await session.commit();
    return appendResponseHeaders(response, headers);
  };
}
