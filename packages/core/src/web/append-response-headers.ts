import type { ResponseHeader } from '../transport/session-transport.js';

/**
 * Appends session headers to a `Response`. Responses with immutable headers (from
 * `Response.redirect()` or `fetch()`) are copied first, so the cookie is never silently lost.
 */
export function appendResponseHeaders(
  response: Response,
  headers: readonly ResponseHeader[],
): Response {
  if (headers.length === 0) return response;
  try {
    for (const [name, value] of headers) response.headers.append(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of headers) copy.headers.append(name, value);
    return copy;
  }
}
