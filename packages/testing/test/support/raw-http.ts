import { connect } from 'node:net';
import type { RawRequest } from '../../src/index.js';

/**
 * What came back: the parsed response, or `undefined` when the server closed the connection
 * without answering at all.
 */
export type RawOutcome = Response | undefined;

const HEAD_END = Buffer.from('\r\n\r\n');

/** Decodes an HTTP/1.1 chunked body (trailers ignored). */
function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses a complete HTTP/1.1 response (the connection was closed after it). */
function parseResponse(raw: Buffer): Response | undefined {
  const headEnd = raw.indexOf(HEAD_END);
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new Error(`unexpected status line ${JSON.stringify(statusLine)}`);
  }
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(headEnd + HEAD_END.length);
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) body = dechunk(body);
  const length = headers.get('content-length');
  if (length !== null) body = body.subarray(0, Number(length));
  const empty = status === 204 || status === 304;
  // Content-Length/Transfer-Encoding describe the wire, not this Response's body.
  headers.delete('transfer-encoding');
  return new Response(empty ? null : new Uint8Array(body), { status, headers });
}

/**
 * The Node side of `AdapterDriver.sendRaw` for drivers on a real socket (the Hono, Fastify and Koa
 * scenario drivers use it): sends `request` over a new TCP connection to `origin` (`http://host:port`) exactly as given:
 * each header line on its own line, in order, values as their UTF-8 bytes (no validation: control
 * characters and oversized lines go out as they are), then `Connection: close`. Resolves with the
 * response once the server closes the connection, `undefined` when it closed (or reset) it without
 * answering, and rejects when no answer comes within `timeoutMs` (a hang).
 */
export async function sendRawHttp(
  origin: string,
  request: RawRequest,
  timeoutMs = 15_000,
): Promise<RawOutcome> {
  const url = new URL(origin);
  const body = Buffer.from(request.body ?? '', 'utf8');
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
  if (body.length > 0) head += `content-length: ${body.length}\r\n`;
  head += 'connection: close\r\n\r\n';
  const bytes = Buffer.concat([Buffer.from(head, 'utf8'), body]);
  return new Promise<RawOutcome>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(
        new Error(
          `no answer from ${origin} within ${timeoutMs} ms (${request.method} ${request.path})`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that answers early (431) and closes may reset the connection while we still write.
    socket.on('error', finish);
    socket.on('close', finish);
    // write, not end: a Node server aborts a request whose client half-closes (FIN) before the
    // answer (httpAllowHalfOpen is off); `Connection: close` makes the server close after it.
    socket.on('connect', () => socket.write(bytes));
  });
}
