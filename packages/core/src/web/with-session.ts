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

/**
 * Wraps a `(request, session) => Response` handler into a plain `fetch`-style handler: opens the
 * session, runs the handler, commits, and adds the session headers to the response. For runtimes
 * without a framework (Deno.serve, Bun.serve, Workers). When the handler throws or answers 5xx,
 * nothing is committed (unless `policy.commitOnError`), and a thrown error propagates.
 */
export function withSession<Data extends SessionData>(
  manager: SessionManager<Data>,
  handler: SessionHandler<Data>,
  policy: CommitPolicyOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const session = manager.session(request);
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
