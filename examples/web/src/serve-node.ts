import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A Web-standard handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  // rawHeaders keeps repeated lines (several Cookie headers), which the session parser expects.
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const chunks: Buffer[] = [];
  if (hasBody) for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    body: hasBody ? Buffer.concat(chunks) : null,
  });
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

/** Serves a fetch-style handler with Node's http module. */
export function serveNode(handler: FetchHandler, port: number) {
  const server = createServer((req, res) => {
    toRequest(req)
      .then(handler)
      .then((response) => send(response, res))
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  return new Promise<typeof server>((resolve) => server.listen(port, () => resolve(server)));
}
