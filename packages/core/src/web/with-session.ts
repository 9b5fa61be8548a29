import type { SessionManager } from '../manager/session-manager.js';
import type { Session } from '../session/session.js';
import type { SessionData } from '../types/session-value.js';
import { appendResponseHeaders } from './append-response-headers.js';

/** A Web-standard handler that receives the request's session. */
export type SessionHandler<Data extends SessionData> = (
  request: Request,
  session: Session<Data>,
) => Response | Promise<Response>;

/**
 * Wraps a `(request, session) => Response` handler into a plain `fetch`-style handler: opens the
 * session, runs the handler, commits, and adds the session headers to the response. For runtimes
 * without a framework (Deno.serve, Bun.serve, Workers). When the handler throws, nothing is
 * committed and the error propagates.
 */
export function withSession<Data extends SessionData>(
  manager: SessionManager<Data>,
  handler: SessionHandler<Data>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const session = manager.session(request);
    const response = await handler(request, session);
    const { headers } = await session.commit();
    return appendResponseHeaders(response, headers);
  };
}
